#include "services/order/domain/orders.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>

#include "common/status/status.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order {
namespace {

// The domain with in-memory fakes. Blocking work runs inline unless a test gives it a worker of its own.
struct World {
  testing::InMemoryOrderStore store;
  testing::FakeCatalog catalog;
  testing::FakeQuoter quoter;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  OrderObserver observer;
  async::InlineExecutor inline_executor;
  Orders orders;

  explicit World(Executor* blocking = nullptr)
      : orders(store, catalog, quoter, clock, ids, observer, blocking ? *blocking : inline_executor) {
    catalog.available = {{"sku-a", 10}, {"sku-b", 1}};
    catalog.price = {{"sku-a", 1999}, {"sku-b", 500}};
    quoter.calls = &catalog.calls;
  }
  PlaceOrderCommand Command(std::string key, std::vector<LineRequest> lines) {
    return {"u1", std::move(key), std::move(lines), "app"};
  }

  // The asynchronous use cases, waited for.
  absl::StatusOr<Order> Place(const PlaceOrderCommand& command) {
    return async::Await<absl::StatusOr<Order>>([&](Callback<Order> done) { orders.PlaceOrder(command, done); });
  }
  absl::StatusOr<Order> Cancel(const std::string& user_id, const std::string& order_id) {
    return async::Await<absl::StatusOr<Order>>(
        [&](Callback<Order> done) { orders.CancelOrder(user_id, order_id, "", done); });
  }
};

TEST_CASE("placing an order quotes, reserves and leaves it pending payment") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 2}, {"sku-b", 1}}));
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
  auto first = w.Place(w.Command("k1", {{"sku-a", 1}}));
  auto again = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  CHECK(again->order_id == first->order_id);
  CHECK(w.catalog.available["sku-a"] == 9);

  auto reused = w.Place(w.Command("k1", {{"sku-a", 2}}));
  CHECK(ReasonOf(reused.status()) == "IDEMPOTENCY_KEY_REUSED");
}

TEST_CASE("a failure after reserving undoes the reservation, and a retry replays the failure") {
  World w;
  w.store.fail_complete = Unavailable("DB_DOWN", "database unavailable");
  auto order = w.Place(w.Command("k1", {{"sku-a", 3}}));
  CHECK(order.status().code() == absl::StatusCode::kUnavailable);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.catalog.calls == std::vector<std::string>{"GetSkus", "QuotePrice", "Reserve", "Release"});

  auto retry = w.Place(w.Command("k1", {{"sku-a", 3}}));
  CHECK(ReasonOf(retry.status()) == "DB_DOWN");
  CHECK(w.orders.ListOrders("u1", 0, "")->orders.empty());
}

TEST_CASE("insufficient stock fails the order without holding anything") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}, {"sku-b", 2}}));
  CHECK(ReasonOf(order.status()) == "INSUFFICIENT_STOCK");
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.catalog.held.empty());
}

TEST_CASE("a quote failure stops the saga before any reservation") {
  World w;
  w.quoter.fail = Unavailable("MARKETING_DOWN", "marketing unavailable");
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}}));
  CHECK(ReasonOf(order.status()) == "MARKETING_DOWN");
  CHECK(w.catalog.calls == std::vector<std::string>{"GetSkus", "QuotePrice"});
}

TEST_CASE("an unknown SKU is NOT_FOUND naming the line") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}, {"nope", 1}}));
  CHECK(order.status().code() == absl::StatusCode::kNotFound);
  CHECK(FieldOf(order.status()) == "lines[1].skuId");
}

TEST_CASE("another user's order is not found, exactly like a missing one") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  CHECK(ReasonOf(w.orders.GetOrder("u2", order->order_id).status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(w.orders.GetOrder("u1", "missing").status()) == "ORDER_NOT_FOUND");
  CHECK(w.orders.GetOrder("u1", order->order_id).ok());
}

TEST_CASE("cancelling returns the stock and cannot be paid afterwards") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 4}}));
  REQUIRE(order.ok());
  auto cancelled = w.Cancel("u1", order->order_id);
  REQUIRE(cancelled.ok());
  CHECK(cancelled->status == OrderStatus::kCancelled);
  CHECK(w.catalog.available["sku-a"] == 10);
}

TEST_CASE("the sweeper cancels unpaid orders after their deadline and returns their stock") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 5}}));
  REQUIRE(order.ok());
  w.clock.Advance(absl::Minutes(14));
  CHECK(w.orders.SweepOnce() == 0);
  w.clock.Advance(absl::Minutes(2));
  CHECK(w.orders.SweepOnce() == 1);
  CHECK(w.orders.GetOrder("u1", order->order_id)->status == OrderStatus::kCancelled);
  CHECK(w.catalog.available["sku-a"] == 10);
}

TEST_CASE("a stock release that failed is retried by the sweeper") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  w.catalog.fail_release = Unavailable("PRODUCT_DOWN", "product unavailable");
  REQUIRE(w.Cancel("u1", order->order_id).ok());
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
  REQUIRE(w.catalog.ReserveDirectly("crashed", {{"sku-a", 3}}).ok());
  w.clock.Advance(absl::Minutes(1));
  w.orders.SweepOnce();
  CHECK(w.store.Get("crashed")->status == OrderStatus::kFailed);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.Place(w.Command("k9", {{"sku-a", 3}})).status().code() != absl::StatusCode::kOk);
}

