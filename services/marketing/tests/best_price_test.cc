#include "services/marketing/domain/best_price.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "services/marketing/domain/promotion_rules.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

using testing::Active;
using testing::Item;
using testing::kQuoteTime;
using testing::PercentOffItems;
using testing::Tiered;

Quote Best(const std::vector<QuoteLineInput>& lines, const std::vector<Promotion>& promotions,
           const Shopper& shopper = Shopper{}) {
  return QuoteBestPrice(lines, promotions, shopper, kQuoteTime);
}

std::vector<std::string> AppliedIds(const Quote& quote) {
  std::vector<std::string> ids;
  for (const auto& a : quote.applied) ids.push_back(a.promotion_id);
  return ids;
}

const NotApplied* WhyNot(const Quote& quote, const std::string& id) {
  for (const auto& n : quote.not_applied) {
    if (n.promotion_id == id) return &n;
  }
  return nullptr;
}

// Every discount is spread exactly: per promotion the line shares sum to its discount, per line to its discount.
void RequireSharesAddUp(const Quote& quote) {
  std::map<std::string, int64_t> by_promotion;
  int64_t total_discount = 0;
  for (const auto& line : quote.lines) {
    int64_t sum = 0;
    for (const auto& share : line.shares) {
      REQUIRE(share.amount > 0);
      sum += share.amount;
      by_promotion[share.promotion_id] += share.amount;
    }
    REQUIRE(sum == line.discount);
    REQUIRE(line.total == line.subtotal - line.discount);
    REQUIRE(line.total >= 0);
    total_discount += line.discount;
  }
  REQUIRE(total_discount == quote.discount);
  for (const auto& applied : quote.applied) REQUIRE(by_promotion[applied.promotion_id] == applied.discount);
  REQUIRE(quote.total == quote.subtotal - quote.discount);
}

// Every subset of the promotions, applied in AppliesBefore order: the lowest total, ties to the subset that
// includes the earliest promotion. Returns the ids of the winner.
std::pair<int64_t, std::vector<std::string>> BruteForce(const std::vector<QuoteLineInput>& lines,
                                                        std::vector<Promotion> promotions) {
  std::sort(promotions.begin(), promotions.end(), AppliesBefore);
  const size_t n = promotions.size();
  int64_t subtotal = 0;
  std::vector<int64_t> list_amounts;
  for (const auto& line : lines) {
    list_amounts.push_back(line.unit_price * line.quantity);
    subtotal += list_amounts.back();
  }
  int64_t best_total = -1;
  std::vector<char> best_mask;
  for (uint32_t bits = 0; bits < (1u << n); ++bits) {
    std::vector<char> mask(n);
    for (size_t k = 0; k < n; ++k) mask[k] = (bits >> (n - 1 - k)) & 1;
    bool valid = true;
    for (size_t a = 0; a < n && valid; ++a) {
      for (size_t b = 0; b < n && valid; ++b) {
        if (a == b || !mask[a] || !mask[b]) continue;
        const Promotion& pa = promotions[a];
        const Promotion& pb = promotions[b];
        if (pa.exclusivity == Exclusivity::kAll) valid = false;
        if (pa.exclusivity == Exclusivity::kWithinLayer && pa.layer == pb.layer) valid = false;
      }
    }
    std::vector<int64_t> amounts = list_amounts;
    int64_t total = subtotal;
    for (size_t k = 0; k < n && valid; ++k) {
      if (!mask[k]) continue;
      std::vector<char> in_scope;
      for (const auto& line : lines) in_scope.push_back(InScope(promotions[k].scope, line));
      RuleEvaluation eval = EvaluateRule(promotions[k], lines, in_scope, amounts);
      if (!eval.applies ||
          (promotions[k].budget_remaining.has_value() && eval.discount > *promotions[k].budget_remaining)) {
        valid = false;
        break;
      }
      for (size_t i = 0; i < amounts.size(); ++i) amounts[i] -= eval.shares[i];
      total -= eval.discount;
    }
    if (!valid) continue;
    if (best_total < 0 || total < best_total || (total == best_total && mask > best_mask)) {
      best_total = total;
      best_mask = mask;
    }
  }
  std::vector<std::string> ids;
  for (size_t k = 0; k < n; ++k) {
    if (best_mask[k]) ids.push_back(promotions[k].promotion_id);
  }
  return {best_total, ids};
}

