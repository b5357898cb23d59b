// Price quotation: pure rules, no I/O.
#pragma once

#include <vector>

#include "absl/status/statusor.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

inline constexpr char kDefaultCurrency[] = "CNY";

// INVALID_ARGUMENT with the field (e.g. "lines[1].quantity") for: no lines, empty sku id,
// non-positive quantity, negative price, mixed currencies, amounts that overflow.
absl::Status ValidateQuoteLines(const std::vector<QuoteLineInput>& lines);

// INVALID_ARGUMENT with the field ("promotion.name", "promotion.endTime", ...).
absl::Status ValidatePromotion(const Promotion& promotion);

}  // namespace zhongtai::marketing
