// The MarketingService over a real in-process gRPC server, with the domain on in-memory fakes.
#include "services/marketing/api/marketing_api.h"

#include <catch2/catch.hpp>
#include <tuple>

#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/marketing/tests/coupon_fakes.h"
#include "services/marketing/tests/fakes.h"

namespace zhongtai::marketing {
namespace {

void SetMoney(type::v1::Money* money, int64_t amount) {
  money->set_currency("CNY");
  money->set_amount_minor(amount);
}

}  // namespace

TEST_CASE("create, list and quote over gRPC") {
  testing::InMemoryPromotionStore store;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Promotions promotions(store, clock, ids);
  testing::InMemoryCouponStore coupon_store;
  Coupons coupons(coupon_store, clock, ids);

  zhongtai::testing::ApiServer server("marketing-test");
  MarketingApi api(promotions, coupons, server.workers());
  auto stub = server.Start<v1::MarketingService>(&api);

  v1::CreatePromotionRequest create;
  create.set_request_id("seed-promotion-300-40");
  v1::Promotion* p = create.mutable_promotion();
  p->set_name("满300减40");
  p->mutable_start_time()->set_seconds(absl::ToUnixSeconds(clock.Now() - absl::Hours(1)));
  p->mutable_end_time()->set_seconds(absl::ToUnixSeconds(clock.Now() + absl::Hours(24 * 365)));
  SetMoney(p->mutable_threshold_reduction()->mutable_threshold(), 30000);
  SetMoney(p->mutable_threshold_reduction()->mutable_reduction(), 4000);

  v1::CreatePromotionResponse created;
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(stub->CreatePromotion(&context, create, &created), context).ok());
  }
  CHECK_FALSE(created.promotion().promotion_id().empty());
  CHECK(created.promotion().status() == v1::PROMOTION_STATUS_ACTIVE);
  CHECK(created.promotion().threshold_reduction().reduction().amount_minor() == 4000);
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionResponse replay;
    REQUIRE(FromGrpcStatus(stub->CreatePromotion(&context, create, &replay), context).ok());
    CHECK(replay.promotion().promotion_id() == created.promotion().promotion_id());
  }
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionRequest no_rule = create;
    no_rule.set_request_id("other");
    no_rule.mutable_promotion()->clear_threshold_reduction();
    v1::CreatePromotionResponse out;
    absl::Status status = FromGrpcStatus(stub->CreatePromotion(&context, no_rule, &out), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(status) == "promotion.thresholdReduction");
  }
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    v1::ListPromotionsRequest list;
    v1::ListPromotionsResponse out;
    REQUIRE(FromGrpcStatus(stub->ListPromotions(&context, list, &out), context).ok());
    REQUIRE(out.promotions_size() == 1);
    CHECK(out.next_page_token().empty());
  }

  v1::QuotePriceRequest quote;
  v1::QuoteLine* a = quote.add_lines();
  a->set_sku_id("sku_a");
  SetMoney(a->mutable_unit_price(), 10000);
  a->set_quantity(1);
  v1::QuoteLine* b = quote.add_lines();
  b->set_sku_id("sku_b");
  SetMoney(b->mutable_unit_price(), 6667);
  b->set_quantity(3);
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "order", "u_1");
    v1::QuotePriceResponse out;
    REQUIRE(FromGrpcStatus(stub->QuotePrice(&context, quote, &out), context).ok());
    CHECK(out.subtotal().amount_minor() == 30001);
    CHECK(out.subtotal().currency() == "CNY");
    CHECK(out.discount().amount_minor() == 4000);
    CHECK(out.total().amount_minor() == 26001);
    REQUIRE(out.lines_size() == 2);
    CHECK(out.lines(0).subtotal().amount_minor() == 10000);
    CHECK(out.lines(1).subtotal().amount_minor() == 20001);
    CHECK(out.lines(0).discount().amount_minor() + out.lines(1).discount().amount_minor() == 4000);
    CHECK(out.lines(1).total().amount_minor() == 20001 - out.lines(1).discount().amount_minor());
    REQUIRE(out.applied_promotions_size() == 1);
    CHECK(out.applied_promotions(0).promotion_id() == created.promotion().promotion_id());
  }
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "order", "u_1");
    v1::QuotePriceRequest bad = quote;
    bad.mutable_lines(1)->set_quantity(0);
    v1::QuotePriceResponse out;
    absl::Status status = FromGrpcStatus(stub->QuotePrice(&context, bad, &out), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == "QUANTITY_NOT_POSITIVE");
    CHECK(FieldOf(status) == "lines[1].quantity");
  }
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "order", "u_1");
    v1::QuotePriceRequest empty;
    v1::QuotePriceResponse out;
    absl::Status status = FromGrpcStatus(stub->QuotePrice(&context, empty, &out), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(status) == "lines");
  }

  {
    // Who may create a promotion: an admin through the gateway; not a customer, not another service.
    for (auto [service, user, role] :
         {std::tuple{"gateway", "u_1", "customer"}, std::tuple{"order", "", ""}, std::tuple{"", "admin1", "admin"}}) {
      INFO(service << " " << role);
      grpc::ClientContext context;
      if (*service)
        ::zhongtai::testing::CallAs(context, service, user, role);
      else
        context.AddMetadata(::zhongtai::server::kUserTokenMetadata, ::zhongtai::testing::TestUserToken(user, role));
      v1::CreatePromotionResponse out;
      absl::Status refused = FromGrpcStatus(stub->CreatePromotion(&context, create, &out), context);
      CHECK((refused.code() == absl::StatusCode::kPermissionDenied ||
             refused.code() == absl::StatusCode::kUnauthenticated));
    }
    // QuotePrice is the order service's to call, not the gateway's.
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "u_1");
    v1::QuotePriceResponse out;
    CHECK(FromGrpcStatus(stub->QuotePrice(&context, quote, &out), context).code() ==
          absl::StatusCode::kPermissionDenied);
  }

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

}  // namespace zhongtai::marketing

