// Coupon rules without a database: template validation with field names, claim limits, the coupon state
// machine, and the benefit as a promotion rule in the coupon layer.
#include "services/marketing/domain/coupon_rules.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/marketing/domain/promotion_rules.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

CouponTemplate Template() {
  CouponTemplate t;
  t.template_id = "ct_1";
  t.name = "满100减20";
  t.type = CouponType::kThresholdReduction;
  t.currency = "CNY";
  t.threshold = 10000;
  t.reduction = 2000;
  t.claim_start = kNow - absl::Hours(1);
  t.claim_end = kNow + absl::Hours(24);
  t.valid_from = kNow - absl::Hours(1);
  t.valid_until = kNow + absl::Hours(48);
  t.total_quantity = 100;
  t.per_user_limit = 2;
  return t;
}

void CheckInvalid(const CouponTemplate& t, const std::string& field, const std::string& reason) {
  absl::Status status = ValidateCouponTemplate(t);
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(status) == field);
  CHECK(ReasonOf(status) == reason);
}

Coupon Claimed(const std::string& user) {
  Coupon c = NewCoupon(Template(), kNow);
  c.coupon_id = "cp_1";
  c.user_id = user;
  return c;
}

int64_t DiscountOn(const Promotion& p, int64_t cart) {
  QuoteLineInput line;
  line.sku_id = "sku-1";
  line.currency = "CNY";
  line.unit_price = cart;
  line.quantity = 1;
  return EvaluateRule(p, {line}, {1}, {cart}).discount;
}

}  // namespace

TEST_CASE("a valid template of each type passes, bad ones name their field", "[coupon]") {
  CHECK(ValidateCouponTemplate(Template()).ok());
  CouponTemplate percent = Template();
  percent.type = CouponType::kPercentOff;
  percent.reduction = 0;
  percent.percent_off_bp = 1000;
  CHECK(ValidateCouponTemplate(percent).ok());
  CouponTemplate free = Template();
  free.type = CouponType::kNoThreshold;
  free.threshold = 0;
  CHECK(ValidateCouponTemplate(free).ok());
  CouponTemplate relative = Template();
  relative.valid_from = relative.valid_until = absl::InfinitePast();
  relative.valid_days_after_claim = 7;
  CHECK(ValidateCouponTemplate(relative).ok());

  CouponTemplate t = Template();
  t.name = "";
  CheckInvalid(t, "couponTemplate.name", "NAME_MISSING");
  t = Template();
  t.threshold = 1000;
  CheckInvalid(t, "couponTemplate.threshold.amountMinor", "THRESHOLD_BELOW_REDUCTION");
  t = Template();
  t.reduction = 0;
  CheckInvalid(t, "couponTemplate.reduction.amountMinor", "REDUCTION_NOT_POSITIVE");
  percent.percent_off_bp = 10000;
  CheckInvalid(percent, "couponTemplate.percentOffBp", "RULE_INVALID");
  free.threshold = 5000;
  CheckInvalid(free, "couponTemplate.threshold.amountMinor", "RULE_INVALID");
  t = Template();
  t.claim_end = t.claim_start;
  CheckInvalid(t, "couponTemplate.claimEndTime", "END_BEFORE_START");
  t = Template();
  t.valid_until = t.valid_from;
  CheckInvalid(t, "couponTemplate.validUntil", "VALIDITY_MISSING");
  t = Template();
  t.valid_days_after_claim = 7;
  CheckInvalid(t, "couponTemplate.validFrom", "VALIDITY_AMBIGUOUS");
  t = Template();
  t.total_quantity = 0;
  CheckInvalid(t, "couponTemplate.totalQuantity", "QUANTITY_NOT_POSITIVE");
  t = Template();
  t.per_user_limit = 0;
  CheckInvalid(t, "couponTemplate.perUserLimit", "QUANTITY_NOT_POSITIVE");
}

TEST_CASE("claims stop at the total, at the per-user limit and outside the claim window", "[coupon]") {
  CouponTemplate t = Template();
  CHECK(CheckClaim(t, 1, kNow).ok());
  CHECK(ReasonOf(CheckClaim(t, 2, kNow)) == "COUPON_LIMIT_REACHED");
  t.claimed_quantity = t.total_quantity;
  CHECK(ReasonOf(CheckClaim(t, 0, kNow)) == "COUPON_SOLD_OUT");
  t = Template();
  CHECK(ReasonOf(CheckClaim(t, 0, t.claim_start - absl::Seconds(1))) == "COUPON_CLAIM_NOT_STARTED");
  CHECK(ReasonOf(CheckClaim(t, 0, t.claim_end)) == "COUPON_CLAIM_ENDED");
}

TEST_CASE("a claimed coupon is valid in the fixed window or for N days from the claim", "[coupon]") {
  Coupon fixed = NewCoupon(Template(), kNow);
  CHECK(fixed.valid_from == Template().valid_from);
  CHECK(fixed.valid_until == Template().valid_until);
  CouponTemplate relative = Template();
  relative.valid_days_after_claim = 7;
  Coupon c = NewCoupon(relative, kNow);
  CHECK(c.valid_from == kNow);
  CHECK(c.valid_until == kNow + absl::Hours(24 * 7));
  CHECK(EffectiveStatus(c, kNow + absl::Hours(24 * 7) - absl::Seconds(1)) == CouponStatus::kAvailable);
  CHECK(EffectiveStatus(c, kNow + absl::Hours(24 * 7)) == CouponStatus::kExpired);
}

