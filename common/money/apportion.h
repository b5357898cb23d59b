// Spreading an amount over weighted parts so that the parts sum exactly to the amount.
#pragma once

#include <cstdint>
#include <vector>

namespace zhongtai::money {

// Splits `total` (minor units, >= 0) over parts in proportion to `weights` (each >= 0) by the largest
// remainder method: each part gets floor(total * w / sum), and the units left over go one each to the
// parts with the largest remainders (ties to the earlier part). The result sums exactly to `total`.
// When all weights are zero, everything goes to the first part. Empty weights give an empty result.
std::vector<int64_t> Apportion(int64_t total, const std::vector<int64_t>& weights);

}  // namespace zhongtai::money
