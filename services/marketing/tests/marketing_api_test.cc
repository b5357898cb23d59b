// The MarketingService over a real in-process gRPC server, with the domain on in-memory fakes.
#include "services/marketing/api/marketing_api.h"

#include <catch2/catch.hpp>
#include <tuple>

#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
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

  zhongtai::testing::ApiServer server("marketing-test");
  MarketingApi api(promotions, server.workers());
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
