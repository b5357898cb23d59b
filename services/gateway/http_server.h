// HTTP/1.1 server on Boost.Beast: asynchronous, keep-alive, a few io threads, a body size limit,
// header/body/idle/write timeouts, and a graceful stop that lets requests in flight finish.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/gateway/gateway.h"

namespace zhongtai::gateway {

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  int port = 8080;  // 0: any free port
  int io_threads = 2;
  size_t body_limit = 1 << 20;
  size_t header_limit = 16 << 10;
  absl::Duration header_timeout = absl::Seconds(10);  // from the first byte to the end of the header
  absl::Duration body_timeout = absl::Seconds(30);
  absl::Duration idle_timeout = absl::Seconds(60);    // keep-alive wait for the next request
  absl::Duration write_timeout = absl::Seconds(30);
};

class HttpServer {
 public:
  // The gateway answers every parsed request; it must outlive the server.
  HttpServer(HttpServerOptions options, Gateway* gateway);
  ~HttpServer();

  // Binds and starts the io threads.
  absl::Status Start();
  int port() const { return port_; }

  // Stops accepting, closes idle connections, lets requests in flight (and requests already being
  // read) finish and answers them with Connection: close; after `drain` the rest are cut. Idempotent.
  void Shutdown(absl::Duration drain);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace zhongtai::gateway
