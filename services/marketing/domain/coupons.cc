#include "services/marketing/domain/coupons.h"

#include <utility>

#include "common/log/log.h"
#include "common/status/status.h"
#include "services/marketing/domain/coupon_rules.h"

namespace zhongtai::marketing {
namespace {

absl::Status CheckRequestId(const std::string& request_id) {
  if (request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  if (request_id.size() > 200) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is too long");
  return absl::OkStatus();
}

absl::Status CheckOrderId(const std::string& order_id) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CouponTemplate> Coupons::CreateTemplate(CouponTemplate t, const std::string& request_id) {
  RETURN_IF_ERROR(CheckRequestId(request_id));
  RETURN_IF_ERROR(ValidateCouponTemplate(t));
  t.template_id = ids_.NewCouponTemplateId();
  t.request_id = request_id;
  t.claimed_quantity = 0;
  t.created_at = clock_.Now();
  ASSIGN_OR_RETURN(CouponStore::CreateTemplateResult result, store_.CreateTemplate(t));
  if (result.created) log::Info("coupon template created", {{"template_id", result.coupon_template.template_id}});
  return std::move(result.coupon_template);
}

absl::StatusOr<std::vector<CouponTemplate>> Coupons::ListClaimable() { return store_.ListClaimable(clock_.Now()); }

absl::StatusOr<WalletCoupon> Coupons::Claim(const std::string& user_id, const std::string& template_id,
                                            const std::string& request_id, const std::string& device_id) {
  if (template_id.empty()) return InvalidArgument("templateId", "TEMPLATE_ID_MISSING", "template id is required");
  RETURN_IF_ERROR(CheckRequestId(request_id));
  RETURN_IF_ERROR(ValidateDeviceId(device_id));
  if (device_id.empty() && claims_.requires_device) {
    return InvalidArgument("X-Zt-Device-Id", "DEVICE_ID_REQUIRED", "claiming a coupon needs the app's device id");
  }
  ASSIGN_OR_RETURN(CouponStore::ClaimResult result,
                   store_.Claim(template_id, user_id, request_id, ids_.NewCouponId(), clock_.Now(),
                                ClaimDevice{device_id, claims_.claims_per_device}));
  if (result.created) {
    log::Info("coupon claimed", {{"coupon_id", result.coupon.coupon.coupon_id}, {"template_id", template_id}});
  }
  return std::move(result.coupon);
}

absl::StatusOr<std::vector<WalletCoupon>> Coupons::Wallet(const std::string& user_id, const std::string& status_name) {
  std::optional<CouponStatus> status;
  if (!status_name.empty()) {
    status = CouponStatusFromName(status_name);
    if (!status) {
      return InvalidArgument("status", "COUPON_STATUS_INVALID", "status is one of available, locked, used, expired");
    }
  }
  return store_.ListWallet(user_id, status, clock_.Now());
}

absl::StatusOr<WalletCoupon> Coupons::Lock(const std::string& user_id, const std::string& order_id,
                                           const std::string& coupon_id) {
  RETURN_IF_ERROR(CheckOrderId(order_id));
  if (coupon_id.empty()) return InvalidArgument("couponId", "COUPON_ID_MISSING", "coupon id is required");
  return store_.Lock(coupon_id, order_id, user_id, clock_.Now());
}

absl::StatusOr<WalletCoupon> Coupons::Redeem(const std::string& order_id) {
  RETURN_IF_ERROR(CheckOrderId(order_id));
  return store_.Redeem(order_id, clock_.Now());
}

absl::StatusOr<std::optional<WalletCoupon>> Coupons::Release(const std::string& order_id) {
  RETURN_IF_ERROR(CheckOrderId(order_id));
  return store_.Release(order_id, clock_.Now());
}

absl::StatusOr<CouponOffer> Coupons::OfferForQuote(const std::string& user_id, const std::string& coupon_id) {
  CouponOffer offer;
  ASSIGN_OR_RETURN(std::optional<WalletCoupon> found, store_.Get(coupon_id));
  absl::Status usable = found ? CheckUsable(found->coupon, user_id, clock_.Now())
                              : NotFound("COUPON_NOT_FOUND", "no such coupon in your wallet");
  if (!usable.ok()) {
    NotApplied refusal;
    refusal.promotion_id = coupon_id;
    if (found) refusal.name = found->coupon_template.name;
    refusal.reason = NotAppliedReason::kCouponUnusable;
    refusal.coupon_reason = ReasonOf(usable);
    offer.refusal = std::move(refusal);
    return offer;
  }
  Promotion benefit = CouponBenefit(found->coupon_template, coupon_id);
  benefit.start_time = found->coupon.valid_from;
  benefit.end_time = found->coupon.valid_until;
  offer.benefit = std::move(benefit);
  return offer;
}

}  // namespace zhongtai::marketing
