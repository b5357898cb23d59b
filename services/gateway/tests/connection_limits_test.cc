// The HTTP server's limits over real sockets: the connection cap, the first-byte and header deadlines
// against slow (slowloris) clients, and body limits per route.
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "common/status/status.h"
#include "prometheus/registry.h"
#include "services/gateway/gateway.h"
#include "services/gateway/http_server.h"

namespace zhongtai::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

absl::StatusOr<auth::Claims> AdminOnly(absl::string_view token) {
  auth::Claims claims;
  claims.subject = "a1";
  claims.role = "admin";
  return claims;
}

// A gateway whose upstreams do not exist: everything here is answered (or refused) by the HTTP layer.
struct Server {
  explicit Server(HttpServerOptions http) {
    GatewayOptions options;
    for (const char* name : {"product", "order", "marketing", "user", "datahub"})
      options.upstreams[name] = "127.0.0.1:1";
    options.verify_token = AdminOnly;
    options.upstream_timeout = absl::Milliseconds(200);
    auto created = Gateway::Create(options, registry);
    REQUIRE(created.ok());
    gateway = *std::move(created);
    http.address = "127.0.0.1";
    http.port = 0;
    server = std::make_unique<HttpServer>(http, gateway.get());
    absl::Status started = server->Start();
    INFO(started.ToString());
    REQUIRE(started.ok());
  }
  ~Server() { server->Shutdown(absl::Seconds(1)); }

  prometheus::Registry registry;
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<HttpServer> server;
};

struct Socket {
  explicit Socket(int port) : socket(ioc) {
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }
  void Send(const std::string& bytes) {
    beast::error_code ec;
    net::write(socket, net::buffer(bytes), ec);
  }
  // Reads until the server closes (or `limit` passes); returns what came. closed: the server closed it.
  std::string ReadUntilClosed(std::chrono::milliseconds limit, bool* closed) {
    std::string out;
    socket.non_blocking(true);
    auto deadline = Clock::now() + limit;
    *closed = false;
    while (Clock::now() < deadline) {
      char buf[4096];
      beast::error_code ec;
      size_t n = socket.read_some(net::buffer(buf), ec);
      if (ec == net::error::would_block) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      if (ec) {
        *closed = true;  // eof or reset
        break;
      }
      out.append(buf, n);
    }
    socket.non_blocking(false);
    return out;
  }
  http::response<http::string_body> Exchange(http::request<http::string_body> req) {
    req.set(http::field::host, "localhost");
    req.prepare_payload();
    http::write(socket, req);
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return res;
  }

  net::io_context ioc;
  tcp::socket socket;
  beast::flat_buffer buffer;
};

