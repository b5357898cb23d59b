#include "services/marketing/domain/promotion_rules.h"

#include <algorithm>

#include "common/money/apportion.h"

namespace zhongtai::marketing {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool AnyOnPath(const std::vector<std::string>& ids, const std::vector<std::string>& path) {
  for (const std::string& id : path) {
    if (Contains(ids, id)) return true;
  }
  return false;
}

int64_t PercentOf(int64_t amount, int32_t basis_points) {
  return static_cast<int64_t>(static_cast<__int128>(amount) * basis_points / kBasisPoints);
}

// A line's current amount seen as units: amount/quantity each, the remainder one unit of currency each on
// the first units. Unit-based rules (N件M元, bundles, 第N件) price units this way after earlier discounts.
struct UnitBucket {
  size_t line = 0;
  int64_t value = 0;
  int64_t count = 0;
};

void AddUnitBuckets(size_t line, int64_t amount, int64_t quantity, std::vector<UnitBucket>& out) {
  int64_t base = amount / quantity;
  int64_t extra = amount % quantity;
  if (extra > 0) out.push_back({line, base + 1, extra});
  if (quantity - extra > 0) out.push_back({line, base, quantity - extra});
}

// Takes `units` units from `buckets` (already in the order to take them) and returns per line the value taken.
std::vector<int64_t> TakeUnits(const std::vector<UnitBucket>& buckets, int64_t units, size_t line_count) {
  std::vector<int64_t> taken(line_count, 0);
  for (const UnitBucket& bucket : buckets) {
    if (units <= 0) break;
    int64_t n = std::min(units, bucket.count);
    taken[bucket.line] += n * bucket.value;
    units -= n;
  }
  return taken;
}

int64_t Sum(const std::vector<int64_t>& values) {
  int64_t sum = 0;
  for (int64_t v : values) sum += v;
  return sum;
}

// A fixed price for a group of units worth `taken` (per line): the discount is what they are worth above it,
// spread so that each line keeps its share of the price.
void ChargeFixedPrice(const std::vector<int64_t>& taken, int64_t price, RuleEvaluation& out) {
  int64_t worth = Sum(taken);
  if (worth <= price) {
    out.reason = NotAppliedReason::kLessFavorable;
    return;
  }
  std::vector<int64_t> price_shares = money::Apportion(price, taken);
  for (size_t i = 0; i < taken.size(); ++i) out.shares[i] = taken[i] - price_shares[i];
  out.discount = worth - price;
  out.applies = true;
}

void SpreadOverScope(int64_t discount, const std::vector<char>& in_scope, const std::vector<int64_t>& amounts,
                     RuleEvaluation& out) {
  std::vector<int64_t> weights(amounts.size(), 0);
  for (size_t i = 0; i < amounts.size(); ++i) weights[i] = in_scope[i] ? amounts[i] : 0;
  out.shares = money::Apportion(discount, weights);
  out.discount = discount;
  out.applies = discount > 0;
  if (!out.applies) out.reason = NotAppliedReason::kLessFavorable;
}

void EvaluateThresholdReduction(const Promotion& p, int64_t scope_amount, const std::vector<char>& in_scope,
                                const std::vector<int64_t>& amounts, RuleEvaluation& out) {
  std::vector<ReductionTier> tiers = p.tiers;
  if (tiers.empty() && p.every_amount <= 0) tiers.push_back({p.threshold, p.reduction});
  int64_t discount = 0;
  int64_t lowest_threshold = -1;
  for (const ReductionTier& tier : tiers) {
    if (lowest_threshold < 0 || tier.threshold < lowest_threshold) lowest_threshold = tier.threshold;
    if (scope_amount >= tier.threshold) discount = std::max(discount, tier.reduction);
  }
  if (p.every_amount > 0) {
    if (lowest_threshold < 0 || p.every_amount < lowest_threshold) lowest_threshold = p.every_amount;
    int64_t every = static_cast<int64_t>(static_cast<__int128>(scope_amount / p.every_amount) * p.every_reduction);
    if (p.every_cap > 0) every = std::min(every, p.every_cap);
    discount = std::max(discount, every);
  }
  discount = std::min(discount, scope_amount);
  if (discount <= 0) {
    out.reason = NotAppliedReason::kThresholdNotMet;
    out.amount_missing = std::max<int64_t>(0, lowest_threshold - scope_amount);
    return;
  }
  SpreadOverScope(discount, in_scope, amounts, out);
}

void EvaluateThresholdPercent(const Promotion& p, int64_t scope_amount, const std::vector<char>& in_scope,
                              const std::vector<int64_t>& amounts, RuleEvaluation& out) {
  if (scope_amount < p.threshold) {
    out.reason = NotAppliedReason::kThresholdNotMet;
    out.amount_missing = p.threshold - scope_amount;
    return;
  }
  SpreadOverScope(PercentOf(scope_amount, p.percent_off_bp), in_scope, amounts, out);
}

void EvaluateItemDiscount(const Promotion& p, const std::vector<QuoteLineInput>& lines,
                          const std::vector<char>& in_scope, const std::vector<int64_t>& amounts, RuleEvaluation& out) {
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!in_scope[i]) continue;
    int64_t off = PercentOf(amounts[i], p.percent_off_bp);
    if (p.fixed_off_per_unit > 0) {
      int64_t fixed = 0;
      if (__builtin_mul_overflow(p.fixed_off_per_unit, lines[i].quantity, &fixed)) fixed = amounts[i];
      off = std::max(off, fixed);
    }
    out.shares[i] = std::min(off, amounts[i]);
  }
  out.discount = Sum(out.shares);
  out.applies = out.discount > 0;
  if (!out.applies) out.reason = NotAppliedReason::kLessFavorable;
}

