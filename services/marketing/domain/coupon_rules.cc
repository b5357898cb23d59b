#include "services/marketing/domain/coupon_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/marketing/domain/pricing.h"
#include "services/marketing/domain/promotion_rules.h"

namespace zhongtai::marketing {
namespace {

constexpr char kField[] = "couponTemplate.";

absl::Status Invalid(const std::string& field, const char* reason, const char* message) {
  return InvalidArgument(kField + field, reason, message);
}

absl::Status ValidateBenefit(const CouponTemplate& t) {
  switch (t.type) {
    case CouponType::kThresholdReduction:
      if (t.reduction <= 0)
        return Invalid("reduction.amountMinor", "REDUCTION_NOT_POSITIVE", "reduction must be positive");
      if (t.threshold < t.reduction) {
        return Invalid("threshold.amountMinor", "THRESHOLD_BELOW_REDUCTION",
                       "threshold must be at least the reduction");
      }
      if (t.percent_off_bp != 0) return Invalid("percentOffBp", "RULE_INVALID", "a 满减 coupon takes no percentage");
      return absl::OkStatus();
    case CouponType::kPercentOff:
      if (t.percent_off_bp <= 0 || t.percent_off_bp >= kBasisPoints) {
        return Invalid("percentOffBp", "RULE_INVALID", "percent off must be between 1 and 9999 basis points");
      }
      if (t.threshold < 0) return Invalid("threshold.amountMinor", "RULE_INVALID", "threshold must not be negative");
      if (t.reduction != 0)
        return Invalid("reduction.amountMinor", "RULE_INVALID", "a discount coupon takes no reduction");
      return absl::OkStatus();
    case CouponType::kNoThreshold:
      if (t.reduction <= 0)
        return Invalid("reduction.amountMinor", "REDUCTION_NOT_POSITIVE", "reduction must be positive");
      if (t.threshold != 0)
        return Invalid("threshold.amountMinor", "RULE_INVALID", "a no-threshold coupon takes no threshold");
      if (t.percent_off_bp != 0)
        return Invalid("percentOffBp", "RULE_INVALID", "a no-threshold coupon takes no percentage");
      return absl::OkStatus();
  }
  return Invalid("type", "COUPON_TYPE_MISSING", "coupon type is required");
}

}  // namespace

absl::Status ValidateCouponTemplate(const CouponTemplate& t) {
  if (t.name.empty()) return Invalid("name", "NAME_MISSING", "name is required");
  if (t.name.size() > 100) return Invalid("name", "NAME_TOO_LONG", "name is at most 100 bytes");
  if (t.currency.size() != 3) return Invalid("currency", "CURRENCY_INVALID", "currency is a three-letter code");
  RETURN_IF_ERROR(ValidateBenefit(t));
  if (t.claim_end <= t.claim_start) {
    return Invalid("claimEndTime", "END_BEFORE_START", "claim end time must be after the claim start time");
  }
  if (t.valid_days_after_claim < 0 || t.valid_days_after_claim > kMaxValidDays) {
    return Invalid("validDaysAfterClaim", "VALID_DAYS_OUT_OF_RANGE", "days after claim must be between 1 and 3650");
  }
  if (t.valid_days_after_claim == 0) {
    if (t.valid_until <= t.valid_from) {
      return Invalid("validUntil", "VALIDITY_MISSING", "give valid_from before valid_until, or valid_days_after_claim");
    }
    if (t.valid_until <= t.claim_start) {
      return Invalid("validUntil", "END_BEFORE_START", "coupons would expire before they can be claimed");
    }
  } else if (t.valid_from != absl::InfinitePast() || t.valid_until != absl::InfinitePast()) {
    return Invalid("validFrom", "VALIDITY_AMBIGUOUS", "give either a fixed window or days after claim, not both");
  }
  if (t.total_quantity <= 0)
    return Invalid("totalQuantity", "QUANTITY_NOT_POSITIVE", "total quantity must be positive");
  if (t.per_user_limit <= 0) return Invalid("perUserLimit", "QUANTITY_NOT_POSITIVE", "per-user limit must be positive");
  if (t.budget_remaining.has_value() && *t.budget_remaining < 0) {
    return Invalid("budgetRemaining.amountMinor", "RULE_INVALID", "budget must not be negative");
  }
  for (const auto* ids : {&t.scope.category_ids, &t.scope.brand_ids, &t.scope.sku_ids}) {
    if (ids->size() > kMaxIdsPerList) return Invalid("scope", "RULE_INVALID", "at most 1000 ids per scope list");
  }
  return absl::OkStatus();
}

Promotion CouponBenefit(const CouponTemplate& t, const std::string& promotion_id) {
  Promotion p;
  p.promotion_id = promotion_id;
  p.name = t.name;
  p.currency = t.currency;
  p.layer = PromotionLayer::kCoupon;
  p.exclusivity = Exclusivity::kWithinLayer;
  p.scope = t.scope;
  p.budget_remaining = t.budget_remaining;
  p.start_time = absl::InfinitePast();
  p.end_time = absl::InfiniteFuture();
  if (t.type == CouponType::kPercentOff) {
    p.kind = PromotionKind::kThresholdPercent;
    p.threshold = t.threshold;
    p.percent_off_bp = t.percent_off_bp;
  } else {
    // No threshold is the 满减 tier at 0; the rule never takes off more than the scope costs.
    p.kind = PromotionKind::kThresholdReduction;
    p.tiers.push_back({t.type == CouponType::kNoThreshold ? 0 : t.threshold, t.reduction});
  }
  return p;
}

absl::Status CheckClaim(const CouponTemplate& t, int64_t claimed_by_user, absl::Time now) {
  if (now < t.claim_start) return FailedPrecondition("COUPON_CLAIM_NOT_STARTED", "claiming has not started");
  if (now >= t.claim_end) return FailedPrecondition("COUPON_CLAIM_ENDED", "claiming has ended");
  if (t.claimed_quantity >= t.total_quantity) return FailedPrecondition("COUPON_SOLD_OUT", "no coupons are left");
  if (claimed_by_user >= t.per_user_limit) {
    return FailedPrecondition("COUPON_LIMIT_REACHED", "you already hold as many of these coupons as allowed");
  }
  return absl::OkStatus();
}

absl::Status CheckDeviceClaims(const ClaimDevice& device, int64_t claimed_on_device) {
  if (device.device_id.empty() || device.limit <= 0 || claimed_on_device < device.limit) return absl::OkStatus();
  return FailedPrecondition("COUPON_DEVICE_LIMIT_REACHED",
                            absl::StrCat("this device has claimed ", claimed_on_device,
                                         " of these coupons already, the most one device may claim"));
}

absl::Status ValidateDeviceId(const std::string& id) {
  bool valid = id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
                 return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == ':' || c == '-';
               });
  if (valid) return absl::OkStatus();
  return InvalidArgument("X-Zt-Device-Id", "DEVICE_ID_INVALID", "a device id is 1 to 128 of A-Z a-z 0-9 . _ : -");
}

