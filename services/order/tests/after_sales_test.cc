#include "services/order/domain/after_sales.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <numeric>
#include <thread>

#include "common/money/apportion.h"
#include "common/status/status.h"
#include "services/order/domain/returns.h"
#include "services/order/tests/after_sales_fakes.h"
#include "services/order/tests/payment_fakes.h"

namespace zhongtai::order {
namespace {

// An order priced the way checkout prices one: a discount and points spread over the lines by largest remainder.
Order PricedOrder(const std::string& order_id, OrderStatus status, std::vector<std::pair<std::string, int64_t>> skus) {
  Order order;
  order.order_id = order_id;
  order.user_id = "u1";
  order.status = status;
  std::vector<int64_t> subtotals;
  for (const auto& [sku, quantity] : skus) {
    OrderLine line;
    line.sku_id = sku;
    line.quantity = quantity;
    line.unit_price = 1999;
    line.subtotal = 1999 * quantity;
    subtotals.push_back(line.subtotal);
    order.lines.push_back(line);
  }
  const int64_t subtotal = std::accumulate(subtotals.begin(), subtotals.end(), int64_t{0});
  std::vector<int64_t> discounts = money::Apportion(subtotal / 7, subtotals);
  std::vector<int64_t> totals;
  for (size_t i = 0; i < order.lines.size(); ++i) {
    order.lines[i].discount = discounts[i];
    order.lines[i].total = order.lines[i].subtotal - discounts[i];
    totals.push_back(order.lines[i].total);
  }
  std::vector<int64_t> points = money::Apportion(333, totals);
  for (size_t i = 0; i < order.lines.size(); ++i) {
    order.lines[i].points_deduction = points[i];
    order.subtotal += order.lines[i].subtotal;
    order.discount += order.lines[i].discount;
  }
  order.points_used = order.points_deduction = 333;
  order.shipping_fee = 1000;
  order.total = order.subtotal - order.discount + order.shipping_fee - order.points_deduction;
  order.warehouse_id = "wh-1";
  return order;
}

struct World {
  testing::InMemoryReturnStore store;
  testing::FakePaymentProvider provider;
  testing::FakePointsRefunds points;
  testing::FakeReturnedStock stock;
  testing::FakeClock clock;
  testing::SequentialReturnIds ids;
  async::InlineExecutor inline_executor;
  Returns returns;

  World() : returns(store, provider, points, stock, clock, ids, inline_executor) {}

  void AddOrder(const Order& order, std::optional<absl::Time> deadline = std::nullopt) {
    store.orders[order.order_id] = {order, deadline};
    ProviderPayment paid;
    paid.order_id = order.order_id;
    paid.payment_id = "pay-" + order.order_id;
    paid.amount = order.total;
    paid.currency = "CNY";
    paid.status = ProviderStatus::kSucceeded;
    provider.by_order[order.order_id] = paid;
  }
  ReturnCommand Command(std::string key, ReturnType type, std::vector<ReturnLineRequest> lines,
                        std::string order_id = "o1") {
    ReturnCommand command;
    command.user_id = "u1";
    command.order_id = std::move(order_id);
    command.request_id = std::move(key);
    command.type = type;
    command.reason = "does not fit";
    command.photo_urls = {"https://img.example.com/a.jpg"};
    command.lines = std::move(lines);
    return command;
  }
  absl::StatusOr<Return> Approve(const std::string& id) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { returns.Approve(id, "", std::move(done)); });
  }
  absl::StatusOr<Return> Receive(const std::string& id, ItemCondition condition) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { returns.Receive(id, condition, "", std::move(done)); });
  }
  OrderStatus OrderStatusNow(const std::string& order_id) { return store.orders.at(order_id).order.status; }
};

