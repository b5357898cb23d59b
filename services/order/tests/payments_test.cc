// Paying through a provider, with in-memory fakes: what the buyer and the shop see after each thing that can go
// wrong between the order service, the provider and the buyer's wallet.
#include "services/order/domain/payments.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/order/domain/orders.h"
#include "services/order/tests/fakes.h"
#include "services/order/tests/payment_fakes.h"

namespace zhongtai::order {
namespace {

class CountingObserver : public OrderObserver {
 public:
  void PaymentFinished(const std::string& result) override { ++results[result]; }
  std::map<std::string, int> results;
};

struct World {
  testing::InMemoryOrderStore store;
  testing::InMemoryPaymentStore attempts{store};
  testing::FakeCatalog catalog;
  testing::FakeQuoter quoter;
  testing::FakeCouponWallet coupons;
  testing::FakeBudgets budgets;
  testing::FakeUsers users;
  testing::FakePaymentProvider provider;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  CountingObserver observer;
  async::InlineExecutor inline_executor;
  // No shipping fee: the amounts below are the goods' (pricing_test.cc covers the fee).
  Orders orders{store, catalog, quoter,   coupons,         budgets,        users,
                clock, ids,     observer, inline_executor, NoShippingFee()};
  Payments payments{store, attempts, provider, catalog, orders, clock, ids, observer, inline_executor, Settings()};

  static OrderSettings NoShippingFee() {
    OrderSettings settings;
    settings.pricing.shipping_fee = 0;
    return settings;
  }
  static PaymentSettings Settings() {
    PaymentSettings settings;
    settings.query_after = absl::Seconds(30);
    settings.lease = absl::Minutes(1);
    return settings;
  }
  World() {
    catalog.available = {{"sku-a", 10}};
    catalog.price = {{"sku-a", 1999}};
    users.addresses["addr-1"] = {"", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};
  }
  std::string PlaceOrder(int quantity = 1) {
    static int key = 0;
    auto placed = async::Await<absl::StatusOr<Order>>([&](Callback<Order> done) {
      PlaceOrderCommand command;
      command.user_id = "u1";
      command.request_id = "k" + std::to_string(++key);
      command.lines = {{"sku-a", quantity}};
      command.address_id = "addr-1";
      command.channel = "app";
      orders.PlaceOrder(command, done);
    });
    REQUIRE(placed.ok());
    return placed->order_id;
  }
  absl::StatusOr<PayResult> Pay(const std::string& order_id, const std::string& user_id = "u1") {
    return async::Await<absl::StatusOr<PayResult>>(
        [&](Callback<PayResult> done) { payments.Pay(user_id, order_id, done); });
  }
  absl::Status Notify(const PaymentNotification& notification) {
    return async::Await<absl::Status>([&](StatusCallback done) { payments.HandleNotification(notification, done); });
  }
  OrderStatus StatusOf(const std::string& order_id) { return store.Get(order_id)->status; }
  AttemptStatus AttemptOf(const std::string& order_id) { return attempts.LatestAttempt(order_id)->status; }
};

TEST_CASE("paying hands out the pay URL and the provider's notification makes the order PAID once") {
  World w;
  std::string id = w.PlaceOrder(2);
  auto started = w.Pay(id);
  REQUIRE(started.ok());
  CHECK(started->order.status == OrderStatus::kPaying);
  CHECK(started->attempt.status == AttemptStatus::kAwaitingBuyer);
  CHECK(started->attempt.pay_url == "https://pay.example/fp1");
  CHECK(started->attempt.amount == 3998);
  CHECK(w.catalog.confirmed.count(id) == 0);  // nothing is confirmed before the money arrives

  PaymentNotification paid = w.provider.BuyerPays(id);
  w.catalog.calls.clear();
  REQUIRE(w.Notify(paid).ok());
  CHECK(w.StatusOf(id) == OrderStatus::kAwaitingShipment);
  CHECK(w.AttemptOf(id) == AttemptStatus::kSucceeded);
  CHECK(w.catalog.confirmed.count(id) == 1);
  // Confirmed once, before the payment is recorded; the paid effects do not ask the product center again.
  CHECK(std::count(w.catalog.calls.begin(), w.catalog.calls.end(), "Confirm") == 1);
  REQUIRE(w.store.payments.count(id) == 1);
  CHECK(w.store.payments[id].amount == 3998);
  CHECK(w.store.payments[id].provider == "fake");

  // The provider sends it again (it does until it hears 200): nothing changes.
  REQUIRE(w.Notify(paid).ok());
  CHECK(w.observer.results["succeeded"] == 1);
  CHECK(w.provider.Charges(id) == 1);
  auto again = w.Pay(id);
  REQUIRE(again.ok());
  CHECK(again->order.status == OrderStatus::kAwaitingShipment);
  CHECK(w.provider.creates == 1);
}

TEST_CASE("a double click on pay gets the same payment, never a second one") {
  World w;
  std::string id = w.PlaceOrder();
  auto first = w.Pay(id);
  auto second = w.Pay(id);
  REQUIRE(first.ok());
  REQUIRE(second.ok());
  CHECK(second->attempt.pay_url == first->attempt.pay_url);
  CHECK(second->attempt.attempt_no == 1);
  CHECK(w.provider.payments_created == 1);
  CHECK(w.attempts.attempts[id].size() == 1);
}

TEST_CASE("a declined payment returns the order to PENDING_PAYMENT and the buyer can pay again") {
  World w;
  std::string id = w.PlaceOrder();

  SECTION("declined when created") {
    w.provider.decline_create = true;
    auto declined = w.Pay(id);
    CHECK(ReasonOf(declined.status()) == "PAYMENT_DECLINED");
    CHECK(declined.status().code() == absl::StatusCode::kFailedPrecondition);
  }
  SECTION("declined in the wallet, reported by notification") {
    REQUIRE(w.Pay(id).ok());
    REQUIRE(w.Notify(w.provider.BuyerPays(id, /*declined=*/true)).ok());
  }
  CHECK(w.StatusOf(id) == OrderStatus::kPendingPayment);
  CHECK(w.AttemptOf(id) == AttemptStatus::kDeclined);
  CHECK(w.observer.results["declined"] == 1);
  CHECK(w.catalog.confirmed.count(id) == 0);

  auto retried = w.Pay(id);
  REQUIRE(retried.ok());
  CHECK(retried->attempt.attempt_no == 2);
  CHECK(retried->attempt.status == AttemptStatus::kAwaitingBuyer);
  REQUIRE(w.Notify(w.provider.BuyerPays(id)).ok());
  CHECK(w.StatusOf(id) == OrderStatus::kAwaitingShipment);
}

TEST_CASE("a late decline of an earlier payment leaves the newer one alone") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  PaymentNotification first_declined = w.provider.BuyerPays(id, /*declined=*/true);
  REQUIRE(w.Notify(first_declined).ok());
  REQUIRE(w.Pay(id).ok());                 // attempt 2, a new payment at the provider
  REQUIRE(w.Notify(first_declined).ok());  // the first decline, delivered again
  CHECK(w.StatusOf(id) == OrderStatus::kPaying);
  CHECK(w.AttemptOf(id) == AttemptStatus::kAwaitingBuyer);
}

TEST_CASE("a retry after the provider's answer was lost asks again by order id and never pays twice") {
  World w;
  std::string id = w.PlaceOrder();
  w.provider.fail_next = absl::DeadlineExceededError("timeout");
  w.provider.lose_answer = true;  // the provider created the payment, but we never heard
  auto lost = w.Pay(id);
  CHECK(ReasonOf(lost.status()) == "PAYMENT_PROVIDER_UNAVAILABLE");
  CHECK(lost.status().code() == absl::StatusCode::kUnavailable);
  CHECK(w.StatusOf(id) == OrderStatus::kPaying);
  CHECK(w.AttemptOf(id) == AttemptStatus::kCreated);  // saved before the provider was asked

  auto retried = w.Pay(id);
  REQUIRE(retried.ok());
  CHECK(retried->attempt.attempt_no == 1);
  CHECK(w.provider.creates == 2);
  CHECK(w.provider.payments_created == 1);
  REQUIRE(w.Notify(w.provider.BuyerPays(id)).ok());
  REQUIRE(w.Notify(w.provider.BuyerPays(id)).ok());
  CHECK(w.StatusOf(id) == OrderStatus::kAwaitingShipment);
  CHECK(w.provider.Charges(id) == 1);
  CHECK(w.store.payments.size() == 1);
}

TEST_CASE("a payment whose notification never came is settled by the sweeper querying the provider") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  w.provider.BuyerPays(id);  // the buyer paid; the notification is lost (or our process stopped before recording it)

