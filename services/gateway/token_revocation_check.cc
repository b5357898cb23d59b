#include "services/gateway/token_revocation_check.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/auth/token_revocations.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"

namespace zhongtai::gateway {

struct TokenRevocationCheck::Metrics {
  explicit Metrics(prometheus::Registry& registry)
      : checks(prometheus::BuildCounter()
                   .Name("zt_gateway_token_revocation_checks_total")
                   .Help("Signed-in requests checked for a revoked access token, by result: valid, revoked (refused "
                         "with 401), fail_open (Redis failed or had failed moments before; the token was trusted).")
                   .Register(registry)),
        valid(checks.Add({{"result", "valid"}})),
        revoked(checks.Add({{"result", "revoked"}})),
        fail_open(checks.Add({{"result", "fail_open"}})) {}
  prometheus::Family<prometheus::Counter>& checks;
  prometheus::Counter& valid;
  prometheus::Counter& revoked;
  prometheus::Counter& fail_open;
};

TokenRevocationCheck::TokenRevocationCheck(redis::Options redis, absl::Duration breaker, prometheus::Registry& registry)
    : redis_options_(std::move(redis)), breaker_(breaker), metrics_(std::make_unique<Metrics>(registry)) {
  PoolOrNull();
}

TokenRevocationCheck::~TokenRevocationCheck() = default;

redis::Pool* TokenRevocationCheck::PoolOrNull() {
  if (redis::Pool* pool = live_pool_.load()) return pool;
  // One thread tries to open; the others fail open meanwhile instead of waiting.
  std::unique_lock<std::mutex> lock(open_mu_, std::try_to_lock);
  if (!lock.owns_lock()) return nullptr;
  if (redis::Pool* pool = live_pool_.load()) return pool;
  absl::StatusOr<std::unique_ptr<redis::Pool>> opened = redis::Pool::Open(redis_options_);
  if (!opened.ok()) {
    FailOpen(opened.status());
    return nullptr;
  }
  pool_ = std::move(*opened);
  live_pool_.store(pool_.get());
  return pool_.get();
}

void TokenRevocationCheck::FailOpen(const absl::Status& status) {
  int64_t now = absl::ToUnixNanos(absl::Now());
  int64_t until = breaker_until_ns_.load();
  // Only the first failure of a period logs and opens the breaker.
  if (now >= until && breaker_until_ns_.compare_exchange_strong(until, now + absl::ToInt64Nanoseconds(breaker_))) {
    log::Warn(
        "token revocation checks fail open: redis failed",
        {{"error", std::string(status.message())}, {"skip_ms", absl::StrCat(absl::ToInt64Milliseconds(breaker_))}});
  }
}

absl::Status TokenRevocationCheck::Check(const auth::Claims& claims) {
  if (absl::ToUnixNanos(absl::Now()) < breaker_until_ns_.load()) {
    metrics_->fail_open.Increment();
    return absl::OkStatus();
  }
  redis::Pool* pool = PoolOrNull();
  if (pool == nullptr) {
    metrics_->fail_open.Increment();
    return absl::OkStatus();
  }
  auth::RedisTokenRevocations revocations(*pool);
  // One round trip for both records (the user's erasure watermark and the token's session).
  absl::StatusOr<auth::RevocationState> state = revocations.Lookup(claims.subject, claims.session_id);
  if (!state.ok()) {
    metrics_->fail_open.Increment();
    FailOpen(state.status());
    return absl::OkStatus();
  }
  if (state->user_revoked_at.has_value() && auth::IsRevokedBy(claims.issued_at, *state->user_revoked_at)) {
    metrics_->revoked.Increment();
    return Error(absl::StatusCode::kUnauthenticated, "TOKEN_INVALID", "the access token is not valid");
  }
  if (state->session_revoked) {
    metrics_->revoked.Increment();
    return Error(absl::StatusCode::kUnauthenticated, "SESSION_REVOKED",
                 "the session of this access token has ended (signed out, or the password changed); sign in again");
  }
  metrics_->valid.Increment();
  return absl::OkStatus();
}

}  // namespace zhongtai::gateway
