// The cost price of a SKU: what one unit costs the shop. Admin only; the margin the product matrix ranks by.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

// OK for no cost; otherwise INVALID_ARGUMENT on `field`: COST_CURRENCY_MISMATCH (not the price's currency),
// PRICE_NEGATIVE.
absl::Status ValidateCostPrice(const std::optional<Money>& cost, const Money& price, const std::string& field);

// Gross margin (price - cost) / price in basis points (10000 = 100%), rounded towards zero; negative when the SKU
// sells below cost. nullopt without a cost or for a free SKU.
std::optional<int64_t> MarginBasisPoints(const Money& price, const std::optional<Money>& cost);

// A SKU's shipping weight: 0 (not weighed) to one tonne. The order center adds up a parcel's weight for its carrier
// rules, so an absurd value would send every parcel with it by the heavy-goods carrier.
inline constexpr int64_t kMaxSkuWeightGrams = 1'000'000;
// INVALID_ARGUMENT SKU_WEIGHT_INVALID on `field`.
absl::Status ValidateSkuWeight(int64_t weight_grams, const std::string& field);

}  // namespace zhongtai::product