TEST_CASE("locking: only the owner, only once, idempotent for the same order", "[coupon]") {
  Coupon c = Claimed("u1");
  CHECK(LockedCoupon(c, "o1", "u2", kNow).status().code() == absl::StatusCode::kNotFound);
  auto locked = LockedCoupon(c, "o1", "u1", kNow);
  REQUIRE(locked.ok());
  REQUIRE(locked->has_value());
  CHECK((*locked)->status == CouponStatus::kLocked);
  CHECK((*locked)->order_id == "o1");
  auto replay = LockedCoupon(**locked, "o1", "u1", kNow);
  REQUIRE(replay.ok());
  CHECK_FALSE(replay->has_value());
  CHECK(ReasonOf(LockedCoupon(**locked, "o2", "u1", kNow).status()) == "COUPON_LOCKED");
  CHECK(ReasonOf(LockedCoupon(c, "o1", "u1", c.valid_until).status()) == "COUPON_EXPIRED");
  CHECK(ReasonOf(LockedCoupon(c, "o1", "u1", c.valid_from - absl::Seconds(1)).status()) == "COUPON_NOT_YET_VALID");

  auto used = RedeemedCoupon(**locked, "o1");
  REQUIRE(used.ok());
  REQUIRE(used->has_value());
  CHECK((*used)->status == CouponStatus::kUsed);
  CHECK_FALSE(RedeemedCoupon(**used, "o1")->has_value());
  CHECK(ReasonOf(LockedCoupon(**used, "o3", "u1", kNow).status()) == "COUPON_USED");
  CHECK(ReasonOf(RedeemedCoupon(c, "o1").status()) == "COUPON_NOT_LOCKED");
  CHECK_FALSE(ReleasedCoupon(**used, "o1", kNow).has_value());
}

TEST_CASE("a coupon is usable in a quote only by its owner, while available and valid", "[coupon]") {
  Coupon c = Claimed("u1");
  CHECK(CheckUsable(c, "u1", kNow).ok());
  CHECK(ReasonOf(CheckUsable(c, "u2", kNow)) == "COUPON_NOT_FOUND");
  CHECK(ReasonOf(CheckUsable(c, "u1", c.valid_until)) == "COUPON_EXPIRED");
  CHECK(ReasonOf(CheckUsable(c, "u1", c.valid_from - absl::Seconds(1))) == "COUPON_NOT_YET_VALID");
  CHECK(ReasonOf(CheckUsable(**LockedCoupon(c, "o1", "u1", kNow), "u1", kNow)) == "COUPON_LOCKED");
}

TEST_CASE("a released coupon returns to the wallet while valid, else expires", "[coupon]") {
  Coupon c = Claimed("u1");
  Coupon locked = **LockedCoupon(c, "o1", "u1", kNow);
  auto back = ReleasedCoupon(locked, "o1", kNow);
  REQUIRE(back.has_value());
  CHECK(back->status == CouponStatus::kAvailable);
  CHECK(back->order_id.empty());
  auto late = ReleasedCoupon(locked, "o1", c.valid_until);
  REQUIRE(late.has_value());
  CHECK(late->status == CouponStatus::kExpired);
  CHECK_FALSE(ReleasedCoupon(locked, "o2", kNow).has_value());
}

TEST_CASE("a coupon's benefit is a promotion rule in the coupon layer", "[coupon]") {
  Promotion reduction = CouponBenefit(Template(), "cp_1");
  CHECK(reduction.layer == PromotionLayer::kCoupon);
  CHECK(reduction.kind == PromotionKind::kThresholdReduction);
  CHECK(DiscountOn(reduction, 9999) == 0);
  CHECK(DiscountOn(reduction, 10000) == 2000);

  CouponTemplate percent = Template();
  percent.type = CouponType::kPercentOff;
  percent.reduction = 0;
  percent.percent_off_bp = 1000;
  CHECK(DiscountOn(CouponBenefit(percent, "cp_2"), 20000) == 2000);

  CouponTemplate free = Template();
  free.type = CouponType::kNoThreshold;
  free.threshold = 0;
  CHECK(DiscountOn(CouponBenefit(free, "cp_3"), 5000) == 2000);
  CHECK(DiscountOn(CouponBenefit(free, "cp_3"), 1500) == 1500);
}

}  // namespace zhongtai::marketing

namespace zhongtai::marketing {

TEST_CASE("coupon farming: a device's claims of one template are capped over all accounts, with a clear reason") {
  CHECK(CheckDeviceClaims({"device-1", 3}, 2).ok());
  absl::Status refused = CheckDeviceClaims({"device-1", 3}, 3);
  CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused) == "COUPON_DEVICE_LIMIT_REACHED");
  CHECK(CheckDeviceClaims({"", 3}, 100).ok());          // no device id: nothing to count
  CHECK(CheckDeviceClaims({"device-1", 0}, 100).ok());  // cap off
  CHECK(ValidateDeviceId("").ok());
  CHECK(ValidateDeviceId("d_01JNQ8Z3W4K7M2P5R9T6").ok());
  CHECK(ReasonOf(ValidateDeviceId("has space")) == "DEVICE_ID_INVALID");
  CHECK(FieldOf(ValidateDeviceId(std::string(129, 'a'))) == "X-Zt-Device-Id");
}

}  // namespace zhongtai::marketing
