// The HTTP server's limits over real sockets: the connection cap, the first-byte and header deadlines
// against slow (slowloris) clients, and body limits per route.
#include <algorithm>
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
  ~Server() {  // in zt-gateway's order (http_server.h)
    server->Shutdown(absl::Seconds(1));
    gateway.reset();
    server.reset();
  }

  prometheus::Registry registry;
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<HttpServer> server;
};

struct Socket {
  // from: the client's own address (any of 127.0.0.0/8 on Linux), so that a test can be two clients.
  // receive_buffer: a small one makes a client that does not read fill up quickly.
  explicit Socket(int port, const char* from = nullptr, int receive_buffer = 0) : socket(ioc) {
    socket.open(tcp::v4());
    if (receive_buffer > 0) socket.set_option(net::socket_base::receive_buffer_size(receive_buffer));
    if (from != nullptr) socket.bind(tcp::endpoint(net::ip::make_address(from), 0));
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
  options.on_connection_refused = [&refused](bool) { ++refused; };
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

// Waits up to `limit` for the server to count `n` open connections or fewer.
bool WaitForOpenConnections(const HttpServer& server, size_t n, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (server.open_connections() > n && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return server.open_connections() <= n;
}

TEST_CASE("beyond the per-client cap a new connection from that address gets a 429 while other addresses are served") {
  HttpServerOptions options;
  options.max_connections_per_client = 3;
  std::atomic<int> refused_client{0};
  std::atomic<int> refused_server{0};
  options.on_connection_refused = [&](bool per_client) { ++(per_client ? refused_client : refused_server); };
  Server server(options);
  int port = server.server->port();
  // One address holds three silent connections (a slowloris client opening more and more).
  std::vector<std::unique_ptr<Socket>> held;
  for (int i = 0; i < 3; ++i) held.push_back(std::make_unique<Socket>(port, "127.0.0.1"));
  for (int i = 0; i < 200 && server.server->open_connections() < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(server.server->open_connections() == 3);

  Socket fourth(port, "127.0.0.1");
  bool closed = false;
  std::string answer = fourth.ReadUntilClosed(std::chrono::seconds(3), &closed);
  CHECK(closed);
  CHECK(answer.rfind("HTTP/1.1 429", 0) == 0);
  CHECK(answer.find("TOO_MANY_CONNECTIONS") != std::string::npos);
  CHECK(answer.find("Retry-After: 1") != std::string::npos);
  CHECK(refused_client == 1);
  CHECK(refused_server == 0);

  // Another client is served meanwhile, over several connections.
  http::request<http::string_body> health{http::verb::get, "/healthz", 11};
  for (int i = 0; i < 4; ++i) {
    Socket other(port, "127.0.0.2");
    CHECK(other.Exchange(health).result_int() == 200);
  }
  // Once the first address lets one go, it may open one again.
  held.pop_back();
  CHECK(WaitForOpenConnections(*server.server, 2, std::chrono::seconds(2)));
  Socket again(port, "127.0.0.1");
  CHECK(again.Exchange(health).result_int() == 200);
}

TEST_CASE("slow clients are cut off at their deadlines while a normal client is served meanwhile") {
  HttpServerOptions options;
  options.first_byte_timeout = absl::Seconds(5);
  options.header_timeout = absl::Milliseconds(1000);
  options.body_timeout = absl::Milliseconds(1000);
  options.write_timeout = absl::Milliseconds(1000);
  Server server(options);
  int port = server.server->port();
  auto start = Clock::now();

  // A header sent a byte at a time (slowloris), a body announced and never finished, and a reader that asks for
  // large answers and never reads them (a small receive window, so the server's writes stall at once).
  Socket dripping(port);
  Socket unfinished(port);
  unfinished.Send(
      "POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
      "Content-Length: 1000\r\n\r\n{\"events\":[");
  Socket not_reading(port, nullptr, 4096);
  std::string pipelined;
  for (int i = 0; i < 64; ++i) pipelined += "GET /openapi.json HTTP/1.1\r\nHost: localhost\r\n\r\n";
  not_reading.Send(pipelined);
  const std::string header =
      "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
  size_t dripped = 0;

  // A normal client on a keep-alive connection meanwhile: every request answered at once.
  Socket normal(port);
  http::request<http::string_body> health{http::verb::get, "/healthz", 11};
  int served = 0;
  auto slowest = std::chrono::steady_clock::duration::zero();
  while (Clock::now() - start < std::chrono::milliseconds(2500)) {
    if (dripped < header.size()) dripping.Send(header.substr(dripped++, 1));
    auto asked = Clock::now();
    CHECK(normal.Exchange(health).result_int() == 200);
    slowest = std::max(slowest, Clock::now() - asked);
    ++served;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(served >= 15);
  CHECK(slowest < std::chrono::milliseconds(500));
  CHECK(dripped < header.size());

  // By now every slow one is past its deadline: only the normal client's connection is left.
  CHECK(WaitForOpenConnections(*server.server, 1, std::chrono::seconds(2)));
  bool closed = false;
  dripping.ReadUntilClosed(std::chrono::seconds(1), &closed);
  CHECK(closed);
  closed = false;
  std::string got = unfinished.ReadUntilClosed(std::chrono::seconds(1), &closed);
  CHECK(closed);
  CHECK(got.empty());  // cut, not answered: the request was never whole
  closed = false;
  std::string taken = not_reading.ReadUntilClosed(std::chrono::seconds(5), &closed);
  CHECK(closed);
  // It got a few answers' worth at most (what the buffers held when the write deadline passed), not all 64.
  CHECK(taken.size() < 64 * server.gateway->openapi().size());
  CHECK(normal.Exchange(health).result_int() == 200);
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
