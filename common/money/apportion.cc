#include "common/money/apportion.h"

#include <algorithm>
#include <numeric>

namespace zhongtai::money {

std::vector<int64_t> Apportion(int64_t total, const std::vector<int64_t>& weights) {
  std::vector<int64_t> parts(weights.size(), 0);
  if (weights.empty()) return parts;

  // Sums and products in 128 bits: total * weight overflows int64 for realistic fen amounts
  // times large weights, and many int64 weights can overflow their own sum.
  __int128 sum = 0;
  for (int64_t w : weights) sum += w > 0 ? w : 0;
  if (sum == 0) {
    parts[0] = total;
    return parts;
  }

  std::vector<__int128> remainders(weights.size(), 0);
  __int128 given = 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    __int128 w = weights[i] > 0 ? weights[i] : 0;
    __int128 product = static_cast<__int128>(total) * w;
    parts[i] = static_cast<int64_t>(product / sum);
    remainders[i] = product % sum;
    given += parts[i];
  }

  // Leftover is < number of parts with a non-zero remainder; hand them out by largest remainder,
  // ties to the earlier part (stable sort keeps index order among equals).
  std::vector<size_t> order(weights.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return remainders[a] > remainders[b]; });
  int64_t leftover = static_cast<int64_t>(static_cast<__int128>(total) - given);
  for (size_t k = 0; leftover > 0 && k < order.size(); ++k, --leftover) ++parts[order[k]];
  return parts;
}

}  // namespace zhongtai::money
