// The flash-sale RPCs over gRPC with in-memory ports: who may call them, the fields an admin gets wrong, the
// purchase answered with the order id to poll, and another buyer's purchase hidden.
#include <catch2/catch.hpp>

#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/tests/coupon_fakes.h"
#include "services/marketing/tests/fakes.h"
#include "services/marketing/tests/flash_fakes.h"

namespace zhongtai::marketing {
namespace {

struct FlashServer {
  FlashServer()
      : promotions(store, clock, ids),
        coupons(coupon_store, clock, ids),
        flash_sales(flash_store, admission, stock, clock, flash_ids, blocking),
        server("marketing-flash-test"),
        api(promotions, coupons, server.workers(), &flash_sales) {
    stub = server.Start<v1::MarketingService>(&api);
  }
  testing::InMemoryPromotionStore store;
  testing::InMemoryCouponStore coupon_store;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  InMemoryFlashSaleStore flash_store;
  InMemoryFlashAdmission admission;
  FakeFlashSaleStock stock;
  SequentialFlashIds flash_ids;
  async::InlineExecutor blocking;
  Promotions promotions;
  Coupons coupons;
  FlashSales flash_sales;
  zhongtai::testing::ApiServer server;
  MarketingApi api;
  std::unique_ptr<v1::MarketingService::Stub> stub;
};

v1::CreateFlashSaleRequest CreateRequest(absl::Time now) {
  v1::CreateFlashSaleRequest request;
  request.set_request_id("sale-1");
  v1::FlashSale* sale = request.mutable_flash_sale();
  sale->set_name("1元秒杀");
  sale->set_sku_id("sku_1");
  sale->mutable_sale_price()->set_currency("CNY");
  sale->mutable_sale_price()->set_amount_minor(100);
  sale->set_quantity(2);
  sale->set_per_user_limit(1);
  sale->mutable_start_time()->set_seconds(absl::ToUnixSeconds(now - absl::Minutes(1)));
  sale->mutable_end_time()->set_seconds(absl::ToUnixSeconds(now + absl::Hours(1)));
  return request;
}

TEST_CASE("flash sales over gRPC: an admin creates, customers list, buy once and poll their own purchase", "[flash]") {
  FlashServer s;
  v1::CreateFlashSaleRequest create = CreateRequest(s.clock.Now());
  v1::CreateFlashSaleResponse created;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    CHECK(FromGrpcStatus(s.stub->CreateFlashSale(&context, create, &created), context).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    v1::CreateFlashSaleRequest bad = create;
    bad.mutable_flash_sale()->set_per_user_limit(3);
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    absl::Status status = FromGrpcStatus(s.stub->CreateFlashSale(&context, bad, &created), context);
    CHECK(status.code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(status) == "flashSale.perUserLimit");
    CHECK(ReasonOf(status) == "LIMIT_ABOVE_QUANTITY");
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->CreateFlashSale(&context, create, &created), context).ok());
  }
  const std::string sale_id = created.flash_sale().sale_id();
  CHECK(created.flash_sale().status() == v1::FLASH_SALE_STATUS_ACTIVE);

  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::ListFlashSalesResponse listed;
    REQUIRE(FromGrpcStatus(s.stub->ListFlashSales(&context, v1::ListFlashSalesRequest(), &listed), context).ok());
    REQUIRE(listed.flash_sales_size() == 1);
    CHECK(listed.flash_sales(0).remaining_quantity() == 2);
  }

  v1::PurchaseFlashSaleRequest buy;
  buy.set_sale_id(sale_id);
  buy.set_request_id("buy-1");
  v1::PurchaseFlashSaleResponse bought;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    REQUIRE(FromGrpcStatus(s.stub->PurchaseFlashSale(&context, buy, &bought), context).ok());
  }
  CHECK(bought.purchase().status() == v1::FLASH_PURCHASE_STATUS_PENDING);
  CHECK(bought.purchase().order_id() == "o_" + bought.purchase().purchase_id());
  {
    v1::PurchaseFlashSaleRequest again = buy;
    again.set_request_id("buy-2");
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::PurchaseFlashSaleResponse refused;
    absl::Status status = FromGrpcStatus(s.stub->PurchaseFlashSale(&context, again, &refused), context);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(status) == "FLASH_SALE_LIMIT_REACHED");
  }

  v1::GetFlashSalePurchaseRequest poll;
  poll.set_sale_id(sale_id);
  poll.set_purchase_id(bought.purchase().purchase_id());
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    v1::GetFlashSalePurchaseResponse polled;
    REQUIRE(FromGrpcStatus(s.stub->GetFlashSalePurchase(&context, poll, &polled), context).ok());
    CHECK(polled.purchase().order_id() == bought.purchase().order_id());
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u2", "customer");
    v1::GetFlashSalePurchaseResponse polled;
    absl::Status status = FromGrpcStatus(s.stub->GetFlashSalePurchase(&context, poll, &polled), context);
    CHECK(ReasonOf(status) == "FLASH_PURCHASE_NOT_FOUND");
  }
}

TEST_CASE("an admin changes a flash sale over gRPC: customers may not, a running sale only sells fewer", "[flash]") {
  FlashServer s;
  v1::CreateFlashSaleRequest create = CreateRequest(s.clock.Now());
  create.mutable_flash_sale()->set_quantity(5);
  v1::CreateFlashSaleResponse created;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->CreateFlashSale(&context, create, &created), context).ok());
  }
  CHECK(created.flash_sale().version() == 1);
  v1::UpdateFlashSaleRequest update;
  update.set_sale_id(created.flash_sale().sale_id());
  update.set_quantity(3);
  update.set_version(1);
  v1::UpdateFlashSaleResponse updated;
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "u1", "customer");
    CHECK(FromGrpcStatus(s.stub->UpdateFlashSale(&context, update, &updated), context).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    v1::UpdateFlashSaleRequest price = update;
    price.mutable_sale_price()->set_currency("CNY");
    price.mutable_sale_price()->set_amount_minor(50);
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    absl::Status status = FromGrpcStatus(s.stub->UpdateFlashSale(&context, price, &updated), context);
    CHECK(status.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(status) == "FLASH_SALE_STARTED");
    CHECK(FieldOf(status) == "flashSale.salePrice");
  }
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->UpdateFlashSale(&context, update, &updated), context).ok());
  }
  CHECK(updated.flash_sale().quantity() == 3);
  CHECK(updated.flash_sale().version() == 2);
  CHECK(s.stock.resizes.back() == std::make_pair(created.flash_sale().sale_id(), int64_t{3}));
  {
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    absl::Status status = FromGrpcStatus(s.stub->UpdateFlashSale(&context, update, &updated), context);
    CHECK(status.code() == absl::StatusCode::kAborted);
    CHECK(ReasonOf(status) == "VERSION_CONFLICT");
  }
  {
    v1::UpdateFlashSaleRequest end;
    end.set_sale_id(created.flash_sale().sale_id());
    end.set_end_now(true);
    grpc::ClientContext context;
    zhongtai::testing::CallAs(context, "gateway", "admin1", "admin");
    REQUIRE(FromGrpcStatus(s.stub->UpdateFlashSale(&context, end, &updated), context).ok());
    CHECK(updated.flash_sale().end_time().seconds() == absl::ToUnixSeconds(s.clock.Now()));
  }
}

}  // namespace
}  // namespace zhongtai::marketing
