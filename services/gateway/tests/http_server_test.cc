// The gateway over real HTTP against an in-process fake ProductService (callback API).
#include "services/gateway/http_server.h"

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <future>
#include <mutex>
#include <thread>

#include "common/server/service_runner.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/counters.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "prometheus/registry.h"
#include "services/gateway/gateway.h"
#include "services/gateway/trace_context.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using namespace zhongtai::product::v1;

class FakeProductService final : public ProductService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context, const GetProductRequest* request,
                                       GetProductResponse* response) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      auto& md = context->client_metadata();
      auto id = md.find("x-request-id");
      auto tp = md.find("traceparent");
      last_request_id = id == md.end() ? "" : std::string(id->second.data(), id->second.size());
      last_traceparent = tp == md.end() ? "" : std::string(tp->second.data(), tp->second.size());
    }
    auto* reactor = context->DefaultReactor();
    if (request->product_id() == "missing") {
      reactor->Finish(ToGrpcStatus(NotFound("PRODUCT_NOT_FOUND", "no such product"), context));
      return reactor;
    }
    if (request->product_id() == "slow") std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto* product = response->mutable_product();
    product->set_product_id(request->product_id());
    product->set_title("Green tea");
    auto* sku = product->add_skus();
    sku->set_sku_id("s1");
    sku->mutable_price()->set_currency("CNY");
    sku->mutable_price()->set_amount_minor(1999);
    sku->set_available(7);
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::mutex mu;
  std::string last_request_id;
  std::string last_traceparent;
};

absl::StatusOr<auth::Claims> FakeVerify(absl::string_view token) {
  if (token == "expired") return Error(absl::StatusCode::kUnauthenticated, "TOKEN_EXPIRED", "expired");
  auto colon = token.find(':');
  if (colon == absl::string_view::npos) return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID", "bad");
  auth::Claims claims;
  claims.role = std::string(token.substr(0, colon));
  claims.subject = std::string(token.substr(colon + 1));
  return claims;
}

struct Stack {
  explicit Stack(bool upstream_up = true) {
    std::string target = "127.0.0.1:1";  // nothing listens there
    if (upstream_up) {
      grpc::EnableDefaultHealthCheckService(true);
      grpc::ServerBuilder builder;
      int port = 0;
      builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
      builder.RegisterService(&product);
      grpc_server = builder.BuildAndStart();
      REQUIRE(port != 0);
      // Channels send only to backends that report readiness, as every service runner does.
      grpc_server->GetHealthCheckService()->SetServingStatus(server::kReadinessService, true);
      target = "127.0.0.1:" + std::to_string(port);
    }
    GatewayOptions options;
    for (const char* name : {"product", "order", "marketing", "user", "datahub"}) options.upstreams[name] = target;
    options.verify_token = FakeVerify;
    options.upstream_timeout = absl::Seconds(2);
    options.health_timeout = absl::Milliseconds(300);
    auto created = Gateway::Create(options, *registry);
    REQUIRE(created.ok());
    gateway = *std::move(created);
    HttpServerOptions http_options;
    http_options.address = "127.0.0.1";
    http_options.port = 0;
    http_options.header_timeout = absl::Seconds(2);
    server = std::make_unique<HttpServer>(http_options, gateway.get());
    REQUIRE(server->Start().ok());
  }
  ~Stack() {
    server->Shutdown(absl::Seconds(2));
    gateway.reset();
    server.reset();
    if (grpc_server) grpc_server->Shutdown();
  }

  FakeProductService product;
  std::unique_ptr<grpc::Server> grpc_server;
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<HttpServer> server;
};

class Client {
 public:
  explicit Client(int port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  }