Promotion RandomPromotion(std::mt19937& rng, int index) {
  auto pick = [&](int n) { return static_cast<int>(rng() % n); };
  const PromotionKind kinds[] = {PromotionKind::kThresholdReduction,
                                 PromotionKind::kThresholdPercent,
                                 PromotionKind::kItemDiscount,
                                 PromotionKind::kQuantityPrice,
                                 PromotionKind::kNthItemDiscount,
                                 PromotionKind::kBundle,
                                 PromotionKind::kGift};
  const Exclusivity exclusivities[] = {Exclusivity::kNone, Exclusivity::kNone, Exclusivity::kWithinLayer,
                                       Exclusivity::kAll};
  Promotion p = Active("pr_" + std::to_string(100 + index), kinds[pick(7)], static_cast<PromotionLayer>(pick(3)),
                       exclusivities[pick(4)]);
  p.priority = pick(3);
  p.tiers = {{1000 * (1 + pick(30)), 100 * (1 + pick(20))}, {1000 * (31 + pick(30)), 100 * (21 + pick(40))}};
  if (pick(3) == 0) {
    p.every_amount = 1000 * (1 + pick(10));
    p.every_reduction = 50 * (1 + pick(10));
    p.every_cap = pick(2) * 2000;
  }
  p.threshold = 1000 * pick(40);
  p.percent_off_bp = 500 * (1 + pick(8));
  p.fixed_off_per_unit = pick(2) * 100 * (1 + pick(10));
  p.group_quantity = 2 + pick(3);
  p.group_price = 1000 * (1 + pick(20));
  p.nth = 2 + pick(2);
  p.bundle_sku_ids = {"s" + std::to_string(pick(4)), "s" + std::to_string(4 + pick(4))};
  p.bundle_price = 1000 * (1 + pick(15));
  p.gift_sku_id = "gift";
  p.gift_quantity = 1;
  if (pick(3) == 0) {
    p.scope.all_products = false;
    p.scope.category_ids = {"c" + std::to_string(pick(3))};
  }
  if (pick(6) == 0) p.budget_remaining = 100 * pick(30);
  return p;
}

std::vector<QuoteLineInput> RandomCart(std::mt19937& rng) {
  std::vector<QuoteLineInput> lines;
  int n = 1 + static_cast<int>(rng() % 5);
  for (int i = 0; i < n; ++i) {
    lines.push_back(Item("s" + std::to_string(rng() % 8), 100 * (1 + static_cast<int64_t>(rng() % 120)),
                         1 + static_cast<int64_t>(rng() % 4), {"c" + std::to_string(rng() % 3)}));
  }
  return lines;
}

}  // namespace

TEST_CASE("item promotions apply first and order thresholds look at what they left") {
  // 10% off takes 33000 to 29700, below 满300: 满减 alone (29000) beats the item discount alone (29700).
  Promotion item = PercentOffItems("pr_item", 1000);
  Promotion order = Tiered("pr_order", {{30000, 4000}});
  Quote quote = Best({Item("a", 33000, 1)}, {order, item});
  CHECK(quote.total == 29000);
  CHECK(AppliedIds(quote) == std::vector<std::string>{"pr_order"});
  const NotApplied* why = WhyNot(quote, "pr_item");
  REQUIRE(why != nullptr);
  CHECK(why->reason == NotAppliedReason::kLessFavorable);

  // With more in the cart both apply, the order threshold on the amount after 10% off.
  Quote both = Best({Item("a", 40000, 1)}, {order, item});
  CHECK(AppliedIds(both) == std::vector<std::string>{"pr_item", "pr_order"});
  CHECK(both.total == 40000 - 4000 - 4000);
  RequireSharesAddUp(both);
}

