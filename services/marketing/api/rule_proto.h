// proto <-> domain for the parts of a promotion beyond its name and window (rule, scope, eligibility, layer,
// exclusivity, priority, budget) and for the quote's explanation (per-line shares, gifts, promotions left out).
#pragma once

#include "absl/status/status.h"
#include "services/marketing/domain/model.h"
#include "zhongtai/marketing/v1/marketing.pb.h"

namespace zhongtai::marketing {

// Fills `out`'s kind, rule parameters, currency (the promotion's, else its rule's money's, else CNY), scope,
// eligibility, layer, exclusivity, priority and budget. INVALID_ARGUMENT with the field: no rule
// (RULE_MISSING), amounts in different currencies (CURRENCY_MISMATCH). Ranges are the domain's to check.
absl::Status RuleFromProto(const v1::Promotion& in, Promotion& out);
void RuleToProto(const Promotion& promotion, v1::Promotion* out);

void ExplanationToProto(const Quote& quote, v1::QuotePriceResponse* out);

}  // namespace zhongtai::marketing
