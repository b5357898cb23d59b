#include "common/pg/arrays.h"

#include <catch2/catch.hpp>

namespace zhongtai::pg {
namespace {

TEST_CASE("Array literals quote and escape text, list numbers, and are {} when empty") {
  CHECK(TextArrayLiteral({}) == "{}");
  CHECK(TextArrayLiteral({"a", "b c", ""}) == R"({"a","b c",""})");
  CHECK(TextArrayLiteral({R"(say "hi")", R"(back\slash)", "a,b", "{x}"}) ==
        R"({"say \"hi\"","back\\slash","a,b","{x}"})");
  CHECK(BigintArrayLiteral({}) == "{}");
  CHECK(BigintArrayLiteral({1, -2, 9007199254740993}) == "{1,-2,9007199254740993}");
}

}  // namespace
}  // namespace zhongtai::pg
