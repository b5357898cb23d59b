// An answer to an HTTP request, as the gateway builds it and the HTTP server writes it.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace zhongtai::gateway {

struct HttpResponse {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

}  // namespace zhongtai::gateway
