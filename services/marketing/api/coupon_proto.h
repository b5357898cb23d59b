// proto <-> domain for coupon templates and wallet coupons.
#pragma once

#include "absl/status/statusor.h"
#include "services/marketing/domain/coupon_model.h"
#include "zhongtai/marketing/v1/coupons.pb.h"

namespace zhongtai::marketing {

// INVALID_ARGUMENT with the field for what the proto allows but the domain cannot hold (missing or
// out-of-range times, amounts in different currencies). Ranges are the domain's to check.
absl::StatusOr<CouponTemplate> CouponTemplateFromProto(const v1::CouponTemplate& in);
void CouponTemplateToProto(const CouponTemplate& coupon_template, v1::CouponTemplate* out);
void WalletCouponToProto(const WalletCoupon& coupon, v1::Coupon* out);

}  // namespace zhongtai::marketing