  CHECK(w.payments.SweepOnce() == 0);  // not stale yet: the notification may still come
  w.clock.Advance(absl::Seconds(31));
  CHECK(w.payments.SweepOnce() == 1);
  CHECK(w.StatusOf(id) == OrderStatus::kAwaitingShipment);
  CHECK(w.catalog.confirmed.count(id) == 1);
  // The late notification finds the work done.
  REQUIRE(w.Notify(w.provider.BuyerPays(id)).ok());
  CHECK(w.store.payments.size() == 1);
  CHECK(w.observer.results["succeeded"] == 1);
}

TEST_CASE("an attempt saved but never sent to the provider is closed and the order can be paid again") {
  World w;
  std::string id = w.PlaceOrder();
  PaymentAttempt draft;
  draft.order_id = id;
  draft.provider = "fake";
  draft.amount = 1999;
  draft.currency = "CNY";
  draft.created_at = draft.updated_at = w.clock.Now();
  REQUIRE(w.attempts.StartAttempt(draft, w.clock.Now())->has_value());  // then the process stopped
  w.clock.Advance(absl::Seconds(31));
  CHECK(w.payments.SweepOnce() == 1);
  CHECK(w.AttemptOf(id) == AttemptStatus::kClosed);
  CHECK(w.StatusOf(id) == OrderStatus::kPendingPayment);
  REQUIRE(w.Pay(id).ok());
  CHECK(w.provider.payments_created == 1);
}