TEST_CASE("which kind of after-sales an order allows follows its status and the after-sales window") {
  AfterSalesRules rules;
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  auto check = [&](OrderStatus status, ReturnType type, std::optional<absl::Time> deadline = std::nullopt) {
    ReturnableOrder order{PricedOrder("o1", status, {{"sku-a", 1}}), deadline};
    return ReasonOf(CheckEligible(order, type, now, rules));
  };
  CHECK(check(OrderStatus::kPaid, ReturnType::kRefundOnly).empty());
  CHECK(check(OrderStatus::kAwaitingShipment, ReturnType::kRefundOnly).empty());
  CHECK(check(OrderStatus::kAwaitingShipment, ReturnType::kReturnAndRefund) == "RETURN_TYPE_NOT_ALLOWED");
  CHECK(check(OrderStatus::kShipped, ReturnType::kRefundOnly).empty());
  CHECK(check(OrderStatus::kShipped, ReturnType::kReturnAndRefund).empty());
  CHECK(check(OrderStatus::kDelivered, ReturnType::kRefundOnly) == "RETURN_TYPE_NOT_ALLOWED");
  CHECK(check(OrderStatus::kDelivered, ReturnType::kExchange).empty());
  CHECK(check(OrderStatus::kCompleted, ReturnType::kReturnAndRefund, now + absl::Hours(1)).empty());
  CHECK(check(OrderStatus::kCompleted, ReturnType::kReturnAndRefund, now - absl::Seconds(1)) ==
        "AFTER_SALES_WINDOW_CLOSED");
  CHECK(check(OrderStatus::kPendingPayment, ReturnType::kRefundOnly) == "ORDER_NOT_RETURNABLE");
  CHECK(check(OrderStatus::kCancelled, ReturnType::kRefundOnly) == "ORDER_NOT_RETURNABLE");
  CHECK(check(OrderStatus::kClosed, ReturnType::kRefundOnly) == "ORDER_NOT_RETURNABLE");

  // Completed without a recorded deadline: the window runs from when it completed.
  ReturnableOrder completed{PricedOrder("o1", OrderStatus::kCompleted, {{"sku-a", 1}}), std::nullopt};
  completed.order.history.push_back({OrderStatus::kCompleted, now - rules.return_window - absl::Minutes(1), ""});
  CHECK(ReasonOf(CheckEligible(completed, ReturnType::kExchange, now, rules)) == "AFTER_SALES_WINDOW_CLOSED");
}

TEST_CASE("a return request names its lines, a reason and https photos") {
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 2}}));
  auto field_of = [&](ReturnCommand command) {
    absl::StatusOr<Return> r = w.returns.RequestReturn(command);
    return std::make_pair(ReasonOf(r.status()), FieldOf(r.status()));
  };
  ReturnCommand ok = w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 1}});
  ReturnCommand c = ok;
  c.lines = {};
  CHECK(field_of(c) == std::make_pair(std::string("LINES_EMPTY"), std::string("lines")));
  c = ok;
  c.lines = {{"sku-a", 0}};
  CHECK(field_of(c).first == "QUANTITY_NOT_POSITIVE");
  c = ok;
  c.photo_urls = {"http://img.example.com/a.jpg"};
  CHECK(field_of(c) == std::make_pair(std::string("INVALID_IMAGE_URL"), std::string("photoUrls[0]")));
  c.photo_urls = {"https://img.example.com/a b.jpg"};
  CHECK(field_of(c).first == "INVALID_IMAGE_URL");
  c = ok;
  c.photo_urls.assign(10, "https://img.example.com/a.jpg");
  CHECK(field_of(c).first == "TOO_MANY_IMAGES");
  c = ok;
  c.reason.clear();
  CHECK(field_of(c).first == "RETURN_REASON_MISSING");
  c = ok;
  c.lines = {{"sku-x", 1}};
  CHECK(field_of(c) == std::make_pair(std::string("RETURN_LINE_NOT_IN_ORDER"), std::string("lines[0].skuId")));
  c = ok;
  c.lines = {{"sku-a", 3}};
  CHECK(field_of(c) == std::make_pair(std::string("RETURN_QUANTITY_EXCEEDED"), std::string("lines[0].quantity")));
  CHECK(w.returns.RequestReturn(ok).ok());
}

