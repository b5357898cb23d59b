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

TEST_CASE("revoked sessions are found by their id with the user's record in one lookup, and expire") {
  auto pool = OpenPool();
  RedisTokenRevocations revocations(*pool);
  const std::string user = testing::UniqueName("u");
  const std::string s1 = testing::UniqueName("s1");
  const std::string s2 = testing::UniqueName("s2");
  const std::string s3 = testing::UniqueName("s3");

  RevocationState none = revocations.Lookup(user, s1).value();
  CHECK_FALSE(none.session_revoked);
  CHECK_FALSE(none.user_revoked_at.has_value());

  REQUIRE(revocations.RevokeSessions({s1}, absl::Minutes(16)).ok());      // one session (logout)
  REQUIRE(revocations.RevokeSessions({s2, s3}, absl::Minutes(16)).ok());  // several (a password change)
  CHECK(revocations.Lookup(user, s1).value().session_revoked);
  CHECK(revocations.Lookup(user, s2).value().session_revoked);
  CHECK(revocations.Lookup("someone-else", s3).value().session_revoked);
  CHECK_FALSE(revocations.Lookup(user, testing::UniqueName("s4")).value().session_revoked);
  CHECK_FALSE(revocations.Lookup(user, "").value().session_revoked);  // a token without a session id
  for (const std::string& s : {s1, s3}) {
    redis::Reply ttl = pool->Command({"TTL", SessionRevocationKey(s)}).value();
    CHECK(ttl.integer() > 15 * 60);
    CHECK(ttl.integer() <= 16 * 60);
  }

  REQUIRE(revocations.Revoke(user, kErased, absl::Minutes(15)).ok());
  RevocationState both = revocations.Lookup(user, s1).value();
  CHECK(both.session_revoked);
  REQUIRE(both.user_revoked_at.has_value());
  CHECK(absl::ToUnixSeconds(*both.user_revoked_at) == absl::ToUnixSeconds(kErased));
  CHECK(revocations.Lookup(user, "").value().user_revoked_at.has_value());
}

}  // namespace
}  // namespace zhongtai::auth
