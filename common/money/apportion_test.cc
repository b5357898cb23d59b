#include "common/money/apportion.h"

#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

using zhongtai::money::Apportion;
using V = std::vector<int64_t>;

namespace {
int64_t Sum(const V& v) { return std::accumulate(v.begin(), v.end(), int64_t{0}); }
}  // namespace

TEST_CASE("exact proportions are kept") {
  CHECK(Apportion(100, {1, 1, 2}) == V{25, 25, 50});
  CHECK(Apportion(0, {3, 5}) == V{0, 0});
}

TEST_CASE("leftover units go to the largest remainders") {
  // 40 over 100/200/299 (sum 599): floors 6/13/19 = 38, remainders 406/213/581 -> +1 to the 3rd and 1st.
  V parts = Apportion(40, {100, 200, 299});
  CHECK(parts == V{7, 13, 20});
  CHECK(Sum(parts) == 40);
}

TEST_CASE("ties go to the earlier part") {
  CHECK(Apportion(10, {1, 1, 1}) == V{4, 3, 3});
  CHECK(Apportion(2, {1, 1, 1}) == V{1, 1, 0});
  CHECK(Apportion(1, {0, 5, 5}) == V{0, 1, 0});
}

TEST_CASE("zero weights get nothing: all zero goes to the first part") {
  CHECK(Apportion(10, {0, 3, 0, 7}) == V{0, 3, 0, 7});
  CHECK(Apportion(9, {0, 0, 0}) == V{9, 0, 0});
  CHECK(Apportion(9, {}).empty());
  CHECK(Apportion(9, {5}) == V{9});
}

TEST_CASE("big values do not overflow") {
  const int64_t big = std::numeric_limits<int64_t>::max() / 2;
  V parts = Apportion(big, {big, big, 1});
  CHECK(Sum(parts) == big);
  // big = 2k+1: the first two get k each with remainder k+1; the third's remainder 2k+1 is largest.
  CHECK(parts[0] == big / 2);
  CHECK(parts[1] == big / 2);
  CHECK(parts[2] == 1);

  V many(4, std::numeric_limits<int64_t>::max());  // the weights' sum alone overflows int64
  V shares = Apportion(1000001, many);
  CHECK(shares == V{250001, 250000, 250000, 250000});
}

TEST_CASE("random splits always sum exactly and stay within one unit of the ideal") {
  std::mt19937_64 random(42);
  for (int round = 0; round < 2000; ++round) {
    int n = 1 + static_cast<int>(random() % 8);
    V weights(n);
    for (auto& w : weights) w = static_cast<int64_t>(random() % 100000);
    int64_t total = static_cast<int64_t>(random() % 1000000);
    V parts = Apportion(total, weights);
    REQUIRE(parts.size() == weights.size());
    REQUIRE(Sum(parts) == total);
    int64_t sum_w = Sum(weights);
    for (int i = 0; i < n; ++i) {
      REQUIRE(parts[i] >= 0);
      if (sum_w == 0) continue;
      __int128 ideal_floor = static_cast<__int128>(total) * weights[i] / sum_w;
      REQUIRE((parts[i] == ideal_floor || parts[i] == ideal_floor + 1));
    }
  }
}
