// Revocation records on the harness Redis (label store): what the user service writes is what the gateway reads, the
// record covers tokens issued up to its time (the same second included) and not later ones, and it expires.
#include "common/auth/token_revocations.h"

#include <catch2/catch.hpp>
#include <memory>

#include "common/testing/stores.h"

namespace zhongtai::auth {
namespace {

std::unique_ptr<redis::Pool> OpenPool() {
  auto pool = redis::Pool::Open({testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(pool.ok());
  return std::move(pool).value();
}

const absl::Time kErased = absl::FromUnixSeconds(1790000000) + absl::Milliseconds(400);

TEST_CASE("a revocation covers tokens issued up to it, in the same second too, and none issued later") {
  CHECK(IsRevokedBy(kErased - absl::Minutes(14), kErased));
  CHECK(IsRevokedBy(kErased - absl::Milliseconds(300), kErased));
  CHECK(IsRevokedBy(kErased + absl::Milliseconds(500), kErased));  // same whole second: a token cannot tell
  CHECK_FALSE(IsRevokedBy(kErased + absl::Seconds(1), kErased));
}

TEST_CASE("a revocation written for one user is read back for that user only, and expires") {
  auto pool = OpenPool();
  RedisTokenRevocations revocations(*pool);
  const std::string user = testing::UniqueName("u");
  CHECK_FALSE(revocations.RevokedAt(user).value().has_value());

  REQUIRE(revocations.Revoke(user, kErased, absl::Minutes(15)).ok());
  std::optional<absl::Time> read = revocations.RevokedAt(user).value();
  REQUIRE(read.has_value());
  CHECK(absl::ToUnixSeconds(*read) == absl::ToUnixSeconds(kErased));
  CHECK_FALSE(revocations.RevokedAt(user + "-other").value().has_value());

  redis::Reply ttl = pool->Command({"TTL", RevocationKey(user)}).value();
  CHECK(ttl.integer() > 14 * 60);
  CHECK(ttl.integer() <= 15 * 60);

  // A record kept for one second is gone after it (tokens it covered have expired by then in real use).
  REQUIRE(revocations.Revoke(user, kErased, absl::Seconds(1)).ok());
  REQUIRE(pool->Command({"PEXPIRE", RevocationKey(user), "1"}).ok());
  absl::SleepFor(absl::Milliseconds(20));
  CHECK_FALSE(revocations.RevokedAt(user).value().has_value());
}

}  // namespace
}  // namespace zhongtai::auth
