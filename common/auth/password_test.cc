#include "common/auth/password.h"

#include <catch2/catch.hpp>
#include <set>

using namespace zhongtai::auth;

TEST_CASE("a password verifies against its argon2id hash and nothing else does") {
  auto hash = HashPassword("correct horse battery staple");
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(VerifyPassword(*hash, "correct horse battery staple"));
  CHECK_FALSE(VerifyPassword(*hash, "correct horse battery stapl"));
  CHECK_FALSE(VerifyPassword(*hash, ""));
  CHECK_FALSE(VerifyPassword("", "correct horse battery staple"));
  CHECK_FALSE(VerifyPassword("not a hash", "correct horse battery staple"));

  auto again = HashPassword("correct horse battery staple");
  REQUIRE(again.ok());
  CHECK(*again != *hash);  // salted
}

TEST_CASE("random tokens are url-safe and distinct") {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    std::string token = RandomToken();
    CHECK(token.size() == 43);
    CHECK(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
          std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 100);
}

TEST_CASE("sha256 hex is the standard digest") {
  CHECK(Sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
