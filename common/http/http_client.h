// A small blocking HTTP/1.1 client for calling partners over plain HTTP (payment providers, webhook receivers): one
// connection per request, a deadline on the whole exchange, a cap on the response size. Thread-safe: a client holds
// only its settings. No TLS: partners outside the cluster are reached through an egress proxy that adds it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zhongtai::http {

struct HttpClientOptions {
  absl::Duration connect_timeout = absl::Seconds(2);
  // The whole request: resolve, connect, write and read the response.
  absl::Duration timeout = absl::Seconds(5);
  size_t max_response_bytes = 1 << 20;
};

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // A header's value (case-insensitive name), "" when absent.
  std::string Header(absl::string_view name) const;
};

class HttpClient {
 public:
  // `base_url`: "http://host:port" (an optional trailing path is prefixed to every target). INVALID_ARGUMENT otherwise.
  static absl::StatusOr<HttpClient> Create(absl::string_view base_url, HttpClientOptions options = {});

  // Any HTTP status is a response; UNAVAILABLE when the server cannot be reached or the connection breaks,
  // DEADLINE_EXCEEDED when the exchange took longer than the timeout, RESOURCE_EXHAUSTED for a too large response.
  absl::StatusOr<HttpResponse> Send(const HttpRequest& request) const;

  const std::string& host() const { return host_; }
  const std::string& port() const { return port_; }

 private:
  HttpClient(std::string host, std::string port, std::string path_prefix, HttpClientOptions options)
      : host_(std::move(host)), port_(std::move(port)), path_prefix_(std::move(path_prefix)), options_(options) {}

  std::string host_;
  std::string port_;
  std::string path_prefix_;
  HttpClientOptions options_;
};

}  // namespace zhongtai::http
