#include "services/marketing/api/coupon_proto.h"

#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/marketing/domain/pricing.h"

namespace zhongtai::marketing {
namespace {

using proto::FromTimestamp;
using proto::IsValidTimestamp;
using proto::SetMoney;
using proto::ToTimestamp;

constexpr char kField[] = "couponTemplate.";

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& in) {
  return {in.begin(), in.end()};
}

void SetStrings(const std::vector<std::string>& in, google::protobuf::RepeatedPtrField<std::string>* out) {
  for (const std::string& s : in) *out->Add() = s;
}

absl::Status ReadTime(const v1::CouponTemplate& in, bool present, const google::protobuf::Timestamp& ts,
                      const std::string& field, absl::Time& out) {
  if (!present) return InvalidArgument(kField + field, "TIME_MISSING", field + " is required");
  if (!IsValidTimestamp(ts)) return InvalidArgument(kField + field, "TIME_INVALID", field + " is out of range");
  out = FromTimestamp(ts);
  return absl::OkStatus();
}

absl::Status ReadMoney(const type::v1::Money& money, const std::string& field, std::string& currency, int64_t& out) {
  if (!money.currency().empty()) {
    if (currency.empty()) currency = money.currency();
    if (money.currency() != currency) {
      return InvalidArgument(kField + field + ".currency", "CURRENCY_MISMATCH", "all amounts must use one currency");
    }
  }
  out = money.amount_minor();
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CouponTemplate> CouponTemplateFromProto(const v1::CouponTemplate& in) {
  CouponTemplate t;
  t.name = in.name();
  switch (in.type()) {
    case v1::COUPON_TYPE_THRESHOLD_REDUCTION: t.type = CouponType::kThresholdReduction; break;
    case v1::COUPON_TYPE_PERCENT_OFF: t.type = CouponType::kPercentOff; break;
    case v1::COUPON_TYPE_NO_THRESHOLD: t.type = CouponType::kNoThreshold; break;
    default: return InvalidArgument(std::string(kField) + "type", "COUPON_TYPE_MISSING", "coupon type is required");
  }
  RETURN_IF_ERROR(ReadMoney(in.threshold(), "threshold", t.currency, t.threshold));
  RETURN_IF_ERROR(ReadMoney(in.reduction(), "reduction", t.currency, t.reduction));
  if (t.currency.empty()) t.currency = kDefaultCurrency;
  t.percent_off_bp = in.percent_off_bp();
  if (in.has_scope()) {
    const v1::PromotionScope& s = in.scope();
    t.scope.all_products = s.all_products();
    t.scope.category_ids = Strings(s.category_ids());
    t.scope.brand_ids = Strings(s.brand_ids());
    t.scope.sku_ids = Strings(s.sku_ids());
    t.scope.excluded_category_ids = Strings(s.excluded_category_ids());
    t.scope.excluded_brand_ids = Strings(s.excluded_brand_ids());
    t.scope.excluded_sku_ids = Strings(s.excluded_sku_ids());
  }
  RETURN_IF_ERROR(ReadTime(in, in.has_claim_start_time(), in.claim_start_time(), "claimStartTime", t.claim_start));
  RETURN_IF_ERROR(ReadTime(in, in.has_claim_end_time(), in.claim_end_time(), "claimEndTime", t.claim_end));
  t.valid_days_after_claim = in.valid_days_after_claim();
  t.valid_from = absl::InfinitePast();
  t.valid_until = absl::InfinitePast();
  if (in.has_valid_from() || in.has_valid_until() || t.valid_days_after_claim == 0) {
    if (t.valid_days_after_claim != 0) {
      return InvalidArgument(std::string(kField) + "validFrom", "VALIDITY_AMBIGUOUS",
                             "give either a fixed window or days after claim, not both");
    }
    RETURN_IF_ERROR(ReadTime(in, in.has_valid_from(), in.valid_from(), "validFrom", t.valid_from));
    RETURN_IF_ERROR(ReadTime(in, in.has_valid_until(), in.valid_until(), "validUntil", t.valid_until));
  }
  t.total_quantity = in.total_quantity();
  t.per_user_limit = in.per_user_limit();
  if (in.has_budget_remaining()) {
    int64_t budget = 0;
    RETURN_IF_ERROR(ReadMoney(in.budget_remaining(), "budgetRemaining", t.currency, budget));
    t.budget_remaining = budget;
  }
  return t;
}

void CouponTemplateToProto(const CouponTemplate& t, v1::CouponTemplate* out) {
  out->set_template_id(t.template_id);
  out->set_name(t.name);
  switch (t.type) {
    case CouponType::kThresholdReduction: out->set_type(v1::COUPON_TYPE_THRESHOLD_REDUCTION); break;
    case CouponType::kPercentOff: out->set_type(v1::COUPON_TYPE_PERCENT_OFF); break;
    case CouponType::kNoThreshold: out->set_type(v1::COUPON_TYPE_NO_THRESHOLD); break;
  }
  if (t.type != CouponType::kNoThreshold) SetMoney(out->mutable_threshold(), t.currency, t.threshold);
  if (t.type != CouponType::kPercentOff) SetMoney(out->mutable_reduction(), t.currency, t.reduction);
  out->set_percent_off_bp(t.percent_off_bp);
  v1::PromotionScope* s = out->mutable_scope();
  s->set_all_products(t.scope.all_products);
  SetStrings(t.scope.category_ids, s->mutable_category_ids());
  SetStrings(t.scope.brand_ids, s->mutable_brand_ids());
  SetStrings(t.scope.sku_ids, s->mutable_sku_ids());
  SetStrings(t.scope.excluded_category_ids, s->mutable_excluded_category_ids());
  SetStrings(t.scope.excluded_brand_ids, s->mutable_excluded_brand_ids());
  SetStrings(t.scope.excluded_sku_ids, s->mutable_excluded_sku_ids());
  *out->mutable_claim_start_time() = ToTimestamp(t.claim_start);
  *out->mutable_claim_end_time() = ToTimestamp(t.claim_end);
  if (t.valid_days_after_claim > 0) {
    out->set_valid_days_after_claim(t.valid_days_after_claim);
  } else {
    *out->mutable_valid_from() = ToTimestamp(t.valid_from);
    *out->mutable_valid_until() = ToTimestamp(t.valid_until);
  }
  out->set_total_quantity(t.total_quantity);
  out->set_per_user_limit(t.per_user_limit);
  out->set_claimed_quantity(t.claimed_quantity);
  *out->mutable_create_time() = ToTimestamp(t.created_at);
  if (t.budget_remaining.has_value()) SetMoney(out->mutable_budget_remaining(), t.currency, *t.budget_remaining);
}

void WalletCouponToProto(const WalletCoupon& w, v1::Coupon* out) {
  const Coupon& c = w.coupon;
  out->set_coupon_id(c.coupon_id);
  CouponTemplateToProto(w.coupon_template, out->mutable_coupon_template());
  // The budget is the operator's business, not the customer's.
  out->mutable_coupon_template()->clear_budget_remaining();
  switch (c.status) {
    case CouponStatus::kAvailable: out->set_status(v1::COUPON_STATUS_AVAILABLE); break;
    case CouponStatus::kLocked: out->set_status(v1::COUPON_STATUS_LOCKED); break;
    case CouponStatus::kUsed: out->set_status(v1::COUPON_STATUS_USED); break;
    case CouponStatus::kExpired: out->set_status(v1::COUPON_STATUS_EXPIRED); break;
  }
  *out->mutable_valid_from() = ToTimestamp(c.valid_from);
  *out->mutable_valid_until() = ToTimestamp(c.valid_until);
  *out->mutable_claim_time() = ToTimestamp(c.claimed_at);
  out->set_order_id(c.order_id);
}

}  // namespace zhongtai::marketing
