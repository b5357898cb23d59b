// Flash orders without a database: the winner's order (one unit at the sale price, due after the payment timeout),
// the entries no order can be made of, and the stock port answering a flash order's confirm and release itself.
#include "services/order/domain/flash_order.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"

namespace zhongtai::order {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

FlashWin Win() { return {"fp_01", "o_fp_01", "fs_1", "u1", "sku_1", 990, "CNY"}; }

// Records what reaches the product service.
class RecordingCatalog : public ProductCatalog {
 public:
  void GetSkus(const std::vector<std::string>&, const std::string&, Callback<std::vector<SkuInfo>> done) override {
    done(std::vector<SkuInfo>{});
  }
  void Reserve(const std::string& order_id, const std::vector<LineRequest>&, const ShippingAddress&, absl::Duration,
               Callback<std::vector<StockAllocation>> done) override {
    calls.push_back("reserve " + order_id);
    done(std::vector<StockAllocation>{});
  }
  void Confirm(const std::string& order_id, StatusCallback done) override {
    calls.push_back("confirm " + order_id);
    done(absl::OkStatus());
  }
  void Release(const std::string& order_id, StatusCallback done) override {
    calls.push_back("release " + order_id);
    done(absl::OkStatus());
  }
  std::vector<std::string> calls;
};

TEST_CASE("a flash winner's order is one unit at the sale price, unpaid until the payment timeout") {
  Order order = FlashOrder(Win(), kNow, absl::Minutes(15));
  CHECK(order.order_id == "o_fp_01");
  CHECK(order.user_id == "u1");
  CHECK(order.status == OrderStatus::kPendingPayment);
  CHECK(order.channel == "flash_sale");
  REQUIRE(order.lines.size() == 1);
  CHECK(order.lines[0].sku_id == "sku_1");
  CHECK(order.lines[0].quantity == 1);
  CHECK(order.lines[0].unit_price == 990);
  CHECK(order.total == 990);
  CHECK(order.discount == 0);
  CHECK(order.pay_deadline == kNow + absl::Minutes(15));
  CHECK(order.request_id == "flash:fp_01");
}

TEST_CASE("a winner no order can be made of is refused with the field") {
  CHECK(ValidateFlashWin(Win()).ok());
  FlashWin w = Win();
  w.order_id = "o_01ABC";
  CHECK(FieldOf(ValidateFlashWin(w)) == "orderId");
  w = Win();
  w.user_id = "";
  CHECK(ReasonOf(ValidateFlashWin(w)) == "USER_ID_MISSING");
  w = Win();
  w.sale_price = 0;
  CHECK(FieldOf(ValidateFlashWin(w)) == "salePrice");
  CHECK(IsFlashOrderId("o_fp_01"));
  CHECK_FALSE(IsFlashOrderId("o_01JN00000000000000000000"));
}

TEST_CASE("a flash order's stock is the sale's: its confirm and release never reach the product service") {
  RecordingCatalog products;
  FlashOrderStock stock(products);
  absl::Status confirmed = absl::UnknownError("not called");
  stock.Confirm("o_fp_01", [&](absl::Status s) { confirmed = s; });
  CHECK(confirmed.ok());
  absl::Status released = absl::UnknownError("not called");
  stock.Release("o_fp_01", [&](absl::Status s) { released = s; });
  CHECK(released.ok());
  CHECK(products.calls.empty());
  absl::Status reserved = absl::OkStatus();
  stock.Reserve("o_fp_01", {{"sku_1", 1}}, ShippingAddress{}, absl::Minutes(1),
                [&](absl::StatusOr<std::vector<StockAllocation>> s) { reserved = s.status(); });
  CHECK(ReasonOf(reserved) == "ORDER_ID_INVALID");

  stock.Reserve("o_1", {{"sku_1", 1}}, ShippingAddress{}, absl::Minutes(1),
                [](absl::StatusOr<std::vector<StockAllocation>>) {});
  stock.Confirm("o_1", [](absl::Status) {});
  stock.Release("o_1", [](absl::Status) {});
  CHECK(products.calls == std::vector<std::string>{"reserve o_1", "confirm o_1", "release o_1"});
}

}  // namespace
}  // namespace zhongtai::order