namespace zhongtai::marketing {
namespace {

struct Server {
  Server()
      : promotions(store, clock, ids),
        coupons(coupon_store, clock, ids),
        server("marketing-test"),
        api(promotions, coupons, server.workers()) {
    stub = server.Start<v1::MarketingService>(&api);
  }
  absl::Status Create(v1::Promotion promotion, const std::string& request_id, v1::Promotion* out = nullptr) {
    promotion.mutable_start_time()->set_seconds(absl::ToUnixSeconds(clock.Now() - absl::Hours(1)));
    promotion.mutable_end_time()->set_seconds(absl::ToUnixSeconds(clock.Now() + absl::Hours(1)));
    v1::CreatePromotionRequest request;
    request.set_request_id(request_id);
    *request.mutable_promotion() = promotion;
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    v1::CreatePromotionResponse response;
    absl::Status status = FromGrpcStatus(stub->CreatePromotion(&context, request, &response), context);
    if (out != nullptr) *out = response.promotion();
    return status;
  }
  testing::InMemoryPromotionStore store;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Promotions promotions;
  testing::InMemoryCouponStore coupon_store;
  Coupons coupons;
  zhongtai::testing::ApiServer server;
  MarketingApi api;
  std::unique_ptr<v1::MarketingService::Stub> stub;
};

}  // namespace

TEST_CASE("promotion kinds, scope and stacking over gRPC, and the quote's explanation") {
  Server s;
  v1::Promotion tiers;
  tiers.set_name("满300减40 满500减80");
  tiers.set_exclusivity(v1::EXCLUSIVITY_NONE);
  for (auto [threshold, reduction] : {std::pair{30000, 4000}, std::pair{50000, 8000}}) {
    v1::ReductionTier* tier = tiers.mutable_tiered_reduction()->add_tiers();
    SetMoney(tier->mutable_threshold(), threshold);
    SetMoney(tier->mutable_reduction(), reduction);
  }
  v1::Promotion created_tiers;
  REQUIRE(s.Create(tiers, "tiers", &created_tiers).ok());
  CHECK(created_tiers.layer() == v1::PROMOTION_LAYER_ORDER);
  CHECK(created_tiers.tiered_reduction().tiers_size() == 2);

  v1::Promotion phones;
  phones.set_name("phones 10% off");
  phones.mutable_item_discount()->set_percent_off_bp(1000);
  phones.mutable_scope()->add_category_ids("c_digital");
  phones.set_exclusivity(v1::EXCLUSIVITY_NONE);
  v1::Promotion created_phones;
  REQUIRE(s.Create(phones, "phones", &created_phones).ok());
  CHECK(created_phones.layer() == v1::PROMOTION_LAYER_ITEM);
  CHECK(created_phones.scope().category_ids(0) == "c_digital");

  v1::Promotion gift;
  gift.set_name("gift over 600");
  gift.mutable_gift()->set_sku_id("sku_gift");
  gift.mutable_gift()->set_quantity(1);
  SetMoney(gift.mutable_gift()->mutable_threshold(), 60000);
  gift.set_exclusivity(v1::EXCLUSIVITY_NONE);  // unspecified is within its layer: it would lose to 满减
  gift.set_priority(1);                        // before 满减 in the layer, so it counts the amount before 满减
  REQUIRE(s.Create(gift, "gift").ok());

  v1::QuotePriceRequest quote;
  v1::QuoteLine* phone = quote.add_lines();
  phone->set_sku_id("sku_phone");
  SetMoney(phone->mutable_unit_price(), 30000);
  phone->set_quantity(1);
  phone->add_category_path("c_digital");
  phone->add_category_path("c_phones");
  v1::QuoteLine* shirt = quote.add_lines();
  shirt->set_sku_id("sku_shirt");
  SetMoney(shirt->mutable_unit_price(), 5000);
  shirt->set_quantity(1);

  grpc::ClientContext context;
  ::zhongtai::testing::CallAs(context, "order", "u_1");
  v1::QuotePriceResponse out;
  REQUIRE(FromGrpcStatus(s.stub->QuotePrice(&context, quote, &out), context).ok());
  // 10% off the phone (3000), then 满300减40 on 32000 (4000).
  CHECK(out.total().amount_minor() == 35000 - 3000 - 4000);
  REQUIRE(out.lines_size() == 2);
  CHECK(out.lines(0).shares_size() == 2);
  CHECK(out.lines(0).shares(0).promotion_id() == created_phones.promotion_id());
  CHECK(out.lines(0).shares(0).amount().amount_minor() == 3000);
  int64_t tier_shares = 0;
  for (const auto& line : out.lines()) {
    for (const auto& share : line.shares()) {
      if (share.promotion_id() == created_tiers.promotion_id()) tier_shares += share.amount().amount_minor();
    }
  }
  CHECK(tier_shares == 4000);
  CHECK(out.gift_lines_size() == 0);
  REQUIRE(out.not_applied_size() == 1);
  CHECK(out.not_applied(0).reason() == v1::NOT_APPLIED_REASON_THRESHOLD_NOT_MET);
  CHECK(out.not_applied(0).amount_missing().amount_minor() == 60000 - 35000);

  // The order layer counts what the item layer left: 27000 + 35000 reaches 600 (27000 + 30000 would not).
  quote.mutable_lines(1)->set_quantity(7);
  grpc::ClientContext again;
  ::zhongtai::testing::CallAs(again, "order", "u_1");
  v1::QuotePriceResponse with_gift;
  REQUIRE(FromGrpcStatus(s.stub->QuotePrice(&again, quote, &with_gift), again).ok());
  REQUIRE(with_gift.gift_lines_size() == 1);
  CHECK(with_gift.gift_lines(0).sku_id() == "sku_gift");
  CHECK(with_gift.lines_size() == 2);  // gifts never show up as priced lines
}

TEST_CASE("bad promotion rules are refused with the field") {
  Server s;
  auto refused = [&](const v1::Promotion& p, const std::string& reason, const std::string& field) {
    absl::Status status = s.Create(p, "r-" + field);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(status) == reason);
    CHECK(FieldOf(status) == field);
  };
  v1::Promotion base;
  base.set_name("p");

