#include "common/ids/ids.h"

#include <catch2/catch.hpp>
#include <set>

TEST_CASE("ids are prefixed, sort by time and do not repeat") {
  absl::Time t = absl::FromUnixSeconds(1700000000);
  std::string early = zhongtai::ids::NewId("o_", t);
  std::string later = zhongtai::ids::NewId("o_", t + absl::Milliseconds(1));
  CHECK(early.rfind("o_", 0) == 0);
  CHECK(early.size() == 22);
  CHECK(early < later);
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(zhongtai::ids::NewId("x", t));
  CHECK(seen.size() == 10000);
}

TEST_CASE("random hex has the length asked for, hex digits only, and does not repeat") {
  CHECK(zhongtai::ids::RandomHex(0).empty());
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string hex = zhongtai::ids::RandomHex(21);
    REQUIRE(hex.size() == 21);
    CHECK(hex.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(hex);
  }
  CHECK(seen.size() == 1000);
}

TEST_CASE("idempotency keys are UUID-shaped and do not repeat") {
  std::string key = zhongtai::ids::NewIdempotencyKey();
  REQUIRE(key.size() == 36);
  for (int dash : {8, 13, 18, 23}) CHECK(key[dash] == '-');
  CHECK(key != zhongtai::ids::NewIdempotencyKey());
}
