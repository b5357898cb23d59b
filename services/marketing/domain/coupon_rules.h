// The rules of coupons, pure and testable without a database: what a valid template is, who may claim one,
// which state changes a coupon allows. The stores call them inside their transactions, under row locks, so
// the rule that decides is this code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/marketing/domain/coupon_model.h"

namespace zhongtai::marketing {

inline constexpr int32_t kMaxValidDays = 3650;

// INVALID_ARGUMENT with the field ("couponTemplate.reduction.amountMinor", ...): name, type parameters,
// claim window, validity (fixed window xor days after claim), quantities.
absl::Status ValidateCouponTemplate(const CouponTemplate& coupon_template);

// The promotion that a coupon of this template is worth: its rule kind in the coupon layer, exclusive within it
// (one coupon per order).
Promotion CouponBenefit(const CouponTemplate& coupon_template, const std::string& promotion_id);

// OK when the user may claim one more: FAILED_PRECONDITION COUPON_CLAIM_NOT_STARTED, COUPON_CLAIM_ENDED,
// COUPON_SOLD_OUT (claimed_quantity reached total_quantity), COUPON_LIMIT_REACHED (the user holds per_user_limit).
absl::Status CheckClaim(const CouponTemplate& coupon_template, int64_t claimed_by_user, absl::Time now);

// OK unless the device has claimed device.limit coupons of the template already (over all accounts): then
// FAILED_PRECONDITION COUPON_DEVICE_LIMIT_REACHED. No id or no limit: OK.
absl::Status CheckDeviceClaims(const ClaimDevice& device, int64_t claimed_on_device);

// INVALID_ARGUMENT DEVICE_ID_INVALID (field X-Zt-Device-Id) unless empty or 1 to 128 of A-Z a-z 0-9 . _ : -.
absl::Status ValidateDeviceId(const std::string& device_id);

// The coupon a claim at `now` puts in the wallet (id, user and request id filled by the caller).
Coupon NewCoupon(const CouponTemplate& coupon_template, absl::Time now);

// What the wallet shows: an available coupon whose validity has ended reads as expired.
CouponStatus EffectiveStatus(const Coupon& coupon, absl::Time now);

// "available", "locked", "used", "expired"; nullopt for anything else.
std::optional<CouponStatus> CouponStatusFromName(const std::string& name);

// OK when `user_id` may use the coupon at `now`: the reasons of LockedCoupon, for a coupon no order holds yet.
absl::Status CheckUsable(const Coupon& coupon, const std::string& user_id, absl::Time now);

// Locking `coupon` for `order_id` by `user_id`. nullopt: it is already this order's (an idempotent replay).
// NOT_FOUND COUPON_NOT_FOUND when it is not the user's (as if it did not exist); FAILED_PRECONDITION
// COUPON_LOCKED (another order holds it), COUPON_USED, COUPON_EXPIRED, COUPON_NOT_YET_VALID.
absl::StatusOr<std::optional<Coupon>> LockedCoupon(const Coupon& coupon, const std::string& order_id,
                                                   const std::string& user_id, absl::Time now);

// The coupon once its order is paid: used; nullopt when it already is (a replay). FAILED_PRECONDITION
// COUPON_NOT_LOCKED when it is not held by the order.
absl::StatusOr<std::optional<Coupon>> RedeemedCoupon(const Coupon& coupon, const std::string& order_id);

// The coupon once its order is cancelled: available again while valid, else expired; nullopt when the order
// does not hold it (already released, or never locked).
std::optional<Coupon> ReleasedCoupon(const Coupon& coupon, const std::string& order_id, absl::Time now);

}  // namespace zhongtai::marketing