  v1::Promotion percent = base;
  percent.mutable_item_discount()->set_percent_off_bp(12000);
  refused(percent, "RULE_INVALID", "promotion.itemDiscount.percentOffBp");

  v1::Promotion tiers = base;
  auto* t0 = tiers.mutable_tiered_reduction()->add_tiers();
  SetMoney(t0->mutable_threshold(), 30000);
  SetMoney(t0->mutable_reduction(), 4000);
  auto* t1 = tiers.mutable_tiered_reduction()->add_tiers();
  SetMoney(t1->mutable_threshold(), 20000);
  SetMoney(t1->mutable_reduction(), 8000);
  refused(tiers, "RULE_INVALID", "promotion.tieredReduction.tiers[1].threshold.amountMinor");
  t1->mutable_reduction()->set_currency("USD");
  refused(tiers, "CURRENCY_MISMATCH", "promotion.tieredReduction.tiers[1].reduction.currency");

  v1::Promotion bundle = base;
  bundle.mutable_bundle()->add_sku_ids("only_one");
  refused(bundle, "RULE_INVALID", "promotion.bundle.skuIds");

  v1::Promotion nth = base;
  nth.mutable_nth_item_discount()->set_nth(1);
  nth.mutable_nth_item_discount()->set_percent_off_bp(5000);
  refused(nth, "RULE_INVALID", "promotion.nthItemDiscount.nth");

