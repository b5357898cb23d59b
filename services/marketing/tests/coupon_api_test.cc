// The coupon RPCs over a real in-process gRPC server with the domain on in-memory fakes: who may call what,
// the user taken from the call's identity, and the wallet through a whole order's life.
#include <catch2/catch.hpp>

#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/tests/coupon_fakes.h"
#include "services/marketing/tests/fakes.h"

namespace zhongtai::marketing {
namespace {

struct CouponServer {
  explicit CouponServer(ClaimSettings claims = {})
      : promotions(store, clock, ids),
        coupons(coupon_store, clock, ids, claims),
        server("marketing-coupon-test"),
        api(promotions, coupons, server.workers()) {
    stub = server.Start<v1::MarketingService>(&api);
  }
  testing::InMemoryPromotionStore store;
  testing::InMemoryCouponStore coupon_store;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Promotions promotions;
  Coupons coupons;
  zhongtai::testing::ApiServer server;
  MarketingApi api;
  std::unique_ptr<v1::MarketingService::Stub> stub;
};

v1::CouponTemplate NoThresholdTemplate(absl::Time now) {
  v1::CouponTemplate t;
  t.set_name("无门槛10元");
  t.set_type(v1::COUPON_TYPE_NO_THRESHOLD);
  t.mutable_reduction()->set_currency("CNY");
  t.mutable_reduction()->set_amount_minor(1000);
  t.mutable_claim_start_time()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(1)));
  t.mutable_claim_end_time()->set_seconds(absl::ToUnixSeconds(now + absl::Hours(24)));
  t.set_valid_days_after_claim(7);
  t.set_total_quantity(100);
  t.set_per_user_limit(1);
  return t;
}

// Quotes one ¥50.00 line as the order center for `user`, with the coupon.
v1::QuotePriceResponse QuoteAs(CouponServer& s, const std::string& user, const std::string& coupon_id) {
  v1::QuotePriceRequest request;
  v1::QuoteLine* line = request.add_lines();
  line->set_sku_id("sku-1");
  line->mutable_unit_price()->set_currency("CNY");
  line->mutable_unit_price()->set_amount_minor(5000);
  line->set_quantity(1);
  request.set_coupon_id(coupon_id);
  grpc::ClientContext context;
  zhongtai::testing::CallAs(context, "order", user, "customer");
  v1::QuotePriceResponse response;
  REQUIRE(FromGrpcStatus(s.stub->QuotePrice(&context, request, &response), context).ok());
  return response;
}

std::string CouponRefusal(const v1::QuotePriceResponse& quote, const std::string& coupon_id) {
  for (const v1::NotAppliedPromotion& n : quote.not_applied()) {
    if (n.promotion_id() == coupon_id && n.reason() == v1::NOT_APPLIED_REASON_COUPON_UNUSABLE) return n.coupon_reason();
  }
  return "";
}

}  // namespace