TEST_CASE("a buyer can only return their own order and only read their own returns") {
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 2}}));
  ReturnCommand theirs = w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 1}});
  theirs.user_id = "u2";
  CHECK(ReasonOf(w.returns.RequestReturn(theirs).status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(
            w.returns.RequestReturn(w.Command("k2", ReturnType::kReturnAndRefund, {{"sku-a", 1}}, "nope")).status()) ==
        "ORDER_NOT_FOUND");
  auto mine = w.returns.RequestReturn(w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 1}}));
  REQUIRE(mine.ok());
  CHECK(w.returns.GetReturn("u1", mine->return_id).ok());
  CHECK(ReasonOf(w.returns.GetReturn("u2", mine->return_id).status()) == "RETURN_NOT_FOUND");
  CHECK(ReasonOf(w.returns.ShipBack("u2", mine->return_id, "SF", "SF1234567").status()) == "RETURN_NOT_FOUND");
}

TEST_CASE("the same request id answers the first return instead of asking twice") {
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 2}}));
  auto first = w.returns.RequestReturn(w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 2}}));
  auto again = w.returns.RequestReturn(w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 2}}));
  REQUIRE(first.ok());
  REQUIRE(again.ok());
  CHECK(again->return_id == first->return_id);
  CHECK(w.store.All("o1").size() == 1);
}

TEST_CASE("refund only before shipment: approving refunds money, points and shipping and closes the order") {
  World w;
  Order order = PricedOrder("o1", OrderStatus::kAwaitingShipment, {{"sku-a", 2}, {"sku-b", 1}});
  w.AddOrder(order);
  auto r = w.returns.RequestReturn(w.Command("k1", ReturnType::kRefundOnly, {{"sku-a", 2}, {"sku-b", 1}}));
  REQUIRE(r.ok());
  CHECK(r->status == ReturnStatus::kRequested);
  CHECK(r->refund_amount == order.total);  // goods after discounts and points, plus the shipping fee
  CHECK(r->shipping_refund == 1000);
  CHECK(r->points_refund == 333);
  auto approved = w.Approve(r->return_id);
  REQUIRE(approved.ok());
  CHECK(approved->status == ReturnStatus::kRefunded);
  CHECK(w.provider.refunded["o1"] == order.total);
  CHECK(w.points.returned[r->return_id] == 333);
  CHECK(w.OrderStatusNow("o1") == OrderStatus::kClosed);
  // Nothing shipped: the refunded units' stock goes back to the product center, once, from the order's warehouse.
  CHECK(r->before_shipment);
  CHECK(approved->restocked);
  CHECK(w.stock.sellable["sku-a"] == 2);
  CHECK(w.stock.sellable["sku-b"] == 1);
  CHECK(w.stock.calls == 1);
  CHECK(w.returns.SweepOnce() == 0);
  CHECK(w.stock.calls == 1);
  REQUIRE(w.store.refunded_events.size() == 1);
  CHECK(w.store.refunded_events[0].full);
  CHECK(w.store.refunded_events[0].amount == order.total);
  std::vector<ReturnStatus> seen;
  for (const ReturnStatusChange& change : approved->history) seen.push_back(change.status);
  CHECK(seen == std::vector<ReturnStatus>{ReturnStatus::kRequested, ReturnStatus::kApproved, ReturnStatus::kRefunded});
  // Nothing is left to return.
  CHECK(ReasonOf(w.returns.RequestReturn(w.Command("k2", ReturnType::kRefundOnly, {{"sku-b", 1}})).status()) ==
        "ORDER_NOT_RETURNABLE");
}

