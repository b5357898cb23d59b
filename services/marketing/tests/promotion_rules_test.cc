#include "services/marketing/domain/promotion_rules.h"

#include <catch2/catch.hpp>
#include <numeric>

#include "common/status/status.h"
#include "services/marketing/domain/pricing.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

using testing::Active;
using testing::Item;
using testing::Tiered;

std::vector<int64_t> Subtotals(const std::vector<QuoteLineInput>& lines) {
  std::vector<int64_t> out;
  for (const auto& line : lines) out.push_back(line.unit_price * line.quantity);
  return out;
}

RuleEvaluation Evaluate(const Promotion& p, const std::vector<QuoteLineInput>& lines) {
  std::vector<char> in_scope;
  for (const auto& line : lines) in_scope.push_back(InScope(p.scope, line));
  RuleEvaluation eval = EvaluateRule(p, lines, in_scope, Subtotals(lines));
  CHECK(std::accumulate(eval.shares.begin(), eval.shares.end(), int64_t{0}) == eval.discount);
  return eval;
}

}  // namespace

TEST_CASE("满减 takes the highest tier reached and says how much is missing for the first") {
  Promotion p = Tiered("tiers", {{30000, 4000}, {50000, 8000}});
  CHECK(Evaluate(p, {Item("a", 35000, 1)}).discount == 4000);
  CHECK(Evaluate(p, {Item("a", 26000, 2)}).discount == 8000);
  RuleEvaluation below = Evaluate(p, {Item("a", 26900, 1)});
  CHECK_FALSE(below.applies);
  CHECK(below.reason == NotAppliedReason::kThresholdNotMet);
  CHECK(below.amount_missing == 3100);  // "add ¥31.00 more"
}

TEST_CASE("每满 repeats the reduction for every step reached, up to its cap") {
  Promotion p = Active("every", PromotionKind::kThresholdReduction, PromotionLayer::kOrder);
  p.every_amount = 10000;
  p.every_reduction = 1000;
  p.every_cap = 3000;
  CHECK(Evaluate(p, {Item("a", 25000, 1)}).discount == 2000);
  CHECK(Evaluate(p, {Item("a", 99900, 1)}).discount == 3000);
  RuleEvaluation below = Evaluate(p, {Item("a", 9000, 1)});
  CHECK_FALSE(below.applies);
  CHECK(below.amount_missing == 1000);
}

TEST_CASE("满折 takes a percentage off the scope once the threshold is reached") {
  Promotion p = Active("pct", PromotionKind::kThresholdPercent, PromotionLayer::kOrder);
  p.threshold = 20000;
  p.percent_off_bp = 1000;
  RuleEvaluation met = Evaluate(p, {Item("a", 15000, 1), Item("b", 10000, 1)});
  CHECK(met.discount == 2500);
  CHECK(met.shares == std::vector<int64_t>{1500, 1000});
  RuleEvaluation below = Evaluate(p, {Item("a", 15000, 1)});
  CHECK(below.amount_missing == 5000);
}

TEST_CASE("item discounts cover a category subtree and brands, minus exclusions") {
  Promotion p = testing::PercentOffItems("phones", 2000);
  p.scope.all_products = false;
  p.scope.category_ids = {"c_digital"};
  p.scope.brand_ids = {"b_acme"};
  p.scope.excluded_sku_ids = {"sku_excluded"};
  std::vector<QuoteLineInput> lines = {Item("sku_phone", 10000, 1, {"c_digital", "c_phones"}),
                                       Item("sku_shirt", 5000, 1, {"c_clothes"}),
                                       Item("sku_acme_shirt", 5000, 1, {"c_clothes"}, "b_acme"),
                                       Item("sku_excluded", 10000, 1, {"c_digital", "c_phones"})};
  RuleEvaluation eval = Evaluate(p, lines);
  CHECK(eval.shares == std::vector<int64_t>{2000, 0, 1000, 0});

  p.scope.excluded_category_ids = {"c_phones"};
  CHECK(Evaluate(p, lines).shares == std::vector<int64_t>{0, 0, 1000, 0});

  p.scope.brand_ids.clear();
  RuleEvaluation none = Evaluate(p, lines);
  CHECK_FALSE(none.applies);
  CHECK(none.reason == NotAppliedReason::kNoItemsInScope);
}