  http::response<http::string_body> Send(http::verb verb, const std::string& target, const std::string& body = "",
                                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    for (auto& [k, v] : headers) req.set(k, v);
    if (!body.empty()) {
      req.set(http::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    http::write(socket_, req);
    return Read();
  }

  http::response<http::string_body> Read() {
    http::response_parser<http::string_body> parser;
    parser.body_limit(16 << 20);
    http::read(socket_, buffer_, parser);
    return parser.release();
  }

  tcp::socket& socket() { return socket_; }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

using ::zhongtai::testing::CounterValue;

TEST_CASE("two requests on one keep-alive connection are transcoded to gRPC and back") {
  Stack stack;
  Client client(stack.server->port());
  std::string traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto first = client.Send(http::verb::get, "/v1/products/p1", "",
                           {{"X-Request-Id", "client-req-1"}, {"traceparent", traceparent}});
  CHECK(first.result_int() == 200);
  CHECK(first.keep_alive());
  CHECK(first["X-Request-Id"] == "client-req-1");
  CHECK(first[http::field::content_type] == "application/json");
  // Security headers on every answer (OWASP API8).
  CHECK(first["X-Content-Type-Options"] == "nosniff");
  CHECK(first["X-Frame-Options"] == "DENY");
  CHECK(first["Cache-Control"] == "no-store");
  CHECK(first["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'");
  CHECK(Contains(first.body(), R"("productId":"p1")"));
  CHECK(Contains(first.body(), R"("amountMinor":"1999")"));
  CHECK(Contains(first.body(), R"("available":"7")"));
  {
    std::lock_guard<std::mutex> lock(stack.product.mu);
    CHECK(stack.product.last_request_id == "client-req-1");
    CHECK(TraceIdOf(stack.product.last_traceparent) == "4bf92f3577b34da6a3ce929d0e0e4736");
    CHECK(stack.product.last_traceparent != traceparent);  // a new span of the same trace
  }

  auto second = client.Send(http::verb::get, "/v1/products/missing");
  CHECK(second.result_int() == 404);
  CHECK(Contains(second.body(), R"("reason":"PRODUCT_NOT_FOUND")"));
  CHECK(Contains(second.body(), R"("status":"NOT_FOUND")"));
  CHECK(second["X-Request-Id"].size() == 32);  // generated

  CHECK(CounterValue(*stack.registry, "http_server_requests_total",
                     {{"method", "GET"}, {"route", "/v1/products/{product_id}"}, {"code", "200"}}) == 1);
  CHECK(CounterValue(*stack.registry, "http_server_requests_total",
                     {{"method", "GET"}, {"route", "/v1/products/{product_id}"}, {"code", "404"}}) == 1);
}

TEST_CASE("the gateway answers routing, auth and body errors itself") {
  Stack stack;
  Client client(stack.server->port());

  auto unknown = client.Send(http::verb::get, "/v1/nowhere");
  CHECK(unknown.result_int() == 404);
  CHECK(Contains(unknown.body(), R"("reason":"ROUTE_NOT_FOUND")"));
  CHECK_FALSE(unknown["X-Request-Id"].empty());

  auto wrong_verb = client.Send(http::verb::delete_, "/v1/products");
  CHECK(wrong_verb.result_int() == 405);
  CHECK(wrong_verb[http::field::allow] == "GET");
  CHECK(Contains(wrong_verb.body(), R"("code":405)"));

  auto no_token = client.Send(http::verb::get, "/v1/orders");
  CHECK(no_token.result_int() == 401);
  CHECK(Contains(no_token.body(), R"("reason":"TOKEN_MISSING")"));
  auto expired = client.Send(http::verb::get, "/v1/orders", "", {{"Authorization", "Bearer expired"}});
  CHECK(Contains(expired.body(), R"("reason":"TOKEN_EXPIRED")"));
  auto not_admin = client.Send(http::verb::post, "/v1/admin/products", "{}", {{"Authorization", "Bearer customer:u1"}});
  CHECK(not_admin.result_int() == 403);
  CHECK(Contains(not_admin.body(), R"("reason":"ADMIN_REQUIRED")"));

  auto no_key =
      client.Send(http::verb::post, "/v1/admin/products", R"({"title":"Tea"})", {{"Authorization", "Bearer admin:a1"}});
  CHECK(no_key.result_int() == 400);
  CHECK(Contains(no_key.body(), R"("reason":"IDEMPOTENCY_KEY_REQUIRED")"));
  CHECK(Contains(no_key.body(), R"("field":"Idempotency-Key")"));

  auto bad_json = client.Send(http::verb::post, "/v1/admin/products", R"({"title":)",
                              {{"Authorization", "Bearer admin:a1"}, {"Idempotency-Key", "k-1"}});
  CHECK(bad_json.result_int() == 400);
  CHECK(Contains(bad_json.body(), R"("reason":"INVALID_JSON")"));
  auto unknown_field = client.Send(http::verb::post, "/v1/admin/products", R"({"colour":"red"})",
                                   {{"Authorization", "Bearer admin:a1"}, {"Idempotency-Key", "k-2"}});
  CHECK(unknown_field.result_int() == 400);
  CHECK(Contains(unknown_field.body(), "colour"));

  // A service that does not implement the method yet: 501.
  auto unimplemented = client.Send(http::verb::get, "/v1/orders", "", {{"Authorization", "Bearer customer:u1"}});
  CHECK(unimplemented.result_int() == 501);

  auto health = client.Send(http::verb::get, "/healthz");
  CHECK(health.result_int() == 200);
  auto ready = client.Send(http::verb::get, "/readyz");
  CHECK(ready.result_int() == 200);
  CHECK(Contains(ready.body(), R"("product":"SERVING")"));
  auto openapi = client.Send(http::verb::get, "/openapi.json");
  CHECK(openapi.result_int() == 200);
  CHECK(Contains(openapi.body(), R"("/v1/orders/{orderId}:pay")"));
  CHECK(Contains(openapi.body(), R"("openapi": "3.0.3")"));

  auto too_big = client.Send(http::verb::post, "/v1/admin/products", std::string((64 << 10) + 1, ' '),
                             {{"Authorization", "Bearer admin:a1"}});
  CHECK(too_big.result_int() == 413);
  CHECK(Contains(too_big.body(), R"("reason":"BODY_TOO_LARGE")"));
  CHECK_FALSE(too_big.keep_alive());
}

TEST_CASE("an unreachable upstream is 503 and the gateway is not ready") {
  Stack stack(/*upstream_up=*/false);
  Client client(stack.server->port());
  auto down = client.Send(http::verb::get, "/v1/products/p1");
  CHECK(down.result_int() == 503);
  CHECK(Contains(down.body(), R"("reason":"UPSTREAM_UNAVAILABLE")"));
  CHECK_FALSE(Contains(down.body(), "127.0.0.1"));
  auto ready = client.Send(http::verb::get, "/readyz");
  CHECK(ready.result_int() == 503);
}

TEST_CASE("shutdown lets a request in flight finish and closes the connection after it") {
  Stack stack;
  Client busy(stack.server->port());
  Client idle(stack.server->port());
  CHECK(idle.Send(http::verb::get, "/healthz").result_int() == 200);

  http::request<http::string_body> req{http::verb::get, "/v1/products/slow", 11};
  req.set(http::field::host, "localhost");
  http::write(busy.socket(), req);
  std::this_thread::sleep_for(std::chrono::milliseconds(150));  // the request reaches the upstream
  auto stopped = std::async(std::launch::async, [&] { stack.server->Shutdown(absl::Seconds(5)); });
  auto response = busy.Read();
  CHECK(response.result_int() == 200);
  CHECK_FALSE(response.keep_alive());
  CHECK(Contains(response.body(), R"("productId":"slow")"));
  stopped.get();

  // The idle keep-alive connection was closed; new connections are refused.
  beast::error_code ec;
  beast::flat_buffer buffer;
  http::response<http::string_body> none;
  http::read(idle.socket(), buffer, none, ec);
  CHECK(ec);
}

}  // namespace
}  // namespace zhongtai::gateway
