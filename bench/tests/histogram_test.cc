#include "bench/loadgen/histogram.h"

#include <catch2/catch.hpp>

namespace zhongtai::bench {

TEST_CASE("histogram percentiles are within 0.1 percent of the true value") {
  Histogram h;
  for (uint64_t v = 1; v <= 100000; ++v) h.Record(v * 1000);  // 1us .. 100ms
  REQUIRE(h.count() == 100000);
  auto close = [](uint64_t got, double want) { return std::abs(static_cast<double>(got) - want) <= want * 0.001; };
  CHECK(close(h.Percentile(0.5), 50000e3));
  CHECK(close(h.Percentile(0.99), 99000e3));
  CHECK(close(h.Percentile(0.999), 99900e3));
  CHECK(h.max() == 100000000);
  CHECK(h.Percentile(1.0) == h.max());
}

TEST_CASE("histogram keeps small values exact and merges counts") {
  Histogram a, b;
  a.Record(7);
  b.Record(7);
  b.Record(2047);
  a.Merge(b);
  CHECK(a.count() == 3);
  CHECK(a.Percentile(0.5) == 7);
  CHECK(a.Percentile(1.0) == 2047);
  auto buckets = a.Buckets();
  REQUIRE(buckets.size() == 2);
  CHECK(buckets[0] == std::make_pair<uint64_t, uint64_t>(7, 2));
}

TEST_CASE("histogram bucket bounds cover every value exactly once") {
  for (uint64_t v : {2048ull, 2049ull, 4095ull, 4096ull, 123456789ull, 1ull << 40}) {
    size_t index = Histogram::IndexOf(v);
    CHECK(Histogram::HighestEquivalent(index) >= v);
    if (index > 0) CHECK(Histogram::HighestEquivalent(index - 1) < v);
  }
}

}  // namespace zhongtai::bench
