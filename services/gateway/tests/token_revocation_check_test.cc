// The gateway's revocation check on the harness Redis (label store): a token of a user whose tokens were revoked is
// refused as TOKEN_INVALID, a token of an ended session as SESSION_REVOKED, a token issued after the revocation and
// other users' tokens pass, and with Redis gone the check fails open (the token is trusted as its signature says)
// and counts it.
#include "services/gateway/token_revocation_check.h"

#include <catch2/catch.hpp>
#include <memory>

#include "common/auth/token_revocations.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "prometheus/registry.h"

namespace zhongtai::gateway {
namespace {

auth::Claims ClaimsOf(const std::string& user_id, absl::Time issued_at) {
  auth::Claims claims;
  claims.subject = user_id;
  claims.role = "customer";
  claims.issued_at = issued_at;
  claims.expires_at = issued_at + absl::Minutes(15);
  return claims;
}

double Counted(prometheus::Registry& registry, const std::string& result) {
  for (const auto& family : registry.Collect()) {
    if (family.name != "zt_gateway_token_revocation_checks_total") continue;
    for (const auto& metric : family.metric) {
      for (const auto& label : metric.label) {
        if (label.name == "result" && label.value == result) return metric.counter.value;
      }
    }
  }
  return -1;
}

TEST_CASE("a revoked user's token is refused at once, a later token and other users' tokens pass") {
  prometheus::Registry registry;
  TokenRevocationCheck check(redis::Options{testing::RedisAddress(), 2, absl::Milliseconds(200)}, absl::Seconds(1),
                             registry);
  const std::string erased = testing::UniqueName("u");
  const std::string other = testing::UniqueName("u");
  const absl::Time issued = absl::Now() - absl::Minutes(5);
  CHECK(check.Check(ClaimsOf(erased, issued)).ok());

  auto pool = redis::Pool::Open({testing::RedisAddress(), 1, absl::Seconds(1)});
  REQUIRE(pool.ok());
  REQUIRE(auth::RedisTokenRevocations(**pool).Revoke(erased, absl::Now(), absl::Minutes(15)).ok());

  absl::Status refused = check.Check(ClaimsOf(erased, issued));
  CHECK(refused.code() == absl::StatusCode::kUnauthenticated);
  CHECK(ReasonOf(refused) == "TOKEN_INVALID");
  CHECK(check.Check(ClaimsOf(other, issued)).ok());
  CHECK(check.Check(ClaimsOf(erased, absl::Now() + absl::Seconds(2))).ok());
  CHECK(Counted(registry, "revoked") == 1);
  CHECK(Counted(registry, "valid") == 3);
}

TEST_CASE("a token of an ended session is refused as SESSION_REVOKED, the user's other sessions pass") {
  prometheus::Registry registry;
  TokenRevocationCheck check(redis::Options{testing::RedisAddress(), 2, absl::Milliseconds(200)}, absl::Seconds(1),
                             registry);
  const std::string user = testing::UniqueName("u");
  auth::Claims signed_out = ClaimsOf(user, absl::Now() - absl::Minutes(1));
  signed_out.session_id = testing::UniqueName("family");
  auth::Claims other_device = signed_out;
  other_device.session_id = testing::UniqueName("family");
  auth::Claims no_session = ClaimsOf(user, absl::Now() - absl::Minutes(1));
  CHECK(check.Check(signed_out).ok());

  auto pool = redis::Pool::Open({testing::RedisAddress(), 1, absl::Seconds(1)});
  REQUIRE(pool.ok());
  REQUIRE(auth::RedisTokenRevocations(**pool).RevokeSessions({signed_out.session_id}, absl::Minutes(16)).ok());

  absl::Status refused = check.Check(signed_out);
  CHECK(refused.code() == absl::StatusCode::kUnauthenticated);
  CHECK(ReasonOf(refused) == "SESSION_REVOKED");
  CHECK(check.Check(other_device).ok());
  CHECK(check.Check(no_session).ok());
  CHECK(Counted(registry, "revoked") == 1);
  CHECK(Counted(registry, "valid") == 3);
}

TEST_CASE("with Redis unreachable the revocation check fails open and counts it") {
  prometheus::Registry registry;
  // A port nothing listens on: connecting is refused at once.
  TokenRevocationCheck check(redis::Options{"127.0.0.1:1", 1, absl::Milliseconds(100)}, absl::Seconds(1), registry);
  CHECK(check.Check(ClaimsOf("u_1", absl::Now())).ok());
  CHECK(check.Check(ClaimsOf("u_1", absl::Now())).ok());
  CHECK(Counted(registry, "fail_open") == 2);
}

}  // namespace
}  // namespace zhongtai::gateway