TEST_CASE("a failure at any step of the placement undoes the steps before it, in reverse, then records the failure") {
  struct Case {
    const char* failing_step;
    std::function<void(World&)> break_it;
    std::vector<LineRequest> lines;
    std::string reason;
    std::vector<std::string> calls;  // calls to other services and the store's placement writes, in order
  };
  std::vector<Case> cases = {
      {"product's SKU read",
       [](World& w) { w.catalog.fail_get_skus = Unavailable("PRODUCT_DOWN", "down"); },
       {{"sku-a", 2}},
       "PRODUCT_DOWN",
       {"GetSkus", "FailPlacement", "MarkStockReleased"}},
      {"pricing (an unknown SKU)",
       [](World&) {},
       {{"sku-a", 2}, {"nope", 1}},
       "SKU_NOT_FOUND",
       {"GetSkus", "FailPlacement", "MarkStockReleased"}},
      {"the quote",
       [](World& w) { w.quoter.fail = Unavailable("MARKETING_DOWN", "down"); },
       {{"sku-a", 2}},
       "MARKETING_DOWN",
       {"GetSkus", "QuotePrice", "FailPlacement", "MarkStockReleased"}},
      {"the reservation (refused)",
       [](World&) {},
       {{"sku-a", 2}, {"sku-b", 5}},
       "INSUFFICIENT_STOCK",
       {"GetSkus", "QuotePrice", "Reserve", "Release", "MarkStockReleased", "FailPlacement"}},
      {"the reservation (made, but its answer lost)",
       [](World& w) { w.catalog.lose_reserve_answer = Error(absl::StatusCode::kDeadlineExceeded, "", "too slow"); },
       {{"sku-a", 2}},
       "",
       {"GetSkus", "QuotePrice", "Reserve", "Release", "MarkStockReleased", "FailPlacement"}},
      {"writing the order",
       [](World& w) { w.store.fail_complete = Unavailable("DB_DOWN", "down"); },
       {{"sku-a", 2}},
       "DB_DOWN",
       {"GetSkus", "QuotePrice", "Reserve", "CompletePlacement", "Release", "MarkStockReleased", "FailPlacement"}},
  };
  for (const Case& c : cases) {
    INFO("failing step: " << c.failing_step);
    World w;
    w.store.journal = &w.catalog.calls;
    c.break_it(w);
    auto order = w.Place(w.Command("k1", c.lines));
    REQUIRE_FALSE(order.ok());
    CHECK(ReasonOf(order.status()) == c.reason);
    CHECK(w.catalog.calls == c.calls);
    // Nothing is held, the stock is all back and the failure is what a retry with the same key gets.
    CHECK(w.catalog.held.empty());
    CHECK(w.catalog.available["sku-a"] == 10);
    CHECK(w.orders.ListOrders("u1", 0, "")->orders.empty());
    auto retry = w.Place(w.Command("k1", c.lines));
    CHECK(retry.status().code() == order.status().code());
    CHECK(ReasonOf(retry.status()) == c.reason);
    CHECK(w.orders.SweepOnce() == 0);  // nothing left for the sweeper
  }
}

TEST_CASE("a placement waiting for another service does not hold its worker") {
  // One worker thread, as a worker pool of one: both placements start on it and both wait for the catalog at once.
  testing::SingleThreadExecutor worker;
  World w(&worker);
  w.catalog.defer_get_skus = true;
  std::atomic<int> writes_off_worker{0};
  w.store.on_write = [&](const std::string&) {
    if (!worker.OnWorker()) ++writes_off_worker;
  };

  std::promise<absl::StatusOr<Order>> first, second;
  worker.Run([&] {
    w.orders.PlaceOrder(w.Command("k1", {{"sku-a", 1}}), [&](absl::StatusOr<Order> order) { first.set_value(order); });
  });
  worker.Run([&] {
    w.orders.PlaceOrder(w.Command("k2", {{"sku-a", 2}}), [&](absl::StatusOr<Order> order) { second.set_value(order); });
  });
  REQUIRE(w.catalog.AwaitDeferred(2, absl::Seconds(10)));

  // The answers arrive on this thread, as on a gRPC thread; the writes that follow go back to the worker.
  w.catalog.CompleteDeferred();
  auto first_done = first.get_future();
  auto second_done = second.get_future();
  REQUIRE(first_done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  REQUIRE(second_done.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  auto placed_first = first_done.get();
  auto placed_second = second_done.get();
  REQUIRE(placed_first.ok());
  REQUIRE(placed_second.ok());
  CHECK(placed_first->status == OrderStatus::kPendingPayment);
  CHECK(placed_second->total == 2 * 1999);
  CHECK(w.catalog.available["sku-a"] == 7);
  CHECK(writes_off_worker == 0);
  // The worker runs its tasks in order: once this one ran, nothing of the placements is left on it.
  std::promise<void> drained;
  worker.Run([&] { drained.set_value(); });
  drained.get_future().wait();
}

}  // namespace
}  // namespace zhongtai::order
