// Log-linear latency histogram with 3 significant digits (HdrHistogram's layout, written small):
// values below 2048 have their own bucket; above, each power of two is split into 1024 linear
// sub-buckets, so a bucket is at most 1/1024 of its value wide. Values are nanoseconds.
#pragma once

#include <cstdint>
#include <mutex>
#include <utility>
#include <vector>

namespace zhongtai::bench {

class Histogram {
 public:
  Histogram();

  void Record(uint64_t value);  // thread-safe
  void Merge(const Histogram& other);
  void Reset();

  uint64_t count() const;
  uint64_t max() const;
  // The highest value equivalent to the q-quantile's bucket (q in [0, 1]); 0 when empty.
  uint64_t Percentile(double q) const;
  // Non-empty buckets as (highest equivalent value, count), ascending.
  std::vector<std::pair<uint64_t, uint64_t>> Buckets() const;

  static size_t IndexOf(uint64_t value);
  static uint64_t HighestEquivalent(size_t index);

 private:
  mutable std::mutex mu_;
  std::vector<uint64_t> counts_;
  uint64_t total_ = 0;
  uint64_t max_ = 0;
};

}  // namespace zhongtai::bench