Coupon NewCoupon(const CouponTemplate& t, absl::Time now) {
  Coupon c;
  c.template_id = t.template_id;
  c.status = CouponStatus::kAvailable;
  c.claimed_at = now;
  if (t.valid_days_after_claim > 0) {
    c.valid_from = now;
    c.valid_until = now + absl::Hours(24) * t.valid_days_after_claim;
  } else {
    c.valid_from = t.valid_from;
    c.valid_until = t.valid_until;
  }
  return c;
}

CouponStatus EffectiveStatus(const Coupon& c, absl::Time now) {
  if (c.status == CouponStatus::kAvailable && now >= c.valid_until) return CouponStatus::kExpired;
  return c.status;
}

std::optional<CouponStatus> CouponStatusFromName(const std::string& name) {
  if (name == "available") return CouponStatus::kAvailable;
  if (name == "locked") return CouponStatus::kLocked;
  if (name == "used") return CouponStatus::kUsed;
  if (name == "expired") return CouponStatus::kExpired;
  return std::nullopt;
}

absl::Status CheckUsable(const Coupon& c, const std::string& user_id, absl::Time now) {
  if (c.user_id != user_id || user_id.empty()) return NotFound("COUPON_NOT_FOUND", "no such coupon in your wallet");
  switch (EffectiveStatus(c, now)) {
    case CouponStatus::kLocked: return FailedPrecondition("COUPON_LOCKED", "the coupon is held by an order");
    case CouponStatus::kUsed: return FailedPrecondition("COUPON_USED", "the coupon has been used");
    case CouponStatus::kExpired: return FailedPrecondition("COUPON_EXPIRED", "the coupon has expired");
    case CouponStatus::kAvailable: break;
  }
  if (now < c.valid_from) return FailedPrecondition("COUPON_NOT_YET_VALID", "the coupon is not valid yet");
  return absl::OkStatus();
}

absl::StatusOr<std::optional<Coupon>> LockedCoupon(const Coupon& c, const std::string& order_id,
                                                   const std::string& user_id, absl::Time now) {
  if (c.user_id != user_id) return NotFound("COUPON_NOT_FOUND", "no such coupon in your wallet");
  switch (EffectiveStatus(c, now)) {
    case CouponStatus::kLocked:
      if (c.order_id == order_id) return std::optional<Coupon>();
      return FailedPrecondition("COUPON_LOCKED", "the coupon is held by another order");
    case CouponStatus::kUsed: return FailedPrecondition("COUPON_USED", "the coupon has been used");
    case CouponStatus::kExpired: return FailedPrecondition("COUPON_EXPIRED", "the coupon has expired");
    case CouponStatus::kAvailable: break;
  }
  if (now < c.valid_from) return FailedPrecondition("COUPON_NOT_YET_VALID", "the coupon is not valid yet");
  Coupon locked = c;
  locked.status = CouponStatus::kLocked;
  locked.order_id = order_id;
  return std::optional<Coupon>(std::move(locked));
}

absl::StatusOr<std::optional<Coupon>> RedeemedCoupon(const Coupon& c, const std::string& order_id) {
  if (c.order_id != order_id) return FailedPrecondition("COUPON_NOT_LOCKED", "the order holds no coupon");
  if (c.status == CouponStatus::kUsed) return std::optional<Coupon>();
  if (c.status != CouponStatus::kLocked) return FailedPrecondition("COUPON_NOT_LOCKED", "the order holds no coupon");
  Coupon used = c;
  used.status = CouponStatus::kUsed;
  return std::optional<Coupon>(std::move(used));
}

std::optional<Coupon> ReleasedCoupon(const Coupon& c, const std::string& order_id, absl::Time now) {
  if (c.status != CouponStatus::kLocked || c.order_id != order_id) return std::nullopt;
  Coupon released = c;
  released.order_id.clear();
  released.status = now < c.valid_until ? CouponStatus::kAvailable : CouponStatus::kExpired;
  return released;
}

}  // namespace zhongtai::marketing