TEST_CASE("return and refund: approve, ship back, receive sellable goods back into stock, then refund") {
  World w;
  Order order = PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 3}});
  w.AddOrder(order);
  auto r = w.returns.RequestReturn(w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 1}}));
  REQUIRE(r.ok());
  const int64_t line_cash = order.lines[0].total - order.lines[0].points_deduction;
  CHECK(r->refund_amount == line_cash / 3);
  CHECK(r->shipping_refund == 0);
  auto approved = w.Approve(r->return_id);
  REQUIRE(approved.ok());
  CHECK(approved->status == ReturnStatus::kApproved);
  CHECK(w.provider.refunded["o1"] == 0);
  CHECK(ReasonOf(w.returns.ShipBack("u1", r->return_id, "SF", "bad number!").status()) == "TRACKING_NUMBER_INVALID");
  auto shipped = w.returns.ShipBack("u1", r->return_id, "SF", "SF1234567");
  REQUIRE(shipped.ok());
  CHECK(shipped->status == ReturnStatus::kReturnShipped);
  CHECK(shipped->return_tracking_number == "SF1234567");
  auto received = w.Receive(r->return_id, ItemCondition::kSellable);
  REQUIRE(received.ok());
  CHECK(received->status == ReturnStatus::kRefunded);
  CHECK(received->condition == ItemCondition::kSellable);
  CHECK(received->restocked);
  CHECK(w.stock.sellable["sku-a"] == 1);
  CHECK(w.stock.restocked.at(r->return_id).warehouse_id == "wh-1");
  CHECK(w.provider.refunded["o1"] == line_cash / 3);
  CHECK(w.OrderStatusNow("o1") == OrderStatus::kDelivered);  // two units are still the buyer's
  REQUIRE(w.store.refunded_events.size() == 1);
  CHECK_FALSE(w.store.refunded_events[0].full);
}

TEST_CASE("damaged goods are counted apart and an exchange moves no money") {
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 2}}));
  auto exchange = w.returns.RequestReturn(w.Command("k1", ReturnType::kExchange, {{"sku-a", 1}}));
  auto refund = w.returns.RequestReturn(w.Command("k2", ReturnType::kReturnAndRefund, {{"sku-a", 1}}));
  REQUIRE(exchange.ok());
  REQUIRE(refund.ok());
  CHECK(exchange->refund_amount == 0);
  REQUIRE(w.Approve(exchange->return_id).ok());
  REQUIRE(w.Approve(refund->return_id).ok());
  auto exchanged = w.Receive(exchange->return_id, ItemCondition::kDamaged);
  REQUIRE(exchanged.ok());
  CHECK(exchanged->status == ReturnStatus::kReceived);
  CHECK(w.stock.damaged["sku-a"] == 1);
  CHECK(w.stock.sellable["sku-a"] == 0);
  CHECK(w.provider.refunded["o1"] == 0);
  // Received without a tracking number (the parcel came first) is fine too.
  auto refunded = w.Receive(refund->return_id, ItemCondition::kSellable);
  REQUIRE(refunded.ok());
  CHECK(refunded->status == ReturnStatus::kRefunded);
  // An exchanged unit was never refunded: the order stays open.
  CHECK(w.OrderStatusNow("o1") == OrderStatus::kDelivered);
}

TEST_CASE("an exchange goes received, replacement shipped, exchanged, and only an exchange names a replacement") {
  CHECK(CanMove(ReturnType::kExchange, ReturnStatus::kReceived, ReturnStatus::kReplacementShipped));
  CHECK(CanMove(ReturnType::kExchange, ReturnStatus::kReplacementShipped, ReturnStatus::kExchanged));
  CHECK_FALSE(CanMove(ReturnType::kExchange, ReturnStatus::kReceived, ReturnStatus::kRefunded));
  CHECK_FALSE(CanMove(ReturnType::kReturnAndRefund, ReturnStatus::kReceived, ReturnStatus::kReplacementShipped));
  CHECK_FALSE(CanMove(ReturnType::kExchange, ReturnStatus::kExchanged, ReturnStatus::kReplacementShipped));
  Return r;
  r.type = ReturnType::kExchange;
  r.status = ReturnStatus::kReceived;
  CHECK(ReplacementDue(r));
  r.replacement_holds = {{"wh-1", "sku-a", 1}, {"wh-2", "sku-a", 1}, {"wh-1", "sku-b", 2}};
  CHECK_FALSE(ReplacementDue(r));
  // A replacement split over warehouses ships one parcel from each, carrying what that warehouse holds.
  CHECK(ReplacementWarehouses(r) == std::vector<std::string>{"wh-1", "wh-2"});
  CHECK(HeldIn(r, "wh-1") == std::vector<ReplacementHold>{{"wh-1", "sku-a", 1}, {"wh-1", "sku-b", 2}});
  CHECK(HeldIn(r, "wh-3").empty());
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 2}}));
  ReturnCommand command = w.Command("k1", ReturnType::kReturnAndRefund, {{"sku-a", 1}});
  command.lines[0].replacement_sku_id = "sku-b";
  absl::Status refused = w.returns.RequestReturn(command).status();
  CHECK(ReasonOf(refused) == "REPLACEMENT_NOT_ALLOWED");
  CHECK(FieldOf(refused) == "lines[0].replacementSkuId");
  // Without a product center to check it, an exchange sends the same SKU only.
  command.type = ReturnType::kExchange;
  CHECK(ReasonOf(w.returns.RequestReturn(command).status()) == "REPLACEMENT_NOT_ALLOWED");
}

