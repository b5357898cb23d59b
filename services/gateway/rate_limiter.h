// Rate limits at the door: GCRA buckets in Redis, one Lua script call per request.
//
// Three classes of bucket, each a rate per minute and a burst (how many requests may come at once after a
// quiet spell):
//   ip    every routed request, keyed by the client IP
//   user  every request of a signed-in caller, keyed by the user id (in addition to the IP bucket)
//   auth  log in, register and refresh (POST /v1/sessions, /v1/users, /v1/sessions:refresh), keyed by the IP:
//         a much smaller rate, against password guessing and mass registration
// A request must fit in every bucket that applies. The address's buckets (ip, auth) are checked first, before the
// token is verified, in one all-or-nothing call; the user's bucket after, once the token says who it is (a request
// the user's bucket refuses has already spent its address's turn). Over the limit: 429, reason RATE_LIMITED,
// Retry-After in whole seconds (at least 1), and zt_gateway_rate_limited_total{class}.
//
// Redis down or slow: the limiter FAILS OPEN. The request goes through unchecked, the failure is counted in
// zt_gateway_rate_limit_fail_open_total{reason} and logged (once per breaker period), and for `breaker` after a
// failure no request asks Redis at all, so a dead Redis costs at most one timeout per IO thread per period.
// The checks run on the HTTP IO thread: one synchronous round trip each on a pooled connection, so two for a
// signed-in caller (see docs/performance.md for the cost).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/redis/redis.h"
#include "services/gateway/authentication.h"
#include "services/gateway/routes.h"
#include "services/gateway/transcoder.h"

namespace prometheus {
class Registry;
template <typename T>
class Family;
class Counter;
}  // namespace prometheus

namespace zhongtai::gateway {

// A GCRA limit: `per_minute` requests a minute on average, up to `burst` at once. 0 in either disables it.
struct RateLimit {
  int64_t per_minute = 0;
  int64_t burst = 0;
  bool enabled() const { return per_minute > 0 && burst > 0; }
};

struct RateLimitOptions {
  RateLimit ip{1200, 100};
  RateLimit user{600, 60};
  RateLimit auth{10, 5};
  // After a Redis failure, requests skip the check (fail open) for this long.
  absl::Duration breaker = absl::Seconds(1);
  std::string key_prefix = "zt:rl:";
};

// One bucket of one GCRA call: its Redis key and its limit.
struct GcraBucket {
  std::string key;
  RateLimit limit;
};

struct GcraResult {
  // -1 when every bucket had room (and each consumed one), else the index of the bucket that refused with
  // the longest wait; nothing was consumed then.
  int refused = -1;
  absl::Duration retry_after;  // when refused: how long until the request would fit
  int64_t remaining = 0;       // when allowed: how many more requests fit right now (the smallest bucket)
};

// Runs the GCRA script once over `buckets` (all or nothing). `now` is for tests; by default the script uses
// the Redis server's clock, one clock for every gateway replica.
absl::StatusOr<GcraResult> RunGcra(redis::Pool& pool, const std::vector<GcraBucket>& buckets,
                                   std::optional<absl::Time> now = std::nullopt);

// The client address to limit by: the socket peer when `trusted_hops` is 0; behind that many proxies that
// each append the address they saw to X-Forwarded-For, the entry the outermost trusted proxy appended
// (entries further left are client-supplied and could be forged). Falls back to the peer.
std::string ClientIp(absl::string_view peer, absl::string_view forwarded_for, int trusted_hops);

class RateLimiter {
 public:
  enum class Class { kIp, kUser, kAuth };
  static const char* ClassName(Class c);

  // Opens the Redis pool now if it can; if not, fails open until Redis answers (tried at most once per
  // breaker period). Metrics are registered in `registry`.
  RateLimiter(RateLimitOptions options, redis::Options redis, prometheus::Registry& registry);
  ~RateLimiter();

  // Each returns nullopt to go ahead, else the 429 response to send.
  // The client's address (ip, and auth on the auth routes): before the token is verified, so that a flood of made-up
  // tokens is refused without a signature check each.
  std::optional<HttpResponse> AdmitClient(const Route& route, const std::string& client_ip);
  // The signed-in user (user), once the token is verified; nothing for an anonymous caller.
  std::optional<HttpResponse> AdmitUser(const Caller& caller);

  // The auth class: the routes that check passwords or mint sessions.
  static bool IsAuthRoute(const Route& route);

 private:
  struct Metrics;
  void Add(Class c, const RateLimit& limit, const std::string& id, std::vector<GcraBucket>& buckets,
           std::vector<Class>& classes) const;
  // One GCRA call over the buckets (all or nothing); fails open as described above.
  std::optional<HttpResponse> Check(const std::vector<GcraBucket>& buckets, const std::vector<Class>& classes);
  redis::Pool* PoolOrNull();
  void FailOpen(const char* reason, const absl::Status& status);

  RateLimitOptions options_;
  redis::Options redis_options_;
  std::unique_ptr<Metrics> metrics_;
  std::mutex open_mu_;  // serialises (re)opening the pool
  std::unique_ptr<redis::Pool> pool_;
  std::atomic<redis::Pool*> live_pool_{nullptr};
  std::atomic<int64_t> breaker_until_ns_{0};  // unix nanos; while in the future the check is skipped
};

}  // namespace zhongtai::gateway
