// Refuses access tokens revoked after they were issued (common/auth/token_revocations.h: an erased account's tokens,
// and a session's after logout or a password change, stop working at once instead of when they expire). One Redis
// round trip (MGET) per signed-in request, on the HTTP IO thread that verified the token; anonymous requests cost
// nothing. See docs/performance.md for the cost.
//
// Redis down or slow: the check FAILS OPEN, like the rate limits. The token is trusted as its signature says (the
// state before revocations existed: it works until it expires, 15 minutes at most), the failure is counted in
// zt_gateway_token_revocation_checks_total{result="fail_open"} and logged once per breaker period, and for `breaker`
// after a failure no request asks Redis, so a dead Redis costs at most one timeout per IO thread per period.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/auth/token.h"
#include "common/redis/redis.h"

namespace prometheus {
class Registry;
}

namespace zhongtai::gateway {

class TokenRevocationCheck {
 public:
  // Opens the Redis pool now if it can; if not, fails open until Redis answers (tried at most once per breaker
  // period). Metrics are registered in `registry`.
  TokenRevocationCheck(redis::Options redis, absl::Duration breaker, prometheus::Registry& registry);
  ~TokenRevocationCheck();

  // OK for a token nobody revoked (or when Redis cannot tell); UNAUTHENTICATED TOKEN_INVALID for a token issued up to
  // its user's revocation (an erased account), SESSION_REVOKED for a token whose session ended (logout, password or
  // role change). One Redis round trip (MGET of both records).
  absl::Status Check(const auth::Claims& claims);

 private:
  struct Metrics;
  redis::Pool* PoolOrNull();
  void FailOpen(const absl::Status& status);

  redis::Options redis_options_;
  absl::Duration breaker_;
  std::unique_ptr<Metrics> metrics_;
  std::mutex open_mu_;  // serialises (re)opening the pool
  std::unique_ptr<redis::Pool> pool_;
  std::atomic<redis::Pool*> live_pool_{nullptr};
  std::atomic<int64_t> breaker_until_ns_{0};  // unix nanos; while in the future Redis is not asked
};

}  // namespace zhongtai::gateway
