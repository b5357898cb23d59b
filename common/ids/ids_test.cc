#include "common/ids/ids.h"

#include <set>

#include <catch2/catch.hpp>

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
