#include "services/order/domain/orders.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order {
namespace {

struct World {
  testing::InMemoryOrderStore store;
  testing::FakeCatalog catalog;
  testing::FakeQuoter quoter;
  LocalPaymentProvider payments;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  OrderObserver observer;
  Orders orders{store, catalog, quoter, payments, clock, ids, observer};

  World() {
    catalog.available = {{"sku-a", 10}, {"sku-b", 1}};
    catalog.price = {{"sku-a", 1999}, {"sku-b", 500}};
    quoter.calls = &catalog.calls;
  }
  PlaceOrderCommand Command(std::string key, std::vector<LineRequest> lines) {
    return {"u1", std::move(key), std::move(lines), "app"};
  }
};

TEST_CASE("placing an order quotes, reserves and leaves it pending payment") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 2}, {"sku-b", 1}}));
  REQUIRE(order.ok());
  CHECK(order->status == OrderStatus::kPendingPayment);
  CHECK(order->total == 2 * 1999 + 500);
  CHECK(order->lines.size() == 2);
  CHECK(w.catalog.available["sku-a"] == 8);
  CHECK(w.catalog.calls == std::vector<std::string>{"GetSkus", "QuotePrice", "Reserve"});
}

TEST_CASE("repeated SKUs are merged and bad lines name their field") {
  auto merged = NormalizeLines({{"a", 1}, {"b", 2}, {"a", 3}}, 50, 9999);
  REQUIRE(merged.ok());
  REQUIRE(merged->size() == 2);
  CHECK((*merged)[0].quantity == 4);

  auto zero = NormalizeLines({{"a", 1}, {"b", 0}}, 50, 9999);
  CHECK(zero.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(zero.status()) == "QUANTITY_NOT_POSITIVE");
  CHECK(FieldOf(zero.status()) == "lines[1].quantity");
  CHECK(ReasonOf(NormalizeLines({}, 50, 9999).status()) == "LINES_EMPTY");
}

TEST_CASE("the same request id returns the first order: a different body with it is refused") {
  World w;
  auto first = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}));
  auto again = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  CHECK(again->order_id == first->order_id);
  CHECK(w.catalog.available["sku-a"] == 9);

  auto reused = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 2}}));
  CHECK(ReasonOf(reused.status()) == "IDEMPOTENCY_KEY_REUSED");
}

TEST_CASE("a failure after reserving undoes the reservation, and a retry replays the failure") {
  World w;
  w.store.fail_complete = Unavailable("DB_DOWN", "database unavailable");
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 3}}));
  CHECK(order.status().code() == absl::StatusCode::kUnavailable);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.catalog.calls == std::vector<std::string>{"GetSkus", "QuotePrice", "Reserve", "Release"});

  auto retry = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 3}}));
  CHECK(ReasonOf(retry.status()) == "DB_DOWN");
  CHECK(w.orders.ListOrders("u1", 0, "")->orders.empty());
}

TEST_CASE("insufficient stock fails the order without holding anything") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}, {"sku-b", 2}}));
  CHECK(ReasonOf(order.status()) == "INSUFFICIENT_STOCK");
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.catalog.held.empty());
}

TEST_CASE("a quote failure stops the saga before any reservation") {
  World w;
  w.quoter.fail = Unavailable("MARKETING_DOWN", "marketing unavailable");
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}));
  CHECK(ReasonOf(order.status()) == "MARKETING_DOWN");
  CHECK(w.catalog.calls == std::vector<std::string>{"GetSkus", "QuotePrice"});
}

TEST_CASE("an unknown SKU is NOT_FOUND naming the line") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}, {"nope", 1}}));
  CHECK(order.status().code() == absl::StatusCode::kNotFound);
  CHECK(FieldOf(order.status()) == "lines[1].skuId");
}

TEST_CASE("paying confirms the stock once: paying again returns the paid order") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  auto paid = w.orders.PayOrder("u1", order->order_id);
  REQUIRE(paid.ok());
  CHECK(paid->status == OrderStatus::kPaid);
  auto again = w.orders.PayOrder("u1", order->order_id);
  REQUIRE(again.ok());
  CHECK(again->status == OrderStatus::kPaid);
  CHECK(w.store.payments.size() == 1);
  CHECK(w.catalog.confirmed.count(order->order_id) == 1);
  CHECK(ReasonOf(w.orders.CancelOrder("u1", order->order_id, "").status()) == "ORDER_ALREADY_PAID");
}

TEST_CASE("another user's order is not found, exactly like a missing one") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  CHECK(ReasonOf(w.orders.GetOrder("u2", order->order_id).status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(w.orders.PayOrder("u2", order->order_id).status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(w.orders.GetOrder("u1", "missing").status()) == "ORDER_NOT_FOUND");
  CHECK(w.orders.GetOrder("u1", order->order_id).ok());
}

TEST_CASE("cancelling returns the stock and cannot be paid afterwards") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 4}}));
  REQUIRE(order.ok());
  auto cancelled = w.orders.CancelOrder("u1", order->order_id, "");
  REQUIRE(cancelled.ok());
  CHECK(cancelled->status == OrderStatus::kCancelled);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(ReasonOf(w.orders.PayOrder("u1", order->order_id).status()) == "ORDER_CANCELLED");
}

TEST_CASE("the sweeper cancels unpaid orders after their deadline and returns their stock") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 5}}));
  REQUIRE(order.ok());
  w.clock.Advance(absl::Minutes(14));
  CHECK(w.orders.SweepOnce() == 0);
  w.clock.Advance(absl::Minutes(2));
  CHECK(w.orders.SweepOnce() == 1);
  CHECK(w.orders.GetOrder("u1", order->order_id)->status == OrderStatus::kCancelled);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(ReasonOf(w.orders.PayOrder("u1", order->order_id).status()) == "ORDER_CANCELLED");
}

TEST_CASE("paying after the product side expired the reservation cancels the order") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  w.catalog.Expire(order->order_id);
  auto paid = w.orders.PayOrder("u1", order->order_id);
  CHECK(ReasonOf(paid.status()) == "RESERVATION_EXPIRED");
  CHECK(w.orders.GetOrder("u1", order->order_id)->status == OrderStatus::kCancelled);
}

TEST_CASE("a stock release that failed is retried by the sweeper") {
  World w;
  auto order = w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  w.catalog.fail_release = Unavailable("PRODUCT_DOWN", "product unavailable");
  REQUIRE(w.orders.CancelOrder("u1", order->order_id, "").ok());
  CHECK(w.catalog.available["sku-a"] == 8);
  w.catalog.fail_release = absl::OkStatus();
  w.orders.SweepOnce();
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.store.stock_released[order->order_id]);
}

TEST_CASE("an interrupted saga is failed by the sweeper and its stock released") {
  World w;
  Order draft;
  draft.order_id = "crashed";
  draft.user_id = "u1";
  draft.request_id = "k9";
  draft.created_at = w.clock.Now();
  REQUIRE(w.store.BeginPlacement(draft).ok());
  REQUIRE(w.catalog.Reserve("crashed", {{"sku-a", 3}}, absl::Minutes(20)).ok());
  w.clock.Advance(absl::Minutes(1));
  w.orders.SweepOnce();
  CHECK(w.store.Get("crashed")->status == OrderStatus::kFailed);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.orders.PlaceOrder(w.Command("k9", {{"sku-a", 3}})).status().code() != absl::StatusCode::kOk);
}

}  // namespace
}  // namespace zhongtai::order