  v1::Promotion scoped = base;
  scoped.mutable_quantity_price()->set_quantity(3);
  SetMoney(scoped.mutable_quantity_price()->mutable_price(), 26900);
  scoped.mutable_scope()->add_excluded_sku_ids("x");
  refused(scoped, "RULE_INVALID", "promotion.scope");

  v1::Promotion budget = base;
  budget.mutable_gift()->set_sku_id("g");
  budget.mutable_gift()->set_quantity(1);
  SetMoney(budget.mutable_budget_remaining(), -1);
  refused(budget, "RULE_INVALID", "promotion.budgetRemaining.amountMinor");
}

TEST_CASE("a promotion set not to combine with member price skips member-priced lines over gRPC, and can be changed") {
  Server s;
  v1::Promotion item;
  item.set_name("10% off, not with member price");
  item.mutable_item_discount()->set_percent_off_bp(1000);
  item.set_exclusivity(v1::EXCLUSIVITY_NONE);
  item.set_combines_with_member_price(false);
  v1::Promotion created;
  REQUIRE(s.Create(item, "no-member", &created).ok());
  CHECK(created.has_combines_with_member_price());
  CHECK_FALSE(created.combines_with_member_price());
  v1::Promotion plain;
  plain.set_name("unset combines");
  plain.mutable_item_discount()->set_percent_off_bp(500);
  plain.set_exclusivity(v1::EXCLUSIVITY_NONE);
  plain.set_status(v1::PROMOTION_STATUS_PAUSED);
  v1::Promotion created_plain;
  REQUIRE(s.Create(plain, "plain", &created_plain).ok());
  CHECK(created_plain.combines_with_member_price());  // unset means true

  v1::QuotePriceRequest quote;
  v1::QuoteLine* line = quote.add_lines();
  line->set_sku_id("sku_tea");
  SetMoney(line->mutable_unit_price(), 8000);
  line->set_quantity(1);
  line->set_member_price(true);
  auto ask = [&] {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "order", "u_1");
    v1::QuotePriceResponse out;
    REQUIRE(FromGrpcStatus(s.stub->QuotePrice(&context, quote, &out), context).ok());
    return out;
  };
  v1::QuotePriceResponse member = ask();
  CHECK(member.total().amount_minor() == 8000);
  bool explained = false;
  for (const auto& n : member.not_applied()) {
    if (n.promotion_id() == created.promotion_id()) {
      explained = n.reason() == v1::NOT_APPLIED_REASON_NOT_WITH_MEMBER_PRICE;
    }
  }
  CHECK(explained);

  // Updated to combine: the member-priced line gets 10% off too.
  v1::UpdatePromotionRequest update;
  update.set_promotion_id(created.promotion_id());
  update.mutable_promotion()->set_combines_with_member_price(true);
  v1::UpdatePromotionResponse updated;
  {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->UpdatePromotion(&context, update, &updated), context).ok());
  }
  CHECK(updated.promotion().combines_with_member_price());
  CHECK(ask().total().amount_minor() == 8000 - 800);
}

}  // namespace zhongtai::marketing
