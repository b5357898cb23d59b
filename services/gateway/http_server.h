// HTTP/1.1 server on Boost.Beast: asynchronous, keep-alive, a few io threads, caps on open connections (in all and
// per client address), body size limits (a default and per route), first-byte/header/body/idle/write timeouts, and a
// graceful stop that lets requests in flight finish.
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
#include "services/gateway/body_limits.h"
#include "services/gateway/http_handler.h"

namespace zhongtai::gateway {

struct HttpServerOptions {
  std::string address = "0.0.0.0";
  int port = 8080;  // 0: any free port
  int io_threads = 2;
  size_t body_limit = 64 << 10;       // every route, unless route_body_limits says otherwise
  RouteBodyLimits route_body_limits;  // "POST /v1/..." -> bytes; each must name a route of the gateway
  size_t header_limit = 16 << 10;
  // Open connections at most; beyond it a new connection gets a canned 503 and is closed at once.
  size_t max_connections = 4096;
  // Open connections at most from one socket peer address (0: no cap); beyond it a new connection from that address
  // gets a canned 429 and is closed at once, so one client holding connections open (slowloris) cannot take the
  // whole max_connections from everyone else. Behind a proxy every client has the proxy's address: turn it off there.
  size_t max_connections_per_client = 256;
  // A new connection must send its first byte within this. Then the whole header must arrive within
  // header_timeout of that first byte, however slowly it trickles (a slowloris client is cut there).
  absl::Duration first_byte_timeout = absl::Seconds(10);
  absl::Duration header_timeout = absl::Seconds(10);
  absl::Duration body_timeout = absl::Seconds(30);  // from the end of the header to the end of the body
  absl::Duration idle_timeout = absl::Seconds(60);  // keep-alive wait for the next request
  absl::Duration write_timeout = absl::Seconds(30);
  // Proxies in front that append to X-Forwarded-For (0: the socket peer is the client). See ClientIp.
  int trusted_proxy_hops = 0;
  // Called for each connection refused at the cap (e.g. to count it); on an IO thread. per_client: refused at
  // max_connections_per_client rather than max_connections.
  std::function<void(bool per_client)> on_connection_refused;
};

class HttpServer {
 public:
  // `handler` answers every parsed request until Shutdown. The answer callbacks it is handed post into this server's
  // io context, so the two end in this order: Shutdown, then the handler's calls finish (~Gateway waits for them),
  // then the server is destroyed (ThreadSanitizer: a session released on gRPC's thread after its io_context).
  HttpServer(HttpServerOptions options, HttpHandler* handler);
  ~HttpServer();

  // Binds and starts the io threads. INVALID_ARGUMENT when a route body limit names no route.
  absl::Status Start();
  // Connections open now (accepted and not yet closed).
  size_t open_connections() const;
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