TEST_CASE("a rejected return frees its units and illegal moves are refused") {
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kShipped, {{"sku-a", 1}}));
  auto r = w.returns.RequestReturn(w.Command("k1", ReturnType::kRefundOnly, {{"sku-a", 1}}));
  REQUIRE(r.ok());
  CHECK(ReasonOf(w.returns.RequestReturn(w.Command("k2", ReturnType::kRefundOnly, {{"sku-a", 1}})).status()) ==
        "RETURN_QUANTITY_EXCEEDED");
  CHECK(ReasonOf(w.Receive(r->return_id, ItemCondition::kSellable).status()) == "RETURN_STATE_CONFLICT");
  CHECK(ReasonOf(w.returns.ShipBack("u1", r->return_id, "SF", "SF1234567").status()) == "RETURN_STATE_CONFLICT");
  auto rejected = w.returns.Reject(r->return_id, "the parcel is already with the carrier");
  REQUIRE(rejected.ok());
  CHECK(rejected->status == ReturnStatus::kRejected);
  CHECK(ReasonOf(w.Approve(r->return_id).status()) == "RETURN_STATE_CONFLICT");
  CHECK(w.returns.RequestReturn(w.Command("k2", ReturnType::kRefundOnly, {{"sku-a", 1}})).ok());
}

TEST_CASE("a split order is returned per child order with that child's shares") {
  World w;
  Order order = PricedOrder("o1", OrderStatus::kAwaitingShipment, {{"sku-a", 1}, {"sku-b", 1}});
  ChildOrder c1, c2;
  c1.child_order_id = "o1-1";
  c1.warehouse_id = "wh-1";
  c1.lines = {order.lines[0]};
  c1.shipping_fee = 600;
  c2.child_order_id = "o1-2";
  c2.warehouse_id = "wh-2";
  c2.lines = {order.lines[1]};
  c2.shipping_fee = 400;
  order.children = {c1, c2};
  order.warehouse_id.clear();
  w.AddOrder(order);
  CHECK(ReasonOf(w.returns.RequestReturn(w.Command("k1", ReturnType::kRefundOnly, {{"sku-b", 1}})).status()) ==
        "CHILD_ORDER_REQUIRED");
  ReturnCommand command = w.Command("k1", ReturnType::kRefundOnly, {{"sku-a", 1}});
  command.child_order_id = "o1-2";
  CHECK(ReasonOf(w.returns.RequestReturn(command).status()) == "RETURN_LINE_NOT_IN_ORDER");
  command.child_order_id = "o1-9";
  CHECK(ReasonOf(w.returns.RequestReturn(command).status()) == "CHILD_ORDER_NOT_FOUND");
  command.child_order_id = "o1-1";
  auto first = w.returns.RequestReturn(command);
  REQUIRE(first.ok());
  CHECK(first->shipping_refund == 600);
  CHECK(first->refund_amount == order.lines[0].total - order.lines[0].points_deduction + 600);
  REQUIRE(w.Approve(first->return_id).ok());
  CHECK(w.OrderStatusNow("o1") == OrderStatus::kAwaitingShipment);
  ReturnCommand second = w.Command("k2", ReturnType::kRefundOnly, {{"sku-b", 1}});
  second.child_order_id = "o1-2";
  auto last = w.returns.RequestReturn(second);
  REQUIRE(last.ok());
  REQUIRE(w.Approve(last->return_id).ok());
  CHECK(w.provider.refunded["o1"] == order.total);
  CHECK(w.OrderStatusNow("o1") == OrderStatus::kClosed);
  CHECK(w.store.refunded_events.back().full);
}