void EvaluateQuantityPrice(const Promotion& p, const std::vector<QuoteLineInput>& lines,
                           const std::vector<char>& in_scope, const std::vector<int64_t>& amounts, int64_t scope_units,
                           RuleEvaluation& out) {
  if (p.group_quantity <= 0) return;
  int64_t groups = scope_units / p.group_quantity;
  if (groups == 0) {
    out.reason = NotAppliedReason::kQuantityNotMet;
    out.quantity_missing = p.group_quantity - scope_units;
    return;
  }
  std::vector<UnitBucket> buckets;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (in_scope[i]) AddUnitBuckets(i, amounts[i], lines[i].quantity, buckets);
  }
  // The customer's best grouping puts the dearest units in the groups.
  std::stable_sort(buckets.begin(), buckets.end(),
                   [](const UnitBucket& a, const UnitBucket& b) { return a.value > b.value; });
  int64_t price = 0;
  if (__builtin_mul_overflow(groups, p.group_price, &price)) return;
  ChargeFixedPrice(TakeUnits(buckets, groups * p.group_quantity, lines.size()), price, out);
}

// 第N件X折 counts per line (the same SKU): floor(quantity / N) of its units, the cheaper ones, get the discount.
void EvaluateNthItem(const Promotion& p, const std::vector<QuoteLineInput>& lines, const std::vector<char>& in_scope,
                     const std::vector<int64_t>& amounts, RuleEvaluation& out) {
  if (p.nth <= 0) return;
  int64_t most_units = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!in_scope[i]) continue;
    most_units = std::max(most_units, lines[i].quantity);
    int64_t discounted_units = lines[i].quantity / p.nth;
    if (discounted_units == 0) continue;
    std::vector<UnitBucket> buckets;
    AddUnitBuckets(i, amounts[i], lines[i].quantity, buckets);
    std::reverse(buckets.begin(), buckets.end());  // cheapest first
    int64_t taken = TakeUnits(buckets, discounted_units, lines.size())[i];
    out.shares[i] = PercentOf(taken, p.percent_off_bp);
  }
  out.discount = Sum(out.shares);
  out.applies = out.discount > 0;
  if (most_units < p.nth) {
    out.reason = NotAppliedReason::kQuantityNotMet;
    out.quantity_missing = p.nth - most_units;
  } else if (!out.applies) {
    out.reason = NotAppliedReason::kLessFavorable;
  }
}

void EvaluateBundle(const Promotion& p, const std::vector<QuoteLineInput>& lines, const std::vector<int64_t>& amounts,
                    RuleEvaluation& out) {
  if (p.bundle_sku_ids.empty()) return;
  int64_t sets = -1;
  for (const std::string& sku : p.bundle_sku_ids) {
    int64_t units = 0;
    for (const QuoteLineInput& line : lines) {
      if (line.sku_id == sku) units += line.quantity;
    }
    if (units == 0) out.missing_sku_ids.push_back(sku);
    sets = sets < 0 ? units : std::min(sets, units);
  }
  if (sets <= 0) {
    out.reason = NotAppliedReason::kBundleIncomplete;
    return;
  }
  std::vector<int64_t> taken(lines.size(), 0);
  for (const std::string& sku : p.bundle_sku_ids) {
    std::vector<UnitBucket> buckets;
    for (size_t i = 0; i < lines.size(); ++i) {
      if (lines[i].sku_id == sku) AddUnitBuckets(i, amounts[i], lines[i].quantity, buckets);
    }
    std::stable_sort(buckets.begin(), buckets.end(),
                     [](const UnitBucket& a, const UnitBucket& b) { return a.value > b.value; });
    std::vector<int64_t> of_sku = TakeUnits(buckets, sets, lines.size());
    for (size_t i = 0; i < lines.size(); ++i) taken[i] += of_sku[i];
  }
  int64_t price = 0;
  if (__builtin_mul_overflow(sets, p.bundle_price, &price)) return;
  ChargeFixedPrice(taken, price, out);
}

