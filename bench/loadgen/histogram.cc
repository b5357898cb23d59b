#include "bench/loadgen/histogram.h"

#include <algorithm>
#include <cmath>

namespace zhongtai::bench {
namespace {

constexpr int kSubBits = 10;                    // 1024 sub-buckets per power of two
constexpr uint64_t kLinear = 2ull << kSubBits;  // values below 2048 are exact
constexpr int kMaxExponent = 52;                // up to ~2^63 ns
constexpr size_t kBuckets = kLinear + kMaxExponent * (1ull << kSubBits);

int MostSignificantBit(uint64_t v) { return 63 - __builtin_clzll(v); }

}  // namespace

Histogram::Histogram() : counts_(kBuckets, 0) {}

size_t Histogram::IndexOf(uint64_t value) {
  if (value < kLinear) return value;
  int shift = MostSignificantBit(value) - kSubBits;  // >= 1
  uint64_t sub = (value >> shift) - (1ull << kSubBits);
  size_t index = kLinear + (shift - 1) * (1ull << kSubBits) + sub;
  return std::min(index, kBuckets - 1);
}

uint64_t Histogram::HighestEquivalent(size_t index) {
  if (index < kLinear) return index;
  size_t rest = index - kLinear;
  int shift = static_cast<int>(rest >> kSubBits) + 1;
  uint64_t sub = (rest & ((1ull << kSubBits) - 1)) + (1ull << kSubBits);
  return ((sub + 1) << shift) - 1;
}

void Histogram::Record(uint64_t value) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[IndexOf(value)];
  ++total_;
  max_ = std::max(max_, value);
}

void Histogram::Merge(const Histogram& other) {
  std::scoped_lock lock(mu_, other.mu_);
  for (size_t i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  max_ = std::max(max_, other.max_);
}

void Histogram::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  max_ = 0;
}

uint64_t Histogram::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_;
}

uint64_t Histogram::max() const {
  std::lock_guard<std::mutex> lock(mu_);
  return max_;
}

uint64_t Histogram::Percentile(double q) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (total_ == 0) return 0;
  uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * static_cast<double>(total_))));
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::min(HighestEquivalent(i), max_);
  }
  return max_;
}

std::vector<std::pair<uint64_t, uint64_t>> Histogram::Buckets() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (size_t i = 0; i < kBuckets; ++i) {
    if (counts_[i]) out.emplace_back(HighestEquivalent(i), counts_[i]);
  }
  return out;
}

}  // namespace zhongtai::bench