TEST_CASE("a promotion that does not combine with member price skips member-priced lines and says why") {
  // 10% off, not with member price. Line a is at its member price (8000), line b at list (5000).
  Promotion item = PercentOffItems("pr_item", 1000);
  item.combines_with_member_price = false;
  QuoteLineInput member = Item("a", 8000, 2);
  member.member_price = true;
  QuoteLineInput list = Item("b", 5000, 1);
  Quote mixed = Best({member, list}, {item});
  // Only b gets 10% off: 16000 + 5000 - 500.
  CHECK(mixed.total == 20500);
  CHECK(mixed.discount == 500);
  REQUIRE(mixed.lines.size() == 2);
  CHECK(mixed.lines[0].discount == 0);
  CHECK(mixed.lines[1].discount == 500);
  CHECK(AppliedIds(mixed) == std::vector<std::string>{"pr_item"});
  RequireSharesAddUp(mixed);

  // Every line in scope member-priced: it does not apply, and the quote says why.
  Quote only_member = Best({member}, {item});
  CHECK(only_member.total == 16000);
  CHECK(only_member.discount == 0);
  const NotApplied* why = WhyNot(only_member, "pr_item");
  REQUIRE(why != nullptr);
  CHECK(why->reason == NotAppliedReason::kNotWithMemberPrice);

  // An order threshold counts only what is not member-priced: 满200减30 over 16000 member + 5000 list misses.
  Promotion order = Tiered("pr_order", {{20000, 3000}});
  order.combines_with_member_price = false;
  Quote short_of = Best({member, list}, {order});
  CHECK(short_of.total == 21000);
  const NotApplied* missed = WhyNot(short_of, "pr_order");
  REQUIRE(missed != nullptr);
  CHECK(missed->reason == NotAppliedReason::kNotWithMemberPrice);

  // By default a promotion combines: both lines get 10% off (1600 + 500).
  Promotion combines = PercentOffItems("pr_item", 1000);
  Quote stacked = Best({member, list}, {combines});
  CHECK(stacked.total == 21000 - 2100);
  // And the same order threshold reached by the member-priced line applies when it combines.
  Promotion order_combines = Tiered("pr_order", {{20000, 3000}});
  CHECK(Best({member, list}, {order_combines}).total == 21000 - 3000);
}

TEST_CASE("within-layer exclusives keep one per layer, other layers still stack") {
  Promotion small = Tiered("pr_small", {{10000, 1000}}, Exclusivity::kWithinLayer);
  Promotion large = Tiered("pr_large", {{30000, 4000}}, Exclusivity::kWithinLayer);
  Promotion item = PercentOffItems("pr_item", 500);
  Quote quote = Best({Item("a", 50000, 1)}, {small, large, item});
  CHECK(AppliedIds(quote) == std::vector<std::string>{"pr_item", "pr_large"});
  CHECK(quote.total == 50000 - 2500 - 4000);
  const NotApplied* why = WhyNot(quote, "pr_small");
  REQUIRE(why != nullptr);
  CHECK(why->reason == NotAppliedReason::kExcluded);
  CHECK(why->by_promotion_id == "pr_large");
}

TEST_CASE("an exclusive-of-all promotion wins only when it beats the whole stack") {
  Promotion item = PercentOffItems("pr_item", 1000);
  Promotion order = Tiered("pr_order", {{20000, 3000}});
  Promotion alone = Active("pr_alone", PromotionKind::kThresholdPercent, PromotionLayer::kOrder, Exclusivity::kAll);
  alone.percent_off_bp = 2000;
  Quote stack_wins = Best({Item("a", 30000, 1)}, {item, order, alone});  // 30000-3000-3000 < 30000-6000? equal
  CHECK(stack_wins.total == 24000);
  // On a tie the combination with the earliest promotion (item layer first) wins, deterministically.
  CHECK(AppliedIds(stack_wins) == std::vector<std::string>{"pr_item", "pr_order"});
  CHECK(WhyNot(stack_wins, "pr_alone")->reason == NotAppliedReason::kExcluded);

  alone.percent_off_bp = 3000;
  Quote alone_wins = Best({Item("a", 30000, 1)}, {item, order, alone});
  CHECK(AppliedIds(alone_wins) == std::vector<std::string>{"pr_alone"});
  CHECK(alone_wins.total == 21000);
  CHECK(WhyNot(alone_wins, "pr_item")->by_promotion_id == "pr_alone");
}

TEST_CASE("ties go to the higher priority, then to the lower id") {
  Promotion a = Tiered("pr_a", {{10000, 1000}}, Exclusivity::kWithinLayer);
  Promotion b = Tiered("pr_b", {{10000, 1000}}, Exclusivity::kWithinLayer);
  CHECK(AppliedIds(Best({Item("x", 20000, 1)}, {b, a})) == std::vector<std::string>{"pr_a"});
  b.priority = 5;
  CHECK(AppliedIds(Best({Item("x", 20000, 1)}, {a, b})) == std::vector<std::string>{"pr_b"});
}

