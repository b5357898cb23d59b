// Rate limits against a real Redis (from the test harness): the GCRA script's arithmetic, then the limits
// through the gateway over HTTP, then failing open when Redis is not there.
#include "services/gateway/rate_limiter.h"

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>

#include "common/status/status.h"
#include "common/testing/counters.h"
#include "common/testing/stores.h"
#include "prometheus/registry.h"
#include "services/gateway/gateway.h"
#include "services/gateway/http_server.h"

namespace zhongtai::gateway {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

std::unique_ptr<redis::Pool> OpenPool() {
  auto pool = redis::Pool::Open({testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

GcraResult MustRun(redis::Pool& pool, const std::vector<GcraBucket>& buckets, absl::Time now) {
  auto result = RunGcra(pool, buckets, now);
  INFO(result.status().ToString());
  REQUIRE(result.ok());
  return *result;
}

TEST_CASE("GCRA takes a burst, then refuses with the wait until the next request fits, then refills") {
  auto pool = OpenPool();
  // 60 a minute: one request costs 1 s; a burst of 3.
  std::vector<GcraBucket> bucket = {{testing::UniqueName("zt:test:rl"), {60, 3}}};
  CHECK(MustRun(*pool, bucket, kT0).remaining == 2);
  CHECK(MustRun(*pool, bucket, kT0).remaining == 1);
  CHECK(MustRun(*pool, bucket, kT0).remaining == 0);
  GcraResult refused = MustRun(*pool, bucket, kT0);
  CHECK(refused.refused == 0);
  CHECK(refused.retry_after == absl::Seconds(1));
  // A refused request costs nothing: 400 ms later the wait is 600 ms, not more.
  CHECK(MustRun(*pool, bucket, kT0 + absl::Milliseconds(400)).retry_after == absl::Milliseconds(600));
  // After 1 s one request fits again, and only one.
  CHECK(MustRun(*pool, bucket, kT0 + absl::Seconds(1)).refused == -1);
  CHECK(MustRun(*pool, bucket, kT0 + absl::Seconds(1)).refused == 0);
  // A long quiet spell refills the bucket to its burst, never beyond.
  absl::Time later = kT0 + absl::Hours(1);
  for (int i = 0; i < 3; ++i) CHECK(MustRun(*pool, bucket, later).refused == -1);
  CHECK(MustRun(*pool, bucket, later).refused == 0);
}

TEST_CASE("GCRA's wait for a slow rate is the emission interval less the time already passed") {
  auto pool = OpenPool();
  // 6 a minute (one per 10 s), no burst beyond one.
  std::vector<GcraBucket> bucket = {{testing::UniqueName("zt:test:rl"), {6, 1}}};
  CHECK(MustRun(*pool, bucket, kT0).refused == -1);
  CHECK(MustRun(*pool, bucket, kT0).retry_after == absl::Seconds(10));
  CHECK(MustRun(*pool, bucket, kT0 + absl::Seconds(4)).retry_after == absl::Seconds(6));
  CHECK(MustRun(*pool, bucket, kT0 + absl::Seconds(10)).refused == -1);
  // The key expires once the bucket is full again, so idle clients cost no memory.
  int64_t ttl = pool->Command({"PTTL", bucket[0].key})->integer();
  CHECK(ttl > 0);
  CHECK(ttl <= 10001);
}

TEST_CASE("GCRA over several buckets is all or nothing and names the bucket that refused") {
  auto pool = OpenPool();
  GcraBucket roomy{testing::UniqueName("zt:test:rl"), {600, 10}};
  GcraBucket tight{testing::UniqueName("zt:test:rl"), {60, 1}};
  CHECK(MustRun(*pool, {roomy, tight}, kT0).refused == -1);
  GcraResult refused = MustRun(*pool, {roomy, tight}, kT0);
  CHECK(refused.refused == 1);
  CHECK(refused.retry_after == absl::Seconds(1));
  for (int i = 0; i < 5; ++i) MustRun(*pool, {roomy, tight}, kT0);  // all refused by `tight`
  // The refused requests took nothing from `roomy`: 9 of its 10 remain.
  CHECK(MustRun(*pool, {roomy}, kT0).remaining == 8);
  // A disabled limit is skipped, and the index still names the caller's bucket.
  GcraBucket off{testing::UniqueName("zt:test:rl"), {0, 0}};
  CHECK(MustRun(*pool, {off, tight}, kT0).refused == 1);
}

TEST_CASE("GCRA without an explicit time uses the Redis clock") {
  auto pool = OpenPool();
  std::vector<GcraBucket> bucket = {{testing::UniqueName("zt:test:rl"), {60, 2}}};
  REQUIRE(RunGcra(*pool, bucket).ok());
  REQUIRE(RunGcra(*pool, bucket)->refused == -1);
  auto refused = RunGcra(*pool, bucket);
  REQUIRE(refused.ok());
  CHECK(refused->refused == 0);
  CHECK(refused->retry_after > absl::ZeroDuration());
  CHECK(refused->retry_after <= absl::Seconds(1));
}

TEST_CASE("the client IP is the peer, or the entry the trusted proxy appended to X-Forwarded-For") {
  CHECK(ClientIp("10.0.0.9", "1.2.3.4", 0) == "10.0.0.9");
  CHECK(ClientIp("10.0.0.9", "", 1) == "10.0.0.9");
  CHECK(ClientIp("10.0.0.9", "6.6.6.6, 1.2.3.4", 1) == "1.2.3.4");  // the left entry is the client's word
  CHECK(ClientIp("10.0.0.9", "6.6.6.6, 1.2.3.4, 10.1.1.1", 2) == "1.2.3.4");
  CHECK(ClientIp("10.0.0.9", "1.2.3.4", 2) == "10.0.0.9");  // fewer hops than trusted: not from our proxies
}

// ---------------------------------------------------------------------------------------------------------
// Through the gateway
// ---------------------------------------------------------------------------------------------------------

absl::StatusOr<auth::Claims> FakeVerify(absl::string_view token) {
  auto colon = token.find(':');
  if (colon == absl::string_view::npos) return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID", "bad");
  auth::Claims claims;
  claims.role = std::string(token.substr(0, colon));
  claims.subject = std::string(token.substr(colon + 1));
  return claims;
}

using ::zhongtai::testing::CounterValue;

// The gateway with a rate limiter; its upstreams do not exist, so a request that passes the limits is 503.
struct Stack {
  Stack(RateLimitOptions limits, const std::string& redis_address) {
    limits.key_prefix = testing::UniqueName("zt:test:rl") + ":";
    limiter =
        std::make_unique<RateLimiter>(limits, redis::Options{redis_address, 2, absl::Milliseconds(200)}, registry);
    GatewayOptions options;
    for (const char* name : {"product", "order", "marketing", "user", "datahub"})
      options.upstreams[name] = "127.0.0.1:1";
    options.verify_token = [this](absl::string_view token) {
      ++verifications;
      return FakeVerify(token);
    };
    options.upstream_timeout = absl::Milliseconds(100);
    options.rate_limiter = limiter.get();
    auto created = Gateway::Create(options, registry);
    REQUIRE(created.ok());
    gateway = *std::move(created);
    HttpServerOptions http_options;
    http_options.address = "127.0.0.1";
    http_options.port = 0;
    http_options.trusted_proxy_hops = 1;
    server = std::make_unique<HttpServer>(http_options, gateway.get());
    REQUIRE(server->Start().ok());
  }
  ~Stack() {  // in zt-gateway's order (http_server.h)
    server->Shutdown(absl::Seconds(1));
    gateway.reset();
    server.reset();
  }

  http::response<http::string_body> Send(http::verb verb, const std::string& target,
                                         std::vector<std::pair<std::string, std::string>> headers = {}) {
    net::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(server->port())));
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "localhost");
    for (auto& [k, v] : headers) req.set(k, v);
    if (verb == http::verb::post) {
      req.set(http::field::content_type, "application/json");
      req.body() = "{}";
    }
    req.prepare_payload();
    http::write(socket, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res);
    return res;
  }

  prometheus::Registry registry;
  std::atomic<int> verifications{0};  // tokens the gateway checked
  std::unique_ptr<RateLimiter> limiter;
  std::unique_ptr<Gateway> gateway;
  std::unique_ptr<HttpServer> server;
};

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST_CASE("through the gateway: login and registration share a strict per-IP limit, answered with 429") {
  RateLimitOptions limits;
  limits.ip = {6000, 100};
  limits.auth = {6, 2};  // one per 10 s, two at once
  Stack stack(limits, testing::RedisAddress());
  std::vector<std::pair<std::string, std::string>> from_a = {{"X-Forwarded-For", "203.0.113.7"}};
  // The first two reach the (absent) user service; the third is refused at the door.
  CHECK(stack.Send(http::verb::post, "/v1/sessions", from_a).result_int() == 503);
  CHECK(stack.Send(http::verb::post, "/v1/users", from_a).result_int() == 503);
  auto limited = stack.Send(http::verb::post, "/v1/sessions:refresh", from_a);
  CHECK(limited.result_int() == 429);
  CHECK(limited["Retry-After"] == "10");
  CHECK(Contains(limited.body(), R"("reason":"RATE_LIMITED")"));
  CHECK(Contains(limited.body(), R"("status":"RESOURCE_EXHAUSTED")"));
  CHECK_FALSE(limited["X-Request-Id"].empty());
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limited_total", {{"class", "auth"}}) == 1);

  // Other routes from the same address, and logins from another address, are not held back.
  CHECK(stack.Send(http::verb::get, "/v1/products", from_a).result_int() == 503);
  CHECK(stack.Send(http::verb::post, "/v1/sessions", {{"X-Forwarded-For", "203.0.113.8"}}).result_int() == 503);
}

TEST_CASE("through the gateway: a signed-in user has a bucket of their own, apart from the IP's") {
  RateLimitOptions limits;
  limits.ip = {6000, 100};
  limits.user = {60, 3};
  Stack stack(limits, testing::RedisAddress());
  auto as = [](const std::string& user, const std::string& ip) {
    return std::vector<std::pair<std::string, std::string>>{{"Authorization", "Bearer customer:" + user},
                                                            {"X-Forwarded-For", ip}};
  };
  // The same user from three addresses: one bucket.
  CHECK(stack.Send(http::verb::get, "/v1/orders", as("u1", "198.51.100.1")).result_int() == 503);
  CHECK(stack.Send(http::verb::get, "/v1/orders", as("u1", "198.51.100.2")).result_int() == 503);
  CHECK(stack.Send(http::verb::get, "/v1/orders", as("u1", "198.51.100.3")).result_int() == 503);
  auto limited = stack.Send(http::verb::get, "/v1/orders", as("u1", "198.51.100.4"));
  CHECK(limited.result_int() == 429);
  CHECK(limited["Retry-After"] == "1");
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limited_total", {{"class", "user"}}) == 1);
  // Another user from the same address is served.
  CHECK(stack.Send(http::verb::get, "/v1/orders", as("u2", "198.51.100.1")).result_int() == 503);
}

TEST_CASE("through the gateway: the per-IP limit holds anonymous traffic") {
  RateLimitOptions limits;
  limits.ip = {60, 2};
  Stack stack(limits, testing::RedisAddress());
  std::vector<std::pair<std::string, std::string>> from = {{"X-Forwarded-For", "192.0.2.10"}};
  CHECK(stack.Send(http::verb::get, "/v1/products", from).result_int() == 503);
  CHECK(stack.Send(http::verb::get, "/v1/products/p1", from).result_int() == 503);
  CHECK(stack.Send(http::verb::get, "/v1/products", from).result_int() == 429);
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limited_total", {{"class", "ip"}}) == 1);
  // Probes are not routes: never limited.
  CHECK(stack.Send(http::verb::get, "/healthz", from).result_int() == 200);
}

TEST_CASE("through the gateway: a client over its address's limit gets 429 before any token of it is verified") {
  RateLimitOptions limits;
  limits.ip = {60, 2};
  Stack stack(limits, testing::RedisAddress());
  std::vector<std::pair<std::string, std::string>> guessing = {{"X-Forwarded-For", "192.0.2.30"},
                                                               {"Authorization", "Bearer not-a-token"}};
  // A refused token still costs its address a turn: guessing tokens is limited like any other traffic.
  CHECK(stack.Send(http::verb::get, "/v1/orders", guessing).result_int() == 401);
  CHECK(stack.Send(http::verb::get, "/v1/orders", guessing).result_int() == 401);
  CHECK(stack.verifications == 2);
  // Over the limit, neither a made-up token nor a good one is checked at all.
  CHECK(stack.Send(http::verb::get, "/v1/orders", guessing).result_int() == 429);
  auto good = stack.Send(http::verb::get, "/v1/orders",
                         {{"X-Forwarded-For", "192.0.2.30"}, {"Authorization", "Bearer customer:u1"}});
  CHECK(good.result_int() == 429);
  CHECK(Contains(good.body(), "ip limit"));
  CHECK(stack.verifications == 2);
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limited_total", {{"class", "ip"}}) == 2);
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limited_total", {{"class", "user"}}) == 0);
}

TEST_CASE("with Redis unreachable the limits fail open, counted, without slowing requests down") {
  RateLimitOptions limits;
  limits.ip = {60, 1};
  limits.breaker = absl::Seconds(30);
  Stack stack(limits, "127.0.0.1:1");  // nothing listens there
  std::vector<std::pair<std::string, std::string>> from = {{"X-Forwarded-For", "192.0.2.20"}};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) CHECK(stack.Send(http::verb::get, "/v1/products", from).result_int() == 503);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limited_total", {{"class", "ip"}}) == 0);
  CHECK(CounterValue(stack.registry, "zt_gateway_rate_limit_fail_open_total", {{"reason", "breaker_open"}}) == 5);
}

}  // namespace
}  // namespace zhongtai::gateway
