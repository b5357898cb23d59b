// A minimal blocking HTTP/1.1 server for the simulator: a thread per connection, keep-alive, a read timeout. Enough
// for a test tool that serves a handful of callers; the suite's public server is the gateway's.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"

namespace zhongtai::paysim {

struct Request {
  std::string method;
  std::string path;   // without the query
  std::string query;  // after '?', not decoded
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

struct Response {
  int status = 200;
  std::string body;  // JSON
};

using Handler = std::function<Response(const Request&)>;

class HttpServer {
 public:
  explicit HttpServer(Handler handler);
  ~HttpServer();  // stops accepting; open connections end at their next read

  // Binds address:port (0: any free port) and starts accepting.
  absl::Status Start(const std::string& address, int port);
  int port() const { return port_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace zhongtai::paysim