TEST_CASE("a provider that does not answer the sweeper is asked again only when the lease ends") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  w.provider.BuyerPays(id);
  w.clock.Advance(absl::Seconds(31));
  w.provider.fail_next = Unavailable("DOWN", "provider down");
  CHECK(w.payments.SweepOnce() == 0);
  CHECK(w.payments.SweepOnce() == 0);  // still leased
  CHECK(w.StatusOf(id) == OrderStatus::kPaying);
  w.clock.Advance(absl::Minutes(1));
  CHECK(w.payments.SweepOnce() == 1);
  CHECK(w.StatusOf(id) == OrderStatus::kAwaitingShipment);
}

TEST_CASE("past the deadline the sweeper closes the unpaid payment at the provider and cancels the order") {
  World w;
  std::string id = w.PlaceOrder(3);
  REQUIRE(w.Pay(id).ok());
  w.clock.Advance(absl::Minutes(16));
  CHECK(w.payments.SweepOnce() == 1);
  CHECK(w.provider.closes == 1);
  CHECK(w.StatusOf(id) == OrderStatus::kCancelled);
  CHECK(w.AttemptOf(id) == AttemptStatus::kClosed);
  w.orders.SweepOnce();  // the order sweeper gives the stock back
  CHECK(w.catalog.available["sku-a"] == 10);
}

TEST_CASE("money that arrives for a cancelled order is refunded exactly once") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  PaymentNotification paid = w.provider.BuyerPays(id);
  // The order was cancelled meanwhile (here by hand; in life the deadline raced the buyer's wallet).
  REQUIRE(*w.store.Cancel(id, OrderStatus::kPaying, "PAYMENT_TIMEOUT", w.clock.Now()));
  REQUIRE(w.Notify(paid).ok());
  REQUIRE(w.Notify(paid).ok());
  CHECK(w.StatusOf(id) == OrderStatus::kCancelled);
  CHECK(w.AttemptOf(id) == AttemptStatus::kRefunded);
  CHECK(w.provider.refunded[id] == 1999);
  CHECK(w.provider.refund_calls.size() == 1);
  CHECK(w.store.payments.empty());
}

TEST_CASE("a reservation that expired before the money arrived cancels the order and refunds") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  w.catalog.Expire(id);
  REQUIRE(w.Notify(w.provider.BuyerPays(id)).ok());
  CHECK(w.StatusOf(id) == OrderStatus::kCancelled);
  CHECK(w.AttemptOf(id) == AttemptStatus::kRefunded);
  CHECK(w.provider.refunded[id] == 1999);
  CHECK(w.observer.results["reservation_expired"] == 1);
}

TEST_CASE("a refund the provider refused for now is retried by the sweeper") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  PaymentNotification paid = w.provider.BuyerPays(id);
  REQUIRE(*w.store.Cancel(id, OrderStatus::kPaying, "PAYMENT_TIMEOUT", w.clock.Now()));
  w.provider.fail_next = Unavailable("DOWN", "provider down");
  REQUIRE(w.Notify(paid).ok());
  CHECK(w.AttemptOf(id) == AttemptStatus::kRefundDue);
  CHECK(w.payments.SweepOnce() == 1);
  CHECK(w.AttemptOf(id) == AttemptStatus::kRefunded);
  CHECK(w.provider.refunded[id] == 1999);
}

TEST_CASE("a notification with another amount than the order's is refused and pays nothing") {
  World w;
  std::string id = w.PlaceOrder();
  REQUIRE(w.Pay(id).ok());
  PaymentNotification paid = w.provider.BuyerPays(id);
  paid.amount = 1;
  CHECK(ReasonOf(w.Notify(paid)) == "PAYMENT_AMOUNT_MISMATCH");
  CHECK(w.StatusOf(id) == OrderStatus::kPaying);
  CHECK(w.store.payments.empty());
}

TEST_CASE("only the buyer can pay their order, and not after it was cancelled or overdue") {
  World w;
  std::string id = w.PlaceOrder();
  CHECK(ReasonOf(w.Pay(id, "u2").status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(w.Pay("missing").status()) == "ORDER_NOT_FOUND");
  w.clock.Advance(absl::Minutes(16));
  CHECK(ReasonOf(w.Pay(id).status()) == "PAYMENT_DEADLINE_PASSED");
  w.orders.SweepOnce();
  CHECK(ReasonOf(w.Pay(id).status()) == "ORDER_CANCELLED");
  CHECK(w.provider.creates == 0);
}

TEST_CASE("a notification for an order without a payment, or from another provider, is refused") {
  World w;
  std::string id = w.PlaceOrder();
  PaymentNotification notification;
  notification.provider = "fake";
  notification.order_id = id;
  notification.status = ProviderStatus::kSucceeded;
  CHECK(ReasonOf(w.Notify(notification)) == "PAYMENT_NOT_FOUND");
  notification.provider = "other";
  CHECK(ReasonOf(w.Notify(notification)) == "PAYMENT_PROVIDER_UNKNOWN");
  CHECK(w.StatusOf(id) == OrderStatus::kPendingPayment);
}

}  // namespace
}  // namespace zhongtai::order
