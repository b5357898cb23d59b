#include "services/order/domain/pricing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/money/apportion.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

// Marketing's reason why the buyer cannot use the coupon now, as this service's error on couponId.
absl::Status CouponUnusable(const std::string& coupon_reason) {
  if (coupon_reason == "COUPON_NOT_FOUND") {
    return Error(absl::StatusCode::kNotFound, "COUPON_NOT_FOUND", "the buyer has no such coupon", "couponId");
  }
  if (coupon_reason == "COUPON_USED") {
    return Error(absl::StatusCode::kFailedPrecondition, "COUPON_USED", "the coupon was used", "couponId");
  }
  if (coupon_reason == "COUPON_LOCKED") {
    return Error(absl::StatusCode::kFailedPrecondition, "COUPON_LOCKED", "another order holds the coupon", "couponId");
  }
  if (coupon_reason == "COUPON_EXPIRED") {
    return Error(absl::StatusCode::kFailedPrecondition, "COUPON_EXPIRED", "the coupon expired", "couponId");
  }
  if (coupon_reason == "COUPON_NOT_YET_VALID") {
    return Error(absl::StatusCode::kFailedPrecondition, "COUPON_NOT_YET_VALID", "the coupon is not valid yet",
                 "couponId");
  }
  return Error(absl::StatusCode::kFailedPrecondition, "COUPON_NOT_APPLICABLE", "the coupon cannot be used now",
               "couponId");
}

}  // namespace

absl::Status CheckCouponApplied(const Quote& quote, const std::string& coupon_id) {
  if (coupon_id.empty()) return absl::OkStatus();
  for (const PromotionApplied& applied : quote.applied) {
    if (applied.promotion_id == coupon_id) return absl::OkStatus();
  }
  for (const PromotionNotApplied& missed : quote.not_applied) {
    if (missed.promotion_id != coupon_id) continue;
    if (missed.reason == "COUPON_UNUSABLE") return CouponUnusable(missed.coupon_reason);
    return Error(absl::StatusCode::kFailedPrecondition, "COUPON_NOT_APPLICABLE",
                 absl::StrCat("the coupon does not apply to these lines (", missed.reason, ")"), "couponId");
  }
  return Error(absl::StatusCode::kFailedPrecondition, "COUPON_NOT_APPLICABLE",
               "the coupon does not apply to these lines", "couponId");
}

int64_t MaxPointsUsable(int64_t goods, int64_t balance, int max_share_percent) {
  int64_t by_share = std::max<int64_t>(goods, 0) * max_share_percent / 100;
  return std::max<int64_t>(0, std::min(balance, by_share));
}

absl::Status CheckPoints(int64_t points, int64_t goods, int64_t balance, int max_share_percent) {
  if (points < 0) return InvalidArgument("pointsToUse", "POINTS_NEGATIVE", "points to use must not be negative");
  if (points == 0) return absl::OkStatus();
  if (points > balance) {
    return Error(absl::StatusCode::kFailedPrecondition, "INSUFFICIENT_POINTS",
                 absl::StrCat("the points balance is ", balance), "pointsToUse");
  }
  int64_t limit = MaxPointsUsable(goods, balance, max_share_percent);
  if (points > limit) {
    return Error(absl::StatusCode::kFailedPrecondition, "POINTS_OVER_REDEEM_LIMIT",
                 absl::StrCat("points may pay at most ", max_share_percent, "% of the goods: at most ", limit,
                              " points on this order"),
                 "pointsToUse");
  }
  return absl::OkStatus();
}

int64_t GoodsAfterDiscounts(const Quote& quote) {
  int64_t goods = 0;
  for (const OrderLine& line : quote.lines) goods += line.subtotal - line.discount;
  return goods;
}

int64_t ShippingFee(int64_t goods, const Member& member, const PricingRules& rules,
                    std::optional<int64_t> carrier_fee) {
  if (member.free_shipping_threshold.has_value() && goods >= *member.free_shipping_threshold) return 0;
  return carrier_fee.value_or(rules.shipping_fee);
}

absl::StatusOr<CheckoutPrice> PriceCheckout(const Quote& quote, const Member& member, int64_t points_to_use,
                                            const PricingRules& rules, std::optional<int64_t> carrier_fee) {
  CheckoutPrice price;
  price.lines = quote.lines;
  // Gifts follow the bought lines at price 0: they add nothing to the amounts and take no points.
  for (const GiftLine& gift : quote.gifts) {
    OrderLine line;
    line.sku_id = gift.sku_id;
    line.quantity = gift.quantity;
    line.price_rule = "gift";
    line.gift_promotion_id = gift.promotion_id;
    price.lines.push_back(std::move(line));
  }
  for (const OrderLine& line : price.lines) {
    price.subtotal += line.subtotal;
    price.discount += line.discount;
  }
  price.goods = price.subtotal - price.discount;
  price.max_points = MaxPointsUsable(price.goods, member.points_balance, rules.points_max_share_percent);
  if (absl::Status points =
          CheckPoints(points_to_use, price.goods, member.points_balance, rules.points_max_share_percent);
      !points.ok()) {
    return points;
  }
  price.points_used = points_to_use;
  price.points_deduction = points_to_use;  // 1 point pays 1 fen
  std::vector<int64_t> weights;
  for (const OrderLine& line : price.lines) weights.push_back(line.total);
  std::vector<int64_t> shares = money::Apportion(price.points_deduction, weights);
  for (size_t i = 0; i < price.lines.size(); ++i) price.lines[i].points_deduction = shares[i];
  price.shipping_fee = ShippingFee(price.goods, member, rules, carrier_fee);
  price.total = price.goods + price.shipping_fee - price.points_deduction;
  return price;
}

}  // namespace zhongtai::order