TEST_CASE("beyond the connection cap a new connection gets a 503 and is closed at once") {
  HttpServerOptions options;
  options.max_connections = 3;
  std::atomic<int> refused{0};
  options.on_connection_refused = [&refused] { ++refused; };
  Server server(options);
  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<Socket>(server.server->port()));
  // The accepts are asynchronous: wait until the server counts all three.
  for (int i = 0; i < 200 && server.server->open_connections() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(server.server->open_connections() == 3);

  Socket extra(server.server->port());
  bool closed = false;
  auto start = Clock::now();
  std::string answer = extra.ReadUntilClosed(std::chrono::seconds(3), &closed);
  CHECK(closed);
  CHECK(Clock::now() - start < std::chrono::seconds(1));
  CHECK(answer.rfind("HTTP/1.1 503", 0) == 0);
  CHECK(answer.find("TOO_MANY_CONNECTIONS") != std::string::npos);
  CHECK(refused == 1);

  // The held connections still work, and once one closes there is room again.
  http::request<http::string_body> health{http::verb::get, "/healthz", 11};
  CHECK(held[0]->Exchange(health).result_int() == 200);
  held.pop_back();
  for (int i = 0; i < 200 && server.server->open_connections() >= 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Socket again(server.server->port());
  CHECK(again.Exchange(health).result_int() == 200);
}

TEST_CASE("a client dripping its header a byte at a time is cut at the header timeout") {
  HttpServerOptions options;
  options.header_timeout = absl::Milliseconds(1500);
  options.first_byte_timeout = absl::Seconds(5);
  Server server(options);
  Socket slow(server.server->port());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  auto start = Clock::now();
  bool closed = false;
  // One byte every 300 ms: the whole header would take ~25 s; each byte arrives well within any per-read
  // timeout, so only a deadline over the whole header stops it.
  size_t sent = 0;
  while (sent < request.size() && Clock::now() - start < std::chrono::seconds(6)) {
    slow.Send(request.substr(sent++, 1));
    std::string got = slow.ReadUntilClosed(std::chrono::milliseconds(300), &closed);
    if (closed) break;
  }
  auto held_for = Clock::now() - start;
  CHECK(closed);
  CHECK(sent < request.size());
  CHECK(held_for >= std::chrono::milliseconds(1400));
  CHECK(held_for < std::chrono::milliseconds(3000));
}

TEST_CASE("a new connection that sends nothing is closed after the first-byte timeout") {
  HttpServerOptions options;
  options.first_byte_timeout = absl::Milliseconds(500);
  options.idle_timeout = absl::Seconds(30);
  Server server(options);
  Socket silent(server.server->port());
  auto start = Clock::now();
  bool closed = false;
  silent.ReadUntilClosed(std::chrono::seconds(5), &closed);
  CHECK(closed);
  CHECK(Clock::now() - start < std::chrono::seconds(2));

  // A connection that has been served may idle for the (longer) keep-alive time instead.
  Socket kept(server.server->port());
  http::request<http::string_body> health{http::verb::get, "/healthz", 11};
  CHECK(kept.Exchange(health).result_int() == 200);
  kept.ReadUntilClosed(std::chrono::milliseconds(1200), &closed);
  CHECK_FALSE(closed);
}

TEST_CASE("bodies over the default limit are 413 BODY_TOO_LARGE unless the route allows more") {
  HttpServerOptions options;
  options.body_limit = 2048;
  options.route_body_limits = {{"POST /v1/admin/products", 8192}};
  Server server(options);

  auto post = [&](const std::string& target, size_t size, bool chunked = false) {
    Socket client(server.server->port());
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::content_type, "application/json");
    req.set("Idempotency-Key", "k-1");
    req.set(http::field::authorization, "Bearer admin");
    req.body() = std::string(size, ' ');
    if (chunked) req.chunked(true);
    return client.Exchange(std::move(req));
  };
  auto over_default = post("/v1/orders", 2049);
  CHECK(over_default.result_int() == 413);
  CHECK(over_default.body().find(R"("reason":"BODY_TOO_LARGE")") != std::string::npos);
  CHECK(over_default.body().find("2048 bytes") != std::string::npos);
  CHECK(post("/v1/orders", 2049, /*chunked=*/true).result_int() == 413);

  // Within the route's larger limit the request reaches the gateway (here: its upstream is down).
  auto within_route = post("/v1/admin/products", 6000);
  CHECK(within_route.result_int() == 503);
  CHECK(post("/v1/admin/products", 6000, /*chunked=*/true).result_int() == 503);
  auto over_route = post("/v1/admin/products", 8193);
  CHECK(over_route.result_int() == 413);
  CHECK(over_route.body().find("8192 bytes") != std::string::npos);
}

TEST_CASE("a route body limit naming no route stops the server from starting") {
  prometheus::Registry registry;
  GatewayOptions options;
  for (const char* name : {"product", "order", "marketing", "user", "datahub"}) options.upstreams[name] = "127.0.0.1:1";
  options.verify_token = AdminOnly;
  auto gateway = Gateway::Create(options, registry);
  REQUIRE(gateway.ok());
  HttpServerOptions http;
  http.address = "127.0.0.1";
  http.port = 0;
  http.route_body_limits = {{"POST /v1/nowhere", 8192}};
  HttpServer server(http, gateway->get());
  CHECK(server.Start().code() == absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace zhongtai::gateway
