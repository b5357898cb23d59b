// The coupon use cases: templates (admin), claiming and the wallet (customers), and the order's lock, redeem
// and release (internal).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/coupon_model.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

// Coupon farming (OWASP API6): many accounts on one device claiming one template.
struct ClaimSettings {
  int64_t claims_per_device = 0;  // claims of one template from one device, over all accounts; 0: no cap
  bool requires_device = false;   // a claim without a device id is refused (DEVICE_ID_REQUIRED)
};

class Coupons {
 public:
  Coupons(CouponStore& store, Clock& clock, IdGenerator& ids, ClaimSettings claims = {})
      : store_(store), clock_(clock), ids_(ids), claims_(claims) {}

  // Idempotent on request_id (required). INVALID_ARGUMENT with the field for bad input.
  absl::StatusOr<CouponTemplate> CreateTemplate(CouponTemplate coupon_template, const std::string& request_id);
  absl::StatusOr<std::vector<CouponTemplate>> ListClaimable();
  // Idempotent per user on request_id (required): a replay returns the coupon the first call claimed. `device_id`
  // (the X-Zt-Device-Id header; empty when not sent) counts against the per-device cap: FAILED_PRECONDITION
  // COUPON_DEVICE_LIMIT_REACHED once the device has claimed claims_per_device of the template, whatever the account;
  // INVALID_ARGUMENT DEVICE_ID_INVALID for a malformed id, DEVICE_ID_REQUIRED without one when required.
  absl::StatusOr<WalletCoupon> Claim(const std::string& user_id, const std::string& template_id,
                                     const std::string& request_id, const std::string& device_id = "");
  // status_name: "available", "locked", "used", "expired" or empty for all.
  absl::StatusOr<std::vector<WalletCoupon>> Wallet(const std::string& user_id, const std::string& status_name);
  absl::StatusOr<WalletCoupon> Lock(const std::string& user_id, const std::string& order_id,
                                    const std::string& coupon_id);
  absl::StatusOr<WalletCoupon> Redeem(const std::string& order_id);
  absl::StatusOr<std::optional<WalletCoupon>> Release(const std::string& order_id);
  // The coupon's benefit for a quote by `user_id` (valid over the coupon's validity), or why it cannot be used.
  absl::StatusOr<CouponOffer> OfferForQuote(const std::string& user_id, const std::string& coupon_id);

 private:
  CouponStore& store_;
  Clock& clock_;
  IdGenerator& ids_;
  ClaimSettings claims_;
};

}  // namespace zhongtai::marketing