TEST_CASE("many partial returns of one order refund exactly what was paid, never more") {
  World w;
  Order order = PricedOrder("o1", OrderStatus::kShipped, {{"sku-a", 7}, {"sku-b", 5}, {"sku-c", 3}});
  w.AddOrder(order);
  int key = 0;
  int64_t refunded = 0;
  // One unit at a time, alternating lines, some requests rejected and asked again.
  for (int round = 0; round < 7; ++round) {
    for (const char* sku : {"sku-a", "sku-b", "sku-c"}) {
      auto r =
          w.returns.RequestReturn(w.Command("k" + std::to_string(++key), ReturnType::kReturnAndRefund, {{sku, 1}}));
      if (!r.ok()) {
        CHECK(ReasonOf(r.status()) == "RETURN_QUANTITY_EXCEEDED");
        continue;
      }
      if (key % 5 == 0) {
        REQUIRE(w.returns.Reject(r->return_id, "").ok());
        continue;
      }
      REQUIRE(w.Approve(r->return_id).ok());
      auto done = w.Receive(r->return_id, ItemCondition::kSellable);
      REQUIRE(done.ok());
      refunded += done->refund_amount;
      CHECK(w.provider.refunded["o1"] == refunded);
      CHECK(refunded <= order.total);
    }
  }
  for (const char* sku : {"sku-a", "sku-b", "sku-c"}) {  // what the rejections left
    for (;;) {
      auto r =
          w.returns.RequestReturn(w.Command("k" + std::to_string(++key), ReturnType::kReturnAndRefund, {{sku, 1}}));
      if (!r.ok()) break;
      REQUIRE(w.Approve(r->return_id).ok());
      REQUIRE(w.Receive(r->return_id, ItemCondition::kSellable).ok());
    }
  }
  // Goods were shipped, so the shipping fee stays with the shop; every fen and point paid for goods came back.
  CHECK(w.provider.refunded["o1"] == order.total - order.shipping_fee);
  int64_t points = 0;
  for (const auto& [id, p] : w.points.returned) points += p;
  CHECK(points == order.points_deduction);
  CHECK(w.OrderStatusNow("o1") == OrderStatus::kClosed);
  CHECK(w.store.refunded_events.back().full);
}

TEST_CASE("a refund the provider failed stays owed and the sweeper pays it once") {
  World w;
  Order order = PricedOrder("o1", OrderStatus::kPaid, {{"sku-a", 1}});
  w.AddOrder(order);
  auto r = w.returns.RequestReturn(w.Command("k1", ReturnType::kRefundOnly, {{"sku-a", 1}}));
  REQUIRE(r.ok());
  w.provider.fail_next = Unavailable("PAYMENT_PROVIDER_UNAVAILABLE", "down");
  auto failed = w.Approve(r->return_id);
  CHECK(ReasonOf(failed.status()) == "PAYMENT_PROVIDER_UNAVAILABLE");
  CHECK(w.returns.GetReturn("u1", r->return_id)->status == ReturnStatus::kApproved);
  w.points.fail = Unavailable("USER_UNAVAILABLE", "down");
  CHECK(w.returns.SweepOnce() == 0);  // money went back, points did not: still owed
  CHECK(w.provider.refunded["o1"] == order.total);
  w.points.fail = absl::OkStatus();
  CHECK(w.returns.SweepOnce() == 1);
  CHECK(w.returns.GetReturn("u1", r->return_id)->status == ReturnStatus::kRefunded);
  CHECK(w.provider.refunded["o1"] == order.total);  // the refund id made the retry a no-op
  CHECK(w.returns.SweepOnce() == 0);
  CHECK(w.store.refunded_events.size() == 1);
}

TEST_CASE("concurrent requests on the same lines never claim a unit twice") {
  World w;
  w.AddOrder(PricedOrder("o1", OrderStatus::kDelivered, {{"sku-a", 3}}));
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (w.returns.RequestReturn(w.Command("k" + std::to_string(i), ReturnType::kReturnAndRefund, {{"sku-a", 2}}))
              .ok()) {
        ++accepted;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(accepted == 1);
}

}  // namespace
}  // namespace zhongtai::order