void EvaluateGift(const Promotion& p, int64_t scope_amount, int64_t scope_units, RuleEvaluation& out) {
  if (scope_amount < p.threshold) {
    out.reason = NotAppliedReason::kThresholdNotMet;
    out.amount_missing = p.threshold - scope_amount;
  } else if (scope_units < p.min_quantity) {
    out.reason = NotAppliedReason::kQuantityNotMet;
    out.quantity_missing = p.min_quantity - scope_units;
  } else {
    out.applies = !p.gift_sku_id.empty() && p.gift_quantity > 0;
  }
}

}  // namespace

bool InScope(const PromotionScope& scope, const QuoteLineInput& line) {
  if (Contains(scope.excluded_sku_ids, line.sku_id)) return false;
  if (!line.brand_id.empty() && Contains(scope.excluded_brand_ids, line.brand_id)) return false;
  if (AnyOnPath(scope.excluded_category_ids, line.category_path)) return false;
  if (scope.all_products) return true;
  return Contains(scope.sku_ids, line.sku_id) || (!line.brand_id.empty() && Contains(scope.brand_ids, line.brand_id)) ||
         AnyOnPath(scope.category_ids, line.category_path);
}

bool IsEligible(const Eligibility& eligibility, const Shopper& shopper) {
  if (eligibility.new_customers_only && !shopper.new_customer) return false;
  if (!eligibility.member_tiers.empty() && !Contains(eligibility.member_tiers, shopper.member_tier)) return false;
  if (!eligibility.channels.empty() && !Contains(eligibility.channels, shopper.channel)) return false;
  if (!eligibility.user_tags.empty()) {
    bool tagged = std::any_of(shopper.tags.begin(), shopper.tags.end(),
                              [&](const std::string& tag) { return Contains(eligibility.user_tags, tag); });
    if (!tagged) return false;
  }
  return true;
}

RuleEvaluation EvaluateRule(const Promotion& promotion, const std::vector<QuoteLineInput>& lines,
                            const std::vector<char>& in_scope, const std::vector<int64_t>& amounts) {
  RuleEvaluation out;
  out.shares.assign(lines.size(), 0);
  int64_t scope_amount = 0;
  int64_t scope_units = 0;
  bool any_in_scope = false;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (!in_scope[i]) continue;
    any_in_scope = true;
    scope_amount += amounts[i];
    scope_units += lines[i].quantity;
  }
  if (!any_in_scope && promotion.kind != PromotionKind::kBundle) {
    out.reason = NotAppliedReason::kNoItemsInScope;
    return out;
  }
  switch (promotion.kind) {
    case PromotionKind::kThresholdReduction:
      EvaluateThresholdReduction(promotion, scope_amount, in_scope, amounts, out);
      break;
    case PromotionKind::kThresholdPercent:
      EvaluateThresholdPercent(promotion, scope_amount, in_scope, amounts, out);
      break;
    case PromotionKind::kItemDiscount: EvaluateItemDiscount(promotion, lines, in_scope, amounts, out); break;
    case PromotionKind::kQuantityPrice:
      EvaluateQuantityPrice(promotion, lines, in_scope, amounts, scope_units, out);
      break;
    case PromotionKind::kNthItemDiscount: EvaluateNthItem(promotion, lines, in_scope, amounts, out); break;
    case PromotionKind::kBundle: EvaluateBundle(promotion, lines, amounts, out); break;
    case PromotionKind::kGift: EvaluateGift(promotion, scope_amount, scope_units, out); break;
  }
  if (!out.applies) {
    out.discount = 0;
    std::fill(out.shares.begin(), out.shares.end(), 0);
  }
  return out;
}

}  // namespace zhongtai::marketing