TEST_CASE("coupons over gRPC: template, claim, wallet, lock, redeem", "[coupon]") {
  CouponServer s;
  v1::CreateCouponTemplateRequest create;
  create.set_request_id("tmpl-1");
  *create.mutable_coupon_template() = NoThresholdTemplate(s.clock.Now());
  v1::CreateCouponTemplateResponse created;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    CHECK(FromGrpcStatus(s.stub->CreateCouponTemplate(&context, create, &created), context).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->CreateCouponTemplate(&context, create, &created), context).ok());
  }
  const std::string template_id = created.coupon_template().template_id();
  CHECK_FALSE(template_id.empty());
  CHECK(created.coupon_template().valid_days_after_claim() == 7);
  {
    v1::CreateCouponTemplateRequest bad = create;
    bad.set_request_id("tmpl-bad");
    bad.mutable_coupon_template()->set_per_user_limit(0);
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    v1::CreateCouponTemplateResponse response;
    absl::Status status = FromGrpcStatus(s.stub->CreateCouponTemplate(&context, bad, &response), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(status) == "couponTemplate.perUserLimit");
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::ListClaimableCouponsResponse listed;
    REQUIRE(FromGrpcStatus(s.stub->ListClaimableCoupons(&context, {}, &listed), context).ok());
    REQUIRE(listed.coupon_templates_size() == 1);
    CHECK(listed.coupon_templates(0).template_id() == template_id);
  }
  v1::ClaimCouponRequest claim;
  claim.set_coupon_id(template_id);
  claim.set_request_id("claim-1");
  v1::ClaimCouponResponse claimed;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway");
    CHECK(FromGrpcStatus(s.stub->ClaimCoupon(&context, claim, &claimed), context).code() ==
          absl::StatusCode::kUnauthenticated);
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    REQUIRE(FromGrpcStatus(s.stub->ClaimCoupon(&context, claim, &claimed), context).ok());
    CHECK(claimed.coupon().status() == v1::COUPON_STATUS_AVAILABLE);
  }
  {
    claim.set_request_id("claim-2");
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::ClaimCouponResponse again;
    absl::Status status = FromGrpcStatus(s.stub->ClaimCoupon(&context, claim, &again), context);
    CHECK(ReasonOf(status) == "COUPON_LIMIT_REACHED");
  }
  const std::string coupon_id = claimed.coupon().coupon_id();
  {
    v1::QuotePriceResponse quote = QuoteAs(s, "u1", coupon_id);
    CHECK(quote.discount().amount_minor() == 1000);
    CHECK(quote.total().amount_minor() == 4000);
    REQUIRE(quote.applied_promotions_size() == 1);
    CHECK(quote.applied_promotions(0).promotion_id() == coupon_id);
    v1::QuotePriceResponse someone_else = QuoteAs(s, "u2", coupon_id);
    CHECK(someone_else.discount().amount_minor() == 0);
    CHECK(CouponRefusal(someone_else, coupon_id) == "COUPON_NOT_FOUND");
    CHECK(CouponRefusal(QuoteAs(s, "u1", "cp_unknown"), "cp_unknown") == "COUPON_NOT_FOUND");
  }
  v1::LockCouponRequest lock;
  lock.set_order_id("o1");
  lock.set_coupon_id(coupon_id);
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::LockCouponResponse response;
    CHECK(FromGrpcStatus(s.stub->LockCoupon(&context, lock, &response), context).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "order", "u2", "customer");
    v1::LockCouponResponse response;
    CHECK(ReasonOf(FromGrpcStatus(s.stub->LockCoupon(&context, lock, &response), context)) == "COUPON_NOT_FOUND");
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "order", "u1", "customer");
    v1::LockCouponResponse response;
    REQUIRE(FromGrpcStatus(s.stub->LockCoupon(&context, lock, &response), context).ok());
    CHECK(response.coupon().status() == v1::COUPON_STATUS_LOCKED);
    CHECK(response.coupon().order_id() == "o1");
  }
  auto wallet = [&](const std::string& status) {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::ListMyCouponsRequest request;
    request.set_status(status);
    v1::ListMyCouponsResponse response;
    REQUIRE(FromGrpcStatus(s.stub->ListMyCoupons(&context, request, &response), context).ok());
    return response.coupons_size();
  };
  CHECK(wallet("locked") == 1);
  CHECK(CouponRefusal(QuoteAs(s, "u1", coupon_id), coupon_id) == "COUPON_LOCKED");
  CHECK(wallet("available") == 0);
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "order");
    v1::RedeemCouponRequest redeem;
    redeem.set_order_id("o1");
    v1::RedeemCouponResponse response;
    REQUIRE(FromGrpcStatus(s.stub->RedeemCoupon(&context, redeem, &response), context).ok());
    CHECK(response.coupon().status() == v1::COUPON_STATUS_USED);
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "order");
    v1::ReleaseCouponRequest release;
    release.set_order_id("o1");
    v1::ReleaseCouponResponse response;
    REQUIRE(FromGrpcStatus(s.stub->ReleaseCoupon(&context, release, &response), context).ok());
    CHECK_FALSE(response.has_coupon());
  }
  CHECK(wallet("used") == 1);
  CHECK(wallet("") == 1);
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::ListMyCouponsRequest request;
    request.set_status("gone");
    v1::ListMyCouponsResponse response;
    CHECK(FieldOf(FromGrpcStatus(s.stub->ListMyCoupons(&context, request, &response), context)) == "status");
  }
}

TEST_CASE("a claim's device id comes from the call's metadata and caps the template's claims per device", "[coupon]") {
  CouponServer s(ClaimSettings{2, false});
  v1::CreateCouponTemplateRequest create;
  create.set_request_id("tmpl-device");
  *create.mutable_coupon_template() = NoThresholdTemplate(s.clock.Now());
  v1::CreateCouponTemplateResponse created;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->CreateCouponTemplate(&context, create, &created), context).ok());
  }
  auto claim_as = [&](const std::string& user, const std::string& device) {
    v1::ClaimCouponRequest claim;
    claim.set_coupon_id(created.coupon_template().template_id());
    claim.set_request_id("claim-" + user);
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", user, "customer");
    if (!device.empty()) context.AddMetadata("x-zt-device-id", device);
    v1::ClaimCouponResponse claimed;
    return FromGrpcStatus(s.stub->ClaimCoupon(&context, claim, &claimed), context);
  };
  CHECK(claim_as("u1", "phone-1").ok());
  CHECK(claim_as("u2", "phone-1").ok());
  absl::Status third = claim_as("u3", "phone-1");
  CHECK(third.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(third) == "COUPON_DEVICE_LIMIT_REACHED");
  CHECK(claim_as("u3", "phone-2").ok());
  CHECK(claim_as("u4", "").ok());  // no device id and none required
  CHECK(ReasonOf(claim_as("u5", "bad device")) == "DEVICE_ID_INVALID");

  CouponServer strict(ClaimSettings{2, true});
  REQUIRE(strict.coupon_store
              .CreateTemplate([&] {
                CouponTemplate t;
                t.template_id = "ct_strict";
                t.request_id = "r";
                t.name = "strict";
                t.type = CouponType::kNoThreshold;
                t.currency = "CNY";
                t.reduction = 100;
                t.claim_start = strict.clock.Now() - absl::Hours(1);
                t.claim_end = strict.clock.Now() + absl::Hours(1);
                t.valid_days_after_claim = 1;
                t.total_quantity = 10;
                t.per_user_limit = 1;
                return t;
              }())
              .ok());
  v1::ClaimCouponRequest claim;
  claim.set_coupon_id("ct_strict");
  claim.set_request_id("claim-strict");
  grpc::ClientContext context;
  zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
  v1::ClaimCouponResponse claimed;
  absl::Status without = FromGrpcStatus(strict.stub->ClaimCoupon(&context, claim, &claimed), context);
  CHECK(ReasonOf(without) == "DEVICE_ID_REQUIRED");
  CHECK(FieldOf(without) == "X-Zt-Device-Id");
}

}  // namespace zhongtai::marketing
