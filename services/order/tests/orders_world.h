// The order domain (domain/orders.h) with in-memory fakes, shared by the tests of placement, of the order after it and
// of the discount budgets.
#pragma once

#include <string>
#include <vector>

#include "common/status/status.h"
#include "services/order/domain/orders.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order {

using Calls = std::vector<std::string>;

// The domain with in-memory fakes. Blocking work runs inline unless a test gives it a worker of its own. Every call to
// another service lands in one journal (catalog.calls), in the order it was made.
struct World {
  testing::InMemoryOrderStore store;
  testing::FakeCatalog catalog;
  testing::FakeQuoter quoter;
  testing::FakeCouponWallet coupons;
  testing::FakeBudgets budgets;
  testing::FakeUsers users;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  OrderObserver observer;
  async::InlineExecutor inline_executor;
  Orders orders;

  explicit World(Executor* blocking = nullptr, OrderSettings settings = {}, ShippingRates* shipping_rates = nullptr)
      : orders(store, catalog, quoter, coupons, budgets, users, clock, ids, observer,
               blocking ? *blocking : inline_executor, settings, shipping_rates) {
    catalog.available = {{"sku-a", 10}, {"sku-b", 1}};
    catalog.price = {{"sku-a", 1999}, {"sku-b", 500}};
    quoter.calls = &catalog.calls;
    coupons.calls = &catalog.calls;
    budgets.calls = &catalog.calls;
    users.calls = &catalog.calls;
    users.member.points_balance = 5000;
    users.addresses["addr-1"] = {"", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};
    quoter.coupon_off = {{"c-300", 300}};
  }
  PlaceOrderCommand Command(std::string key, std::vector<LineRequest> lines) {
    PlaceOrderCommand command;
    command.user_id = "u1";
    command.request_id = std::move(key);
    command.lines = std::move(lines);
    command.address_id = "addr-1";
    command.channel = "app";
    return command;
  }
  // With a coupon and points, so that every hold is made.
  PlaceOrderCommand FullCommand(std::string key, std::vector<LineRequest> lines) {
    PlaceOrderCommand command = Command(std::move(key), std::move(lines));
    command.coupon_id = "c-300";
    command.points_to_use = 100;
    return command;
  }

  // The asynchronous use cases, waited for.
  absl::StatusOr<Order> Place(const PlaceOrderCommand& command) {
    return async::Await<absl::StatusOr<Order>>([&](Callback<Order> done) { orders.PlaceOrder(command, done); });
  }
  absl::StatusOr<CheckoutQuote> Quote(const CheckoutCommand& command) {
    return async::Await<absl::StatusOr<CheckoutQuote>>(
        [&](Callback<CheckoutQuote> done) { orders.QuoteCheckout(command, done); });
  }
  // What Payments does once the provider has the money (payments_test.cc covers the provider's side): the order
  // becomes PAID with its payment record, then its holds become final through Orders::ApplyPaid.
  absl::StatusOr<Order> Pay(const std::string& user_id, const std::string& order_id) {
    absl::StatusOr<Order> order = LoadOwnOrder(store, user_id, order_id);
    if (!order.ok()) return order.status();
    if (order->status == OrderStatus::kCancelled) return FailedPrecondition("ORDER_CANCELLED", "cancelled");
    if (IsPaidOrLater(order->status)) return order;
    absl::StatusOr<bool> claimed = store.ClaimForPayment(order_id, clock.Now());
    if (!claimed.ok()) return claimed.status();
    Payment payment;
    payment.payment_id = "pay-" + order_id;
    payment.order_id = order_id;
    payment.amount = order->total;
    payment.currency = order->currency;
    payment.provider = "test";
    payment.paid_at = clock.Now();
    absl::StatusOr<bool> marked = store.MarkPaid(payment);
    if (!marked.ok()) return marked.status();
    absl::StatusOr<Order> paid = store.Get(order_id);
    if (!paid.ok()) return paid.status();
    async::Await<absl::Status>([&](StatusCallback done) { orders.ApplyPaid(*paid, false, done); });
    return store.Get(order_id);
  }
  absl::StatusOr<Order> Cancel(const std::string& user_id, const std::string& order_id) {
    return async::Await<absl::StatusOr<Order>>(
        [&](Callback<Order> done) { orders.CancelOrder(user_id, order_id, "", done); });
  }
  bool NothingHeld() { return catalog.held.empty() && coupons.locked.empty() && users.held.empty(); }
};

}  // namespace zhongtai::order
