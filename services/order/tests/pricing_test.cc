// The order center's own price rules without a database or another service: coupon, points and shipping.
#include "services/order/domain/pricing.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"

namespace zhongtai::order {
namespace {

Quote TwoLines(int64_t discount_a, int64_t discount_b) {
  Quote quote;
  quote.lines.push_back({"a", 2, 1000, 2000, discount_a, 2000 - discount_a, 1000, "list", 0});
  quote.lines.push_back({"b", 1, 999, 999, discount_b, 999 - discount_b, 999, "list", 0});
  quote.subtotal = 2999;
  quote.discount = discount_a + discount_b;
  quote.total = quote.subtotal - quote.discount;
  return quote;
}

TEST_CASE("points pay at most the balance and the configured share of the goods, 1 point per fen") {
  CHECK(MaxPointsUsable(2999, 100000, 50) == 1499);
  CHECK(MaxPointsUsable(2999, 700, 50) == 700);
  CHECK(MaxPointsUsable(0, 700, 50) == 0);
  CHECK(CheckPoints(0, 2999, 0, 50).ok());
  CHECK(CheckPoints(1499, 2999, 100000, 50).ok());
  absl::Status over_share = CheckPoints(1500, 2999, 100000, 50);
  CHECK(ReasonOf(over_share) == "POINTS_OVER_REDEEM_LIMIT");
  CHECK(FieldOf(over_share) == "pointsToUse");
  absl::Status over_balance = CheckPoints(701, 2999, 700, 50);
  CHECK(ReasonOf(over_balance) == "INSUFFICIENT_POINTS");
  CHECK(over_balance.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(CheckPoints(-1, 2999, 700, 50).code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("shipping is the flat fee unless the tier ships free from its threshold") {
  PricingRules rules;
  rules.shipping_fee = 1000;
  Member normal;
  CHECK(ShippingFee(1000000, normal, rules) == 1000);  // no threshold: never free
  Member gold;
  gold.free_shipping_threshold = 9900;
  CHECK(ShippingFee(9899, gold, rules) == 1000);
  CHECK(ShippingFee(9900, gold, rules) == 0);
}

TEST_CASE("shipping costs the carrier rule's fee when it sets one, and the tier's free shipping still applies") {
  PricingRules rules;
  rules.shipping_fee = 1000;
  Member normal;
  CHECK(ShippingFee(5000, normal, rules, 1800) == 1800);
  CHECK(ShippingFee(5000, normal, rules, 0) == 0);  // a rule that ships free
  CHECK(ShippingFee(5000, normal, rules, std::nullopt) == 1000);
  Member gold;
  gold.free_shipping_threshold = 9900;
  CHECK(ShippingFee(9900, gold, rules, 3000) == 0);
  CHECK(ShippingFee(9899, gold, rules, 3000) == 3000);

  Member member;
  auto price = PriceCheckout(TwoLines(150, 50), member, 0, rules, 2500);
  REQUIRE(price.ok());
  CHECK(price->shipping_fee == 2500);
  CHECK(price->total == 2799 + 2500);
  CHECK(GoodsAfterDiscounts(TwoLines(150, 50)) == 2799);
}

TEST_CASE("the checkout price applies points over the lines and shipping on the goods after discounts") {
  PricingRules rules;
  Member member;
  member.points_balance = 10000;
  member.free_shipping_threshold = 2800;
  auto price = PriceCheckout(TwoLines(150, 50), member, 1001, rules);
  REQUIRE(price.ok());
  CHECK(price->goods == 2799);
  CHECK(price->shipping_fee == 1000);  // 2799 is below 2800
  CHECK(price->points_deduction == 1001);
  CHECK(price->lines[0].points_deduction + price->lines[1].points_deduction == 1001);
  CHECK(price->total == 2799 + 1000 - 1001);
  CHECK(price->max_points == 1399);

  auto free = PriceCheckout(TwoLines(150, 49), member, 0, rules);
  REQUIRE(free.ok());
  CHECK(free->shipping_fee == 0);
  CHECK(free->total == 2800);
}

TEST_CASE("a coupon asked for must apply: its own reason when unusable, else COUPON_NOT_APPLICABLE") {
  Quote quote = TwoLines(0, 0);
  CHECK(CheckCouponApplied(quote, "").ok());
  quote.not_applied.push_back({"c1", "", "COUPON_UNUSABLE", 0, 0, "COUPON_EXPIRED"});
  quote.not_applied.push_back({"c2", "", "THRESHOLD_NOT_MET", 1000, 0, ""});
  quote.applied.push_back({"c3", "", 100});
  absl::Status expired = CheckCouponApplied(quote, "c1");
  CHECK(ReasonOf(expired) == "COUPON_EXPIRED");
  CHECK(FieldOf(expired) == "couponId");
  CHECK(ReasonOf(CheckCouponApplied(quote, "c2")) == "COUPON_NOT_APPLICABLE");
  CHECK(CheckCouponApplied(quote, "c3").ok());
  CHECK(ReasonOf(CheckCouponApplied(quote, "c4")) == "COUPON_NOT_APPLICABLE");
}

}  // namespace
}  // namespace zhongtai::order
