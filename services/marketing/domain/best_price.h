// The best price of a cart: the combination of promotions with the lowest payable total, its discounts
// spread over the lines, and why every other promotion did not apply. Pure rules, no I/O.
#pragma once

#include <vector>

#include "absl/time/time.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

// The order promotions are applied in: by layer (item, order, coupon), then priority (higher first), then id.
// Each applies to the line amounts the ones before it left.
bool AppliesBefore(const Promotion& a, const Promotion& b);

// Lines must be valid (ValidateQuoteLines). Among every combination of the promotions that are active at `now`,
// in the shopper's reach, in the quote's currency and within budget, and that respects exclusivity, finds the
// lowest total exactly (branch and bound; the first, greedy, leaf is the initial upper bound). Ties go to the
// combination that includes the promotion earliest in AppliesBefore order, so the answer is deterministic.
// Every promotion given is explained when it does not apply, except one not live at `now` (paused, not started,
// ended) whose scope reaches none of the lines.
Quote QuoteBestPrice(const std::vector<QuoteLineInput>& lines, const std::vector<Promotion>& promotions,
                     const Shopper& shopper, absl::Time now);

}  // namespace zhongtai::marketing
