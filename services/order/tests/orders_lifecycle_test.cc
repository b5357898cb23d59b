// The order after its placement: paying and its effects, reads, cancellation, the sweeper.
#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/order/domain/orders.h"
#include "services/order/tests/orders_world.h"

namespace zhongtai::order {
namespace {

TEST_CASE(
    "paying confirms the stock, redeems the coupon and spends the points once, then the order awaits shipment: paying "
    "again returns the paid order") {
  World w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  w.catalog.calls.clear();
  auto paid = w.Pay("u1", order->order_id);
  REQUIRE(paid.ok());
  CHECK(paid->status == OrderStatus::kAwaitingShipment);
  CHECK(w.catalog.calls == Calls{"Confirm", "RedeemCoupon", "CommitPoints"});
  CHECK(w.catalog.confirmed.count(order->order_id) == 1);
  CHECK(w.coupons.redeemed[order->order_id] == "c-300");
  CHECK(w.users.committed[order->order_id] == 100);
  CHECK(w.store.paid_effects_applied[order->order_id]);
  CHECK(w.store.payments.at(order->order_id).amount == order->total);

  auto again = w.Pay("u1", order->order_id);
  REQUIRE(again.ok());
  CHECK(again->status == OrderStatus::kAwaitingShipment);
  CHECK(w.store.payments.size() == 1);
  CHECK(w.catalog.calls.size() == 3);
  CHECK(ReasonOf(w.Cancel("u1", order->order_id).status()) == "ORDER_ALREADY_PAID");
}

TEST_CASE("an after-payment effect that failed is applied again by the sweeper") {
  World w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  w.users.fail_commit = Unavailable("USER_DOWN", "user unavailable");
  auto paid = w.Pay("u1", order->order_id);
  REQUIRE(paid.ok());  // the buyer has paid: the effects are the service's to finish
  CHECK(paid->status == OrderStatus::kPaid);
  CHECK_FALSE(w.store.paid_effects_applied[order->order_id]);
  w.users.fail_commit = absl::OkStatus();
  CHECK(w.orders.SweepOnce() == 0);  // not before stale_after: the payment may still be applying them
  w.clock.Advance(absl::Minutes(1));
  CHECK(w.orders.SweepOnce() == 1);
  CHECK(w.users.committed[order->order_id] == 100);
  CHECK(w.store.paid_effects_applied[order->order_id]);
  CHECK(w.orders.SweepOnce() == 0);
}

TEST_CASE("another user's order is not found, exactly like a missing one") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  CHECK(ReasonOf(w.orders.GetOrder("u2", order->order_id).status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(w.orders.GetOrder("u1", "missing").status()) == "ORDER_NOT_FOUND");
  CHECK(w.orders.GetOrder("u1", order->order_id).ok());
}

TEST_CASE("cancelling returns the stock, coupon and points and cannot be paid afterwards") {
  World w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 4}}));
  REQUIRE(order.ok());
  auto cancelled = w.Cancel("u1", order->order_id);
  REQUIRE(cancelled.ok());
  CHECK(cancelled->status == OrderStatus::kCancelled);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.NothingHeld());
  CHECK(w.store.holds_released[order->order_id]);
  auto again = w.Cancel("u1", order->order_id);  // idempotent
  REQUIRE(again.ok());
  CHECK(again->status == OrderStatus::kCancelled);
  CHECK(ReasonOf(w.Pay("u1", order->order_id).status()) == "ORDER_CANCELLED");
}

TEST_CASE("the sweeper cancels unpaid orders after their deadline and returns their stock, coupon and points") {
  World w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 5}}));
  REQUIRE(order.ok());
  w.clock.Advance(absl::Minutes(14));
  CHECK(w.orders.SweepOnce() == 0);
  w.clock.Advance(absl::Minutes(2));
  CHECK(w.orders.SweepOnce() == 1);
  CHECK(w.orders.GetOrder("u1", order->order_id)->status == OrderStatus::kCancelled);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.NothingHeld());
  CHECK(ReasonOf(w.Pay("u1", order->order_id).status()) == "ORDER_CANCELLED");
}

TEST_CASE("a paid order whose reservation expired stays paid and its effects stay pending for the sweeper") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  w.catalog.Expire(order->order_id);
  auto paid = w.Pay("u1", order->order_id);
  REQUIRE(paid.ok());
  CHECK(paid->status == OrderStatus::kPaid);
  CHECK_FALSE(w.store.paid_effects_applied[order->order_id]);
}

TEST_CASE("a release that failed is retried by the sweeper") {
  World w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  w.coupons.fail_release = Unavailable("MARKETING_DOWN", "marketing unavailable");
  REQUIRE(w.Cancel("u1", order->order_id).ok());
  CHECK(w.coupons.locked.count(order->order_id) == 1);
  CHECK_FALSE(w.store.holds_released[order->order_id]);
  w.coupons.fail_release = absl::OkStatus();
  w.orders.SweepOnce();
  CHECK(w.NothingHeld());
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.store.holds_released[order->order_id]);
}

TEST_CASE("an interrupted saga is failed by the sweeper and its stock, coupon and points released") {
  World w;
  Order draft;
  draft.order_id = "crashed";
  draft.user_id = "u1";
  draft.request_id = "k9";
  draft.coupon_id = "c-300";
  draft.points_used = 100;
  draft.created_at = w.clock.Now();
  REQUIRE(w.store.BeginPlacement(draft).ok());
  // The process died after every hold was made, before the order was written.
  REQUIRE(w.catalog.ReserveDirectly("crashed", {{"sku-a", 3}}).ok());
  w.coupons.locked["crashed"] = "c-300";
  w.users.held["crashed"] = 100;
  w.clock.Advance(absl::Minutes(1));
  w.orders.SweepOnce();
  CHECK(w.store.Get("crashed")->status == OrderStatus::kFailed);
  CHECK(w.catalog.available["sku-a"] == 10);
  CHECK(w.NothingHeld());
  CHECK(w.Place(w.Command("k9", {{"sku-a", 3}})).status().code() != absl::StatusCode::kOk);
}

// The holds are made at once and released at once; every step before them holds nothing.

}  // namespace
}  // namespace zhongtai::order
