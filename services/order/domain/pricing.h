// The checkout's price rules that are the order center's own: the coupon the buyer asked for must apply, points
// (1 point pays 1 fen, so 100 points = 1 CNY) pay at most the buyer's balance and a configured share of the goods,
// and shipping costs the fee of the carrier rule the parcel would go by (the shop's flat fee when the rule sets none or
// no rule is known) unless the buyer's tier ships free from a threshold. Pure functions: the
// placement saga and the checkout quote both price through them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/order/domain/order.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

struct PricingRules {
  int64_t shipping_fee = 1000;        // per order, fen
  int points_max_share_percent = 50;  // of the goods after discounts
};

// An order's amounts once marketing quoted it and the buyer's points and the shipping fee are applied.
struct CheckoutPrice {
  std::vector<OrderLine> lines;  // the quote's lines with each one's share of the points
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t goods = 0;  // subtotal - discount
  int64_t shipping_fee = 0;
  int64_t points_used = 0;
  int64_t points_deduction = 0;
  int64_t max_points = 0;  // the most points this buyer could use on these goods
  int64_t total = 0;       // goods + shipping_fee - points_deduction
};

// OK when no coupon was asked for or the quote applied it; else why not, naming couponId: the coupon's own reason
// (COUPON_NOT_FOUND, COUPON_USED, COUPON_LOCKED, COUPON_EXPIRED, COUPON_NOT_YET_VALID) or COUPON_NOT_APPLICABLE.
absl::Status CheckCouponApplied(const Quote& quote, const std::string& coupon_id);

// min(balance, share of the goods); never negative.
int64_t MaxPointsUsable(int64_t goods, int64_t balance, int max_share_percent);

// INVALID_ARGUMENT POINTS_NEGATIVE, FAILED_PRECONDITION INSUFFICIENT_POINTS or POINTS_OVER_REDEEM_LIMIT (field
// pointsToUse) when the buyer cannot use `points` on these goods.
absl::Status CheckPoints(int64_t points, int64_t goods, int64_t balance, int max_share_percent);

// The goods' worth after discounts (the sum of the quote's lines): what free shipping and the carrier rules look at.
int64_t GoodsAfterDiscounts(const Quote& quote);

// The carrier rule's fee (`carrier_fee`), else the flat fee; 0 when the member's tier ships free and the goods reach
// its threshold.
int64_t ShippingFee(int64_t goods, const Member& member, const PricingRules& rules,
                    std::optional<int64_t> carrier_fee = std::nullopt);

// Applies points and shipping to the quote. Each line's share of the points is split by the line's total (largest
// remainder), so the shares sum exactly to the deduction.
absl::StatusOr<CheckoutPrice> PriceCheckout(const Quote& quote, const Member& member, int64_t points_to_use,
                                            const PricingRules& rules,
                                            std::optional<int64_t> carrier_fee = std::nullopt);

}  // namespace zhongtai::order
