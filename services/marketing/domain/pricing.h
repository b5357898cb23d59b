// Price quotation: pure rules, no I/O.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

inline constexpr char kDefaultCurrency[] = "CNY";
inline constexpr size_t kMaxTiers = 20;
inline constexpr size_t kMaxIdsPerList = 1000;

// INVALID_ARGUMENT with the field (e.g. "lines[1].quantity") for: no lines, empty sku id,
// non-positive quantity, negative price, mixed currencies, amounts that overflow.
absl::Status ValidateQuoteLines(const std::vector<QuoteLineInput>& lines);
// INVALID_ARGUMENT REGION_CODE_INVALID (shipProvinceCode, shipCityCode) unless each code is empty or 6 digits, and a
// city comes with its province.
absl::Status ValidateShipTo(const ShipTo& ship_to);

// INVALID_ARGUMENT with the field ("promotion.name", "promotion.endTime", "promotion.tieredReduction.tiers[1]
// .reduction.amountMinor", ...): name, window, currency, and the parameters of the promotion's kind.
absl::Status ValidatePromotion(const Promotion& promotion);

}  // namespace zhongtai::marketing