TEST_CASE("a fixed amount off each unit never takes a line below zero") {
  Promotion p = Active("fixed", PromotionKind::kItemDiscount, PromotionLayer::kItem);
  p.fixed_off_per_unit = 500;
  CHECK(Evaluate(p, {Item("a", 2000, 3), Item("b", 300, 3)}).shares == std::vector<int64_t>{1500, 900});
}

TEST_CASE("N件M元 groups the dearest units and charges the group price") {
  Promotion p = Active("3for269", PromotionKind::kQuantityPrice, PromotionLayer::kItem);
  p.group_quantity = 3;
  p.group_price = 26900;
  RuleEvaluation mixed =
      Evaluate(p, {Item("a", 12000, 1), Item("b", 10000, 1), Item("c", 9000, 1), Item("d", 5000, 1)});
  CHECK(mixed.discount == 31000 - 26900);
  CHECK(mixed.shares[3] == 0);  // the fourth, cheapest unit is not in the group
  CHECK(Evaluate(p, {Item("a", 10000, 7)}).discount == 2 * (30000 - 26900));

  RuleEvaluation short_one = Evaluate(p, {Item("a", 10000, 2)});
  CHECK_FALSE(short_one.applies);
  CHECK(short_one.reason == NotAppliedReason::kQuantityNotMet);
  CHECK(short_one.quantity_missing == 1);

  RuleEvaluation cheap = Evaluate(p, {Item("a", 8000, 3)});  // 240 < 269: no saving
  CHECK_FALSE(cheap.applies);
}

TEST_CASE("第N件X折 discounts every nth unit of a line") {
  Promotion p = Active("2nd-half", PromotionKind::kNthItemDiscount, PromotionLayer::kItem);
  p.nth = 2;
  p.percent_off_bp = 5000;
  CHECK(Evaluate(p, {Item("a", 10000, 3), Item("b", 4000, 2)}).shares == std::vector<int64_t>{5000, 2000});
  RuleEvaluation single = Evaluate(p, {Item("a", 10000, 1)});
  CHECK_FALSE(single.applies);
  CHECK(single.quantity_missing == 1);
}

TEST_CASE("a bundle charges its price for each complete set and names the SKUs missing") {
  Promotion p = Active("set", PromotionKind::kBundle, PromotionLayer::kItem);
  p.bundle_sku_ids = {"a", "b"};
  p.bundle_price = 15000;
  RuleEvaluation one_set = Evaluate(p, {Item("a", 10000, 2), Item("b", 8000, 1), Item("c", 100, 1)});
  CHECK(one_set.discount == 3000);
  CHECK(one_set.shares[2] == 0);
  // Each line keeps its part of the set price: a pays 15000*10000/18000, b the rest.
  CHECK(one_set.shares[0] == 10000 - 8333);
  CHECK(one_set.shares[1] == 8000 - 6667);

  RuleEvaluation incomplete = Evaluate(p, {Item("a", 10000, 2)});
  CHECK(incomplete.reason == NotAppliedReason::kBundleIncomplete);
  CHECK(incomplete.missing_sku_ids == std::vector<std::string>{"b"});
}

TEST_CASE("a gift applies on the amount or the quantity in scope, with no discount") {
  Promotion p = Active("gift", PromotionKind::kGift, PromotionLayer::kOrder);
  p.threshold = 20000;
  p.min_quantity = 2;
  p.gift_sku_id = "sku_gift";
  p.gift_quantity = 1;
  RuleEvaluation met = Evaluate(p, {Item("a", 10000, 2)});
  CHECK(met.applies);
  CHECK(met.discount == 0);
  CHECK(Evaluate(p, {Item("a", 10000, 1)}).amount_missing == 10000);
  RuleEvaluation one_unit = Evaluate(p, {Item("a", 20000, 1)});
  CHECK(one_unit.reason == NotAppliedReason::kQuantityNotMet);
  CHECK(one_unit.quantity_missing == 1);
}