TEST_CASE("the quote explains each promotion that did not apply, with what is missing") {
  Promotion near = Tiered("pr_near", {{30000, 4000}});
  Promotion future = Tiered("pr_future", {{100, 10}});
  future.start_time = kQuoteTime + absl::Minutes(5);
  Promotion ended = Tiered("pr_ended", {{100, 10}});
  ended.end_time = kQuoteTime;
  Promotion gold = Tiered("pr_gold", {{100, 10}});
  gold.eligibility.member_tiers = {"gold"};
  Promotion spent = Tiered("pr_spent", {{100, 10}});
  spent.budget_remaining = 0;
  Promotion short_budget = Tiered("pr_short", {{100, 5000}});
  short_budget.budget_remaining = 4999;
  Promotion bundle = Active("pr_bundle", PromotionKind::kBundle, PromotionLayer::kItem);
  bundle.bundle_sku_ids = {"a", "b"};
  bundle.bundle_price = 100;

  Quote quote = Best({Item("a", 26900, 1)}, {near, future, ended, gold, spent, short_budget, bundle});
  CHECK(quote.applied.empty());
  CHECK(quote.total == 26900);
  CHECK(WhyNot(quote, "pr_near")->reason == NotAppliedReason::kThresholdNotMet);
  CHECK(WhyNot(quote, "pr_near")->amount_missing == 3100);
  CHECK(WhyNot(quote, "pr_future")->reason == NotAppliedReason::kNotStarted);
  CHECK(WhyNot(quote, "pr_ended")->reason == NotAppliedReason::kEnded);
  CHECK(WhyNot(quote, "pr_gold")->reason == NotAppliedReason::kNotEligible);
  CHECK(WhyNot(quote, "pr_spent")->reason == NotAppliedReason::kBudgetSpent);
  CHECK(WhyNot(quote, "pr_short")->reason == NotAppliedReason::kBudgetSpent);
  CHECK(WhyNot(quote, "pr_bundle")->missing_sku_ids == std::vector<std::string>{"b"});
  CHECK(quote.not_applied.size() == 7);

  Quote gold_member = Best({Item("a", 26900, 1)}, {gold}, Shopper{"gold", {}, false, ""});
  CHECK(AppliedIds(gold_member) == std::vector<std::string>{"pr_gold"});
}

TEST_CASE("a gift promotion lists the gift as a line at price 0") {
  Promotion gift = Active("pr_gift", PromotionKind::kGift, PromotionLayer::kOrder);
  gift.threshold = 10000;
  gift.gift_sku_id = "sku_gift";
  gift.gift_quantity = 2;
  Quote quote = Best({Item("a", 12000, 1)}, {gift, Tiered("pr_order", {{10000, 1000}})});
  REQUIRE(quote.lines.size() == 2);
  CHECK(quote.lines[1].sku_id == "sku_gift");
  CHECK(quote.lines[1].gift);
  CHECK(quote.lines[1].gift_promotion_id == "pr_gift");
  CHECK(quote.lines[1].quantity == 2);
  CHECK(quote.lines[1].total == 0);
  CHECK(quote.total == 11000);
}

TEST_CASE("each line keeps its share of each promotion, and the shares sum to each discount") {
  Promotion item = PercentOffItems("pr_item", 333);
  Promotion order = Tiered("pr_order", {{100, 1001}});
  Quote quote = Best({Item("a", 3333, 1), Item("b", 3333, 1), Item("c", 3334, 2)}, {item, order});
  REQUIRE(quote.applied.size() == 2);
  RequireSharesAddUp(quote);
  for (const auto& line : quote.lines) CHECK(line.shares.size() == 2);
}

TEST_CASE("the search finds the same best price as trying every combination") {
  std::mt19937 rng(20261203);
  int stacked = 0;
  int excluded = 0;
  for (int round = 0; round < 400; ++round) {
    std::vector<QuoteLineInput> lines = RandomCart(rng);
    std::vector<Promotion> promotions;
    int n = 1 + static_cast<int>(rng() % 9);
    for (int i = 0; i < n; ++i) promotions.push_back(RandomPromotion(rng, i));
    auto [expected_total, expected_ids] = BruteForce(lines, promotions);
    Quote quote = Best(lines, promotions);
    INFO("round " << round);
    REQUIRE(quote.total == expected_total);
    REQUIRE(AppliedIds(quote) == expected_ids);
    RequireSharesAddUp(quote);
    // The same answer whatever order the promotions come in.
    std::shuffle(promotions.begin(), promotions.end(), rng);
    Quote again = Best(lines, promotions);
    REQUIRE(AppliedIds(again) == expected_ids);
    REQUIRE(quote.not_applied.size() + quote.applied.size() == promotions.size());
    stacked += quote.applied.size() >= 2;
    excluded += std::any_of(quote.not_applied.begin(), quote.not_applied.end(),
                            [](const NotApplied& n) { return n.reason == NotAppliedReason::kExcluded; });
  }
  // The random carts exercise stacking and exclusion, not only single promotions.
  CHECK(stacked > 80);
  CHECK(excluded > 80);
}

}  // namespace zhongtai::marketing
