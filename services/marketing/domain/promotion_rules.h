// What one promotion is worth on a cart: scope, eligibility and the discount of each promotion kind.
// Pure rules, no I/O. Every discount here is a non-decreasing function of the line amounts, which the
// best-price search relies on for its bounds.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

inline constexpr int32_t kBasisPoints = 10000;

bool InScope(const PromotionScope& scope, const QuoteLineInput& line);
bool IsEligible(const Eligibility& eligibility, const Shopper& shopper);

struct RuleEvaluation {
  bool applies = false;
  int64_t discount = 0;         // sum of shares
  std::vector<int64_t> shares;  // per line, each at most the line's amount
  // When it does not apply:
  NotAppliedReason reason = NotAppliedReason::kThresholdNotMet;
  int64_t amount_missing = 0;
  int64_t quantity_missing = 0;
  std::vector<std::string> missing_sku_ids;
};

// `amounts[i]` is what line i costs now (its subtotal less earlier discounts); `in_scope[i]` whether the
// promotion's scope covers it. A gift applies with discount 0; every other kind applies only with a
// positive discount.
RuleEvaluation EvaluateRule(const Promotion& promotion, const std::vector<QuoteLineInput>& lines,
                            const std::vector<char>& in_scope, const std::vector<int64_t>& amounts);

}  // namespace zhongtai::marketing