TEST_CASE("eligibility checks tier, tags, new customers and channel") {
  Eligibility e;
  CHECK(IsEligible(e, Shopper{}));
  e.member_tiers = {"gold", "platinum"};
  e.user_tags = {"student", "vip"};
  e.new_customers_only = true;
  e.channels = {"app"};
  Shopper shopper{"gold", {"vip"}, true, "app"};
  CHECK(IsEligible(e, shopper));
  Shopper silver = shopper;
  silver.member_tier = "silver";
  CHECK_FALSE(IsEligible(e, silver));
  Shopper untagged = shopper;
  untagged.tags = {"other"};
  CHECK_FALSE(IsEligible(e, untagged));
  Shopper returning = shopper;
  returning.new_customer = false;
  CHECK_FALSE(IsEligible(e, returning));
  Shopper web = shopper;
  web.channel = "web";
  CHECK_FALSE(IsEligible(e, web));
}

}  // namespace zhongtai::marketing

namespace zhongtai::marketing {

TEST_CASE("each kind's rule is validated with the field") {
  auto valid = [](PromotionKind kind) {
    Promotion p = testing::Active("p", kind, PromotionLayer::kOrder);
    p.tiers = {{30000, 4000}, {50000, 8000}};
    p.percent_off_bp = 2000;
    p.group_quantity = 3;
    p.group_price = 26900;
    p.nth = 2;
    p.bundle_sku_ids = {"a", "b"};
    p.gift_sku_id = "g";
    p.gift_quantity = 1;
    return p;
  };
  for (PromotionKind kind :
       {PromotionKind::kThresholdReduction, PromotionKind::kThresholdPercent, PromotionKind::kItemDiscount,
        PromotionKind::kQuantityPrice, PromotionKind::kNthItemDiscount, PromotionKind::kBundle, PromotionKind::kGift}) {
    INFO(static_cast<int>(kind));
    CHECK(ValidatePromotion(valid(kind)).ok());
  }
  auto field_of = [](const Promotion& p) {
    absl::Status status = ValidatePromotion(p);
    CHECK(ReasonOf(status) == "RULE_INVALID");
    return FieldOf(status);
  };
  Promotion every = valid(PromotionKind::kThresholdReduction);
  every.tiers.clear();
  every.every_amount = 10000;
  every.every_reduction = 20000;
  CHECK(field_of(every) == "promotion.tieredReduction.everyReduction.amountMinor");
  Promotion descending = valid(PromotionKind::kThresholdReduction);
  descending.tiers = {{50000, 8000}, {30000, 4000}};
  CHECK(field_of(descending) == "promotion.tieredReduction.tiers[1].threshold.amountMinor");
  Promotion nothing_off = valid(PromotionKind::kItemDiscount);
  nothing_off.percent_off_bp = 0;
  CHECK(field_of(nothing_off) == "promotion.itemDiscount.percentOffBp");
  Promotion one_for = valid(PromotionKind::kQuantityPrice);
  one_for.group_quantity = 1;
  CHECK(field_of(one_for) == "promotion.quantityPrice.quantity");
  Promotion no_gift = valid(PromotionKind::kGift);
  no_gift.gift_sku_id.clear();
  CHECK(field_of(no_gift) == "promotion.gift.skuId");
  Promotion empty_scope = valid(PromotionKind::kThresholdPercent);
  empty_scope.scope.all_products = false;
  CHECK(field_of(empty_scope) == "promotion.scope");
  Promotion blank_id = valid(PromotionKind::kThresholdPercent);
  blank_id.scope.excluded_sku_ids = {"x", ""};
  CHECK(field_of(blank_id) == "promotion.scope.excludedSkuIds[1]");
}

}  // namespace zhongtai::marketing
