// Coupons as plain data: templates the operator creates, and the coupons users claim into their wallets.
// Amounts in minor units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

// A coupon's benefit is one of the promotion rule kinds (CouponBenefit), applied in the coupon layer.
enum class CouponType {
  kThresholdReduction,  // 满减: `reduction` off once the scope reaches `threshold`
  kPercentOff,          // 折扣券: percent_off_bp off the scope once it reaches `threshold` (0: always)
  kNoThreshold,         // 无门槛: `reduction` off anything in scope
};

struct CouponTemplate {
  std::string template_id;
  std::string request_id;
  std::string name;
  CouponType type = CouponType::kThresholdReduction;
  std::string currency;
  int64_t threshold = 0;
  int64_t reduction = 0;
  int32_t percent_off_bp = 0;
  PromotionScope scope;
  absl::Time claim_start;
  absl::Time claim_end;  // exclusive
  // Validity of the claimed coupons: the fixed window when valid_days_after_claim is 0, else that many days from
  // the claim.
  absl::Time valid_from;
  absl::Time valid_until;
  int32_t valid_days_after_claim = 0;
  int64_t total_quantity = 0;
  int64_t per_user_limit = 0;
  int64_t claimed_quantity = 0;
  absl::Time created_at;
  std::optional<int64_t> budget_remaining;  // money its coupons may still take off orders; no limit when empty
};

// What is stored; kExpired is also what an available coupon past valid_until reads as (EffectiveStatus).
enum class CouponStatus { kAvailable, kLocked, kUsed, kExpired };

struct Coupon {
  std::string coupon_id;
  std::string template_id;
  std::string user_id;
  std::string claim_request_id;
  CouponStatus status = CouponStatus::kAvailable;
  absl::Time valid_from;
  absl::Time valid_until;  // exclusive
  absl::Time claimed_at;
  std::string order_id;  // set while locked and once used
};

// A coupon with its template, as the wallet shows it.
// The device a claim comes from (the X-Zt-Device-Id header; OWASP API6, coupon farming): claims of one template from
// one device are capped whatever the account. An empty id (the device is unknown) or a limit of 0 caps nothing.
struct ClaimDevice {
  std::string device_id;
  int64_t limit = 0;
};

struct WalletCoupon {
  Coupon coupon;
  CouponTemplate coupon_template;
};

// A coupon brought to a quote: its benefit when it can be used now, else why not.
struct CouponOffer {
  std::optional<Promotion> benefit;
  std::optional<NotApplied> refusal;
};

}  // namespace zhongtai::marketing
