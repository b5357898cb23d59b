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

// The discount a promotion gives on `subtotal` in `currency`: 0 when it does not apply, never more
// than the subtotal. Window and status are the caller's concern (see PromotionStore::ListApplicable).
int64_t DiscountOf(const Promotion& promotion, const std::string& currency, int64_t subtotal);

// Prices validated lines with the best single promotion among `candidates` (largest discount; ties
// to the earlier-created promotion) and spreads its discount over the lines in proportion to their
// subtotals, so that the line shares sum exactly to the discount.
Quote PriceLines(const std::vector<QuoteLineInput>& lines, const std::vector<Promotion>& candidates);

// INVALID_ARGUMENT with the field ("promotion.name", "promotion.endTime", ...).
absl::Status ValidatePromotion(const Promotion& promotion);

}  // namespace zhongtai::marketing
