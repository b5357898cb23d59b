// The coupon lifecycle rules without a database: when a reminder is due, what a refund gives back.
#include "services/marketing/domain/coupon_lifecycle.h"

#include <catch2/catch.hpp>

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

Coupon Available(absl::Duration left) {
  Coupon c;
  c.coupon_id = "cp_1";
  c.status = CouponStatus::kAvailable;
  c.valid_from = kNow - absl::Hours(24);
  c.valid_until = kNow + left;
  return c;
}

}  // namespace

TEST_CASE("an available coupon is reminded once, within the lead time before it expires") {
  const absl::Duration lead = absl::Hours(72);
  CHECK(DueForExpiryReminder(Available(absl::Hours(72)), false, kNow, lead));
  CHECK(DueForExpiryReminder(Available(absl::Seconds(1)), false, kNow, lead));
  CHECK_FALSE(DueForExpiryReminder(Available(absl::Hours(72) + absl::Seconds(1)), false, kNow, lead));
  CHECK_FALSE(DueForExpiryReminder(Available(absl::ZeroDuration()), false, kNow, lead));  // already expired
  CHECK_FALSE(DueForExpiryReminder(Available(absl::Hours(1)), true, kNow, lead));
  Coupon locked = Available(absl::Hours(1));
  locked.status = CouponStatus::kLocked;
  CHECK_FALSE(DueForExpiryReminder(locked, false, kNow, lead));
}

TEST_CASE("a fully refunded order's coupon goes back to the wallet while it is valid") {
  Coupon used = Available(absl::Hours(5));
  used.status = CouponStatus::kUsed;
  used.order_id = "o1";
  auto back = ReturnedCoupon(used, "o1", kNow);
  REQUIRE(back.has_value());
  CHECK(back->status == CouponStatus::kAvailable);
  CHECK(back->order_id.empty());
  CHECK_FALSE(ReturnedCoupon(used, "o2", kNow).has_value());
  CHECK_FALSE(ReturnedCoupon(used, "o1", kNow + absl::Hours(5)).has_value());
  CHECK_FALSE(ReturnedCoupon(*back, "o1", kNow).has_value());  // a redelivery changes nothing
}

}  // namespace zhongtai::marketing
