#include "services/order/domain/orders.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <future>

#include "common/status/status.h"
#include "services/order/domain/refund_shares.h"
#include "services/order/domain/split.h"
#include "services/order/tests/fakes.h"
#include "services/order/tests/orders_world.h"

namespace zhongtai::order {
namespace {

TEST_CASE("placing an order quotes, reserves and leaves it pending payment") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 2}, {"sku-b", 1}}));
  REQUIRE(order.ok());
  CHECK(order->status == OrderStatus::kPendingPayment);
  CHECK(order->subtotal == 2 * 1999 + 500);
  CHECK(order->shipping_fee == 1000);  // the normal tier has no free shipping
  CHECK(order->total == 2 * 1999 + 500 + 1000);
  CHECK(order->lines.size() == 2);
  CHECK(w.catalog.available["sku-a"] == 8);
  // Member and address at once, then prices, the quote and the stock; no coupon or points: nothing else is held.
  CHECK(w.catalog.calls == Calls{"GetMember", "GetAddress", "GetSkus", "QuotePrice", "Reserve"});
}

TEST_CASE("marketing is asked to price each line with its brand and category path, for scoped promotions") {
  World w;
  w.catalog.brand_of["sku-a"] = "brand-huawei";
  w.catalog.category_path_of["sku-a"] = {"cat-digital", "cat-phones"};
  REQUIRE(w.Place(w.Command("k-scope", {{"sku-a", 1}, {"sku-b", 1}})).ok());
  REQUIRE(w.quoter.last_request.lines.size() == 2);
  CHECK(w.quoter.last_request.lines[0].brand_id == "brand-huawei");
  CHECK(w.quoter.last_request.lines[0].category_path == std::vector<std::string>{"cat-digital", "cat-phones"});
  CHECK(w.quoter.last_request.lines[1].brand_id.empty());
  CHECK(w.quoter.last_request.lines[1].category_path.empty());
}

TEST_CASE("an order is priced at the buyer's tier with the coupon, points and free shipping, for the address given") {
  World w;
  w.users.member.tier = "gold";
  w.users.member.tags = {"vip"};
  w.users.member.free_shipping_threshold = 3000;
  w.catalog.tier_price[{"sku-a", "gold"}] = 1799;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  CHECK(w.catalog.last_tier == "gold");
  REQUIRE(order->lines.size() == 1);
  CHECK(order->lines[0].unit_price == 1799);
  CHECK(order->lines[0].list_price == 1999);
  CHECK(order->lines[0].price_rule == "member:gold");
  // Marketing is told who buys, where and with which coupon.
  CHECK(w.quoter.last_request.member_tier == "gold");
  CHECK(w.quoter.last_request.user_tags == std::vector<std::string>{"vip"});
  CHECK(w.quoter.last_request.channel == "app");
  CHECK(w.quoter.last_request.coupon_id == "c-300");
  CHECK(order->subtotal == 3598);
  CHECK(order->discount == 300);
  CHECK(order->shipping_fee == 0);  // 3298 of goods reach the gold threshold
  CHECK(order->points_used == 100);
  CHECK(order->points_deduction == 100);
  CHECK(order->lines[0].points_deduction == 100);
  CHECK(order->total == 3598 - 300 - 100);
  CHECK(order->coupon_id == "c-300");
  // The stock is reserved for the address's region and the coupon and points are held for the order.
  CHECK(w.catalog.last_ship_to.province_code == "440000");
  CHECK(w.catalog.last_ship_to.city_code == "440300");
  CHECK(w.coupons.locked[order->order_id] == "c-300");
  CHECK(w.users.held[order->order_id] == 100);
  CHECK(order->address.recipient_name == "Li Lei");
  CHECK(order->address.detail == "Keyuan Rd 1");
  CHECK(order->address.address_id == "addr-1");
  CHECK(order->warehouse_id == "wh-1");
  CHECK(order->children.empty());

  // Editing the address book afterwards does not change the order.
  w.users.addresses["addr-1"].detail = "somewhere else";
  CHECK(w.orders.GetOrder("u1", order->order_id)->address.detail == "Keyuan Rd 1");
}

TEST_CASE("below the tier's free-shipping threshold the flat fee is charged, as configured") {
  OrderSettings settings;
  settings.pricing.shipping_fee = 800;
  World w(nullptr, settings);
  w.users.member.free_shipping_threshold = 5000;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  CHECK(order->shipping_fee == 800);
  CHECK(order->total == 1999 + 800);
}

TEST_CASE("checkout charges the shipping fee of the carrier rule the parcel would go by, else the flat fee") {
  testing::FakeShippingRates rates;
  rates.fee = 2300;
  OrderSettings settings;
  settings.pricing.shipping_fee = 800;
  World w(nullptr, settings, &rates);
  CheckoutCommand command;
  command.user_id = "u1";
  command.lines = {{"sku-a", 2}};
  command.address_id = "addr-1";
  auto quote = w.Quote(command);
  REQUIRE(quote.ok());
  CHECK(quote->price.shipping_fee == 2300);
  // The rules saw the goods' worth and the address's province; no warehouse before anything is reserved.
  REQUIRE(rates.asked.size() == 1);
  CHECK(rates.asked[0].value == 2 * 1999);
  CHECK(rates.asked[0].region == "440000");
  CHECK(rates.asked[0].warehouse_id.empty());

  auto order = w.Place(w.Command("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  CHECK(order->shipping_fee == 2300);
  CHECK(order->total == 2 * 1999 + 2300);

  rates.fee = std::nullopt;  // the rule sets no fee
  CHECK(w.Place(w.Command("k2", {{"sku-a", 1}}))->shipping_fee == 800);
  rates.fee = 2300;
  w.users.member.free_shipping_threshold = 3000;  // the tier ships free from ¥30 whatever the rule charges
  CHECK(w.Place(w.Command("k3", {{"sku-a", 2}}))->shipping_fee == 0);
}

TEST_CASE("an order held in two warehouses is split into child orders whose amounts sum to the parent's") {
  World w;
  w.catalog.available["sku-b"] = 5;
  w.catalog.warehouse_of = {{"sku-a", "wh-north"}, {"sku-b", "wh-south"}};
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 1}, {"sku-b", 3}}));
  REQUIRE(order.ok());
  REQUIRE(order->children.size() == 2);
  CHECK(order->warehouse_id.empty());
  int64_t subtotal = 0, discount = 0, shipping = 0, points = 0, total = 0;
  for (const ChildOrder& child : order->children) {
    REQUIRE(child.lines.size() == 1);
    subtotal += child.subtotal;
    discount += child.discount;
    shipping += child.shipping_fee;
    points += child.points_deduction;
    total += child.total;
  }
  CHECK(order->children[0].child_order_id == order->order_id + "-1");
  CHECK(order->children[0].warehouse_id == "wh-north");
  CHECK(order->children[0].lines[0].sku_id == "sku-a");
  CHECK(order->children[1].lines[0].quantity == 3);
  CHECK(subtotal == order->subtotal);
  CHECK(discount == order->discount);
  CHECK(shipping == order->shipping_fee);
  CHECK(points == order->points_deduction);
  CHECK(total == order->total);
  // Shown with the order.
  CHECK(w.orders.GetOrder("u1", order->order_id)->children.size() == 2);
}

TEST_CASE("the channel is one of the known ones and an order needs an address") {
  World w;
  auto command = w.Command("k1", {{"sku-a", 1}});
  command.channel = "ebay";
  auto unknown = w.Place(command);
  CHECK(ReasonOf(unknown.status()) == "CHANNEL_UNKNOWN");
  CHECK(FieldOf(unknown.status()) == "channel");
  command.channel = "tmall";
  CHECK(w.Place(command).ok());

  auto no_address = w.Command("k2", {{"sku-a", 1}});
  no_address.address_id.clear();
  auto missing = w.Place(no_address);
  CHECK(ReasonOf(missing.status()) == "SHIPPING_ADDRESS_MISSING");
  CHECK(FieldOf(missing.status()) == "addressId");

  auto negative = w.Command("k3", {{"sku-a", 1}});
  negative.points_to_use = -1;
  CHECK(FieldOf(w.Place(negative).status()) == "pointsToUse");
}

TEST_CASE("points are limited by the balance and by the configured share of the goods") {
  World w;
  w.users.member.points_balance = 50;
  auto over_balance = w.Command("k1", {{"sku-a", 1}});
  over_balance.points_to_use = 51;
  auto refused = w.Place(over_balance);
  CHECK(ReasonOf(refused.status()) == "INSUFFICIENT_POINTS");
  CHECK(FieldOf(refused.status()) == "pointsToUse");

  w.users.member.points_balance = 100000;
  auto over_share = w.Command("k2", {{"sku-a", 1}});
  over_share.points_to_use = 1000;  // 50% of 1999 is 999
  CHECK(ReasonOf(w.Place(over_share).status()) == "POINTS_OVER_REDEEM_LIMIT");
  over_share.request_id = "k3";
  over_share.points_to_use = 999;
  CHECK(w.Place(over_share).ok());
}

TEST_CASE("the checkout quote prices like the order without holding or writing anything") {
  World w;
  w.users.member.free_shipping_threshold = 100000;
  CheckoutCommand command;
  command.user_id = "u1";
  command.lines = {{"sku-a", 2}, {"sku-b", 1}};
  command.coupon_id = "c-300";
  command.points_to_use = 200;
  auto quote = w.Quote(command);
  REQUIRE(quote.ok());
  CHECK(quote->price.subtotal == 2 * 1999 + 500);
  CHECK(quote->price.discount == 300);
  CHECK(quote->price.shipping_fee == 1000);
  CHECK(quote->price.points_deduction == 200);
  CHECK(quote->price.total == 2 * 1999 + 500 - 300 + 1000 - 200);
  CHECK(quote->price.max_points == (2 * 1999 + 500 - 300) / 2);
  REQUIRE(quote->line_shares.size() == 2);
  CHECK(quote->line_shares[0][0].promotion_id == "c-300");
  CHECK(quote->price.lines[0].points_deduction + quote->price.lines[1].points_deduction == 200);
  CHECK(quote->free_shipping_threshold == 100000);
  // No address asked for, nothing reserved, locked or held, no order.
  CHECK(w.catalog.calls == Calls{"GetMember", "GetSkus", "QuotePrice"});
  CHECK(w.orders.ListOrders("u1", 0, "")->orders.empty());

  // A coupon that cannot be used is explained, not refused.
  command.coupon_id = "c-unknown";
  auto explained = w.Quote(command);
  REQUIRE(explained.ok());
  REQUIRE(explained->not_applied.size() == 1);
  CHECK(explained->not_applied[0].coupon_reason == "COUPON_NOT_FOUND");
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
  CHECK(w.catalog.calls == Calls{"GetMember", "GetAddress", "GetSkus", "QuotePrice", "Reserve", "Release"});

  auto retry = w.Place(w.Command("k1", {{"sku-a", 3}}));
  CHECK(ReasonOf(retry.status()) == "DB_DOWN");
  // Definite for the repeat: the placement is over (a 503 again would have the client retry the same key forever).
  CHECK(retry.status().code() == absl::StatusCode::kAborted);
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
  CHECK(w.catalog.calls == Calls{"GetMember", "GetAddress", "GetSkus", "QuotePrice"});
}

TEST_CASE("an unknown SKU is NOT_FOUND naming the line") {
  World w;
  auto order = w.Place(w.Command("k1", {{"sku-a", 1}, {"nope", 1}}));
  CHECK(order.status().code() == absl::StatusCode::kNotFound);
  CHECK(FieldOf(order.status()) == "lines[1].skuId");
}

TEST_CASE("a failure at any step of the placement undoes the steps before it, in reverse, then records the failure") {
  struct Case {
    const char* failing_step;
    std::function<void(World&)> break_it;
    std::vector<LineRequest> lines;
    std::string reason;
    std::vector<std::string> calls;  // calls to other services and the store's placement writes, in order
  };
  const Calls kPricing = {"GetMember", "GetAddress", "GetSkus", "QuotePrice"};
  const Calls kHolds = {"Reserve", "LockCoupon", "HoldPoints"};
  const Calls kReleases = {"Release", "ReleaseCoupon", "ReleasePoints", "MarkHoldsReleased"};
  auto join = [](std::vector<Calls> parts) {
    Calls all;
    for (const Calls& part : parts) all.insert(all.end(), part.begin(), part.end());
    return all;
  };
  const Calls kNothingHeld = {"FailPlacement", "MarkHoldsReleased"};
  std::vector<Case> cases = {
      {"user's member read",
       [](World& w) { w.users.fail_member = Unavailable("USER_DOWN", "down"); },
       {{"sku-a", 2}},
       "USER_DOWN",
       join({{"GetMember", "GetAddress"}, kNothingHeld})},
      {"user's address (not the buyer's)",
       [](World& w) { w.users.addresses.clear(); },
       {{"sku-a", 2}},
       "ADDRESS_NOT_FOUND",
       join({{"GetMember", "GetAddress"}, kNothingHeld})},
      {"product's SKU read",
       [](World& w) { w.catalog.fail_get_skus = Unavailable("PRODUCT_DOWN", "down"); },
       {{"sku-a", 2}},
       "PRODUCT_DOWN",
       join({{"GetMember", "GetAddress", "GetSkus"}, kNothingHeld})},
      {"pricing (an unknown SKU)",
       [](World&) {},
       {{"sku-a", 2}, {"nope", 1}},
       "SKU_NOT_FOUND",
       join({{"GetMember", "GetAddress", "GetSkus"}, kNothingHeld})},
      {"the quote",
       [](World& w) { w.quoter.fail = Unavailable("MARKETING_DOWN", "down"); },
       {{"sku-a", 2}},
       "MARKETING_DOWN",
       join({kPricing, kNothingHeld})},
      {"the coupon (not the buyer's)",
       [](World& w) { w.quoter.coupon_off.clear(); },
       {{"sku-a", 2}},
       "COUPON_NOT_FOUND",
       join({kPricing, kNothingHeld})},
      {"the points (more than the balance)",
       [](World& w) { w.users.member.points_balance = 10; },
       {{"sku-a", 2}},
       "INSUFFICIENT_POINTS",
       join({kPricing, kNothingHeld})},
      {"the reservation (refused)",
       [](World&) {},
       {{"sku-a", 2}, {"sku-b", 5}},
       "INSUFFICIENT_STOCK",
       join({kPricing, kHolds, kReleases, {"FailPlacement"}})},
      {"the reservation (made, but its answer lost)",
       [](World& w) { w.catalog.lose_reserve_answer = Error(absl::StatusCode::kDeadlineExceeded, "", "too slow"); },
       {{"sku-a", 2}},
       "",
       join({kPricing, kHolds, kReleases, {"FailPlacement"}})},
      {"the coupon lock",
       [](World& w) { w.coupons.fail_lock = FailedPrecondition("COUPON_LOCKED", "another order holds it"); },
       {{"sku-a", 2}},
       "COUPON_LOCKED",
       join({kPricing, kHolds, kReleases, {"FailPlacement"}})},
      {"the points hold",
       [](World& w) { w.users.fail_hold = FailedPrecondition("INSUFFICIENT_POINTS", "spent meanwhile"); },
       {{"sku-a", 2}},
       "INSUFFICIENT_POINTS",
       join({kPricing, kHolds, kReleases, {"FailPlacement"}})},
      {"writing the order",
       [](World& w) { w.store.fail_complete = Unavailable("DB_DOWN", "down"); },
       {{"sku-a", 2}},
       "DB_DOWN",
       join({kPricing, kHolds, {"CompletePlacement"}, kReleases, {"FailPlacement"}})},
  };
  for (const Case& c : cases) {
    INFO("failing step: " << c.failing_step);
    World w;
    w.store.journal = &w.catalog.calls;
    c.break_it(w);
    auto order = w.Place(w.FullCommand("k1", c.lines));
    REQUIRE_FALSE(order.ok());
    CHECK(ReasonOf(order.status()) == c.reason);
    CHECK(w.catalog.calls == c.calls);
    // Nothing is held, the stock is all back and the failure is what a retry with the same key gets: the same
    // reason, and for a passing failure (unavailable, timed out) ABORTED, so that the retry is a definite answer.
    CHECK(w.NothingHeld());
    CHECK(w.catalog.available["sku-a"] == 10);
    CHECK(w.orders.ListOrders("u1", 0, "")->orders.empty());
    auto retry = w.Place(w.FullCommand("k1", c.lines));
    const absl::StatusCode first = order.status().code();
    const bool passing = first == absl::StatusCode::kUnavailable || first == absl::StatusCode::kDeadlineExceeded ||
                         first == absl::StatusCode::kAborted || first == absl::StatusCode::kResourceExhausted;
    CHECK(retry.status().code() == (passing ? absl::StatusCode::kAborted : first));
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
  CHECK(placed_second->subtotal == 2 * 1999);
  CHECK(w.catalog.available["sku-a"] == 7);
  CHECK(writes_off_worker == 0);
  // The worker runs its tasks in order: once this one ran, nothing of the placements is left on it.
  std::promise<void> drained;
  worker.Run([&] { drained.set_value(); });
  drained.get_future().wait();
}

// Budgets: a promotion of 200 on the first line and the coupon of 300, both with budgets of 1000.
TEST_CASE("a buy-X-get-Y gift is added at price 0, reserved with the order, and refunds 0") {
  World w;
  w.catalog.available["sku-gift"] = 5;
  w.catalog.price["sku-gift"] = 3000;
  w.quoter.gifts = {{"sku-gift", 1, "promo-gift"}};
  absl::StatusOr<Order> order = w.Place(w.FullCommand("k-gift", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  REQUIRE(order->lines.size() == 2);
  const OrderLine& gift = order->lines[1];
  CHECK(gift.sku_id == "sku-gift");
  CHECK(gift.IsGift());
  CHECK(gift.gift_promotion_id == "promo-gift");
  CHECK(gift.quantity == 1);
  CHECK(gift.unit_price == 0);
  CHECK(gift.subtotal == 0);
  CHECK(gift.total == 0);
  CHECK(gift.points_deduction == 0);
  CHECK_FALSE(order->lines[0].IsGift());
  // The gift adds nothing to the amounts: 2 x 19.99 - 3.00 coupon - 1.00 points + 10.00 shipping.
  CHECK(order->subtotal == 3998);
  CHECK(order->discount == 300);
  CHECK(order->total == 3998 - 300 - 100 + 1000);
  CHECK(order->gift_note.empty());
  // Its stock is held with the order's, in one reservation.
  CHECK(w.catalog.available["sku-gift"] == 4);
  CHECK(w.catalog.available["sku-a"] == 8);
  CHECK(w.catalog.held[order->order_id].size() == 2);
  // The stored order keeps the mark.
  absl::StatusOr<Order> stored = w.orders.GetOrder("u1", order->order_id);
  REQUIRE(stored.ok());
  REQUIRE(stored->lines.size() == 2);
  CHECK(stored->lines[1].gift_promotion_id == "promo-gift");
  // A return of the gift refunds nothing.
  std::vector<RefundableLine> refundable = RefundableLines(*stored, "");
  REQUIRE(refundable.size() == 2);
  LineRefund refund = RefundForUnits(refundable[1], ClaimedOnLine{}, 1);
  CHECK(refund.cash == 0);
  CHECK(refund.points == 0);
}

TEST_CASE("an out-of-stock gift does not stop the order: it is placed without the gift and says so") {
  World w;
  w.catalog.available["sku-gift"] = 0;
  w.catalog.price["sku-gift"] = 3000;
  w.quoter.gifts = {{"sku-gift", 1, "promo-gift"}};
  absl::StatusOr<Order> order = w.Place(w.Command("k-nogift", {{"sku-a", 1}}));
  REQUIRE(order.ok());
  REQUIRE(order->lines.size() == 1);
  CHECK(order->lines[0].sku_id == "sku-a");
  CHECK(order->total == 1999 + 1000);
  CHECK(order->gift_note.rfind("GIFT_UNAVAILABLE", 0) == 0);
  CHECK(order->gift_note.find("sku-gift") != std::string::npos);
  CHECK(w.catalog.available["sku-a"] == 9);
  REQUIRE(w.catalog.held[order->order_id].size() == 1);
  CHECK(w.catalog.held[order->order_id][0].sku_id == "sku-a");
  // When a bought line is the one short, the placement fails as it would without a gift.
  w.catalog.available["sku-gift"] = 5;
  absl::StatusOr<Order> short_order = w.Place(w.Command("k-short", {{"sku-b", 2}}));
  REQUIRE_FALSE(short_order.ok());
  CHECK(ReasonOf(short_order.status()) == "INSUFFICIENT_STOCK");
  CHECK(w.catalog.available["sku-gift"] == 5);
}

TEST_CASE("the checkout quote shows the gift line at price 0") {
  World w;
  w.quoter.gifts = {{"sku-gift", 2, "promo-gift"}};
  CheckoutCommand command;
  command.user_id = "u1";
  command.lines = {{"sku-a", 1}};
  absl::StatusOr<CheckoutQuote> quote = w.Quote(command);
  REQUIRE(quote.ok());
  REQUIRE(quote->price.lines.size() == 2);
  CHECK(quote->price.lines[1].sku_id == "sku-gift");
  CHECK(quote->price.lines[1].quantity == 2);
  CHECK(quote->price.lines[1].IsGift());
  CHECK(quote->price.lines[1].total == 0);
  CHECK(quote->price.subtotal == 1999);
}

TEST_CASE("a SKU bought and given as a gift is split over warehouses line by line") {
  Order order;
  order.order_id = "o-1";
  OrderLine bought;
  bought.sku_id = "sku-a";
  bought.quantity = 2;
  bought.unit_price = 1000;
  bought.subtotal = 2000;
  bought.total = 2000;
  OrderLine gift;
  gift.sku_id = "sku-a";
  gift.quantity = 1;
  gift.gift_promotion_id = "promo-gift";
  order.lines = {bought, gift};
  order.subtotal = 2000;
  order.total = 2000;
  REQUIRE(SplitByWarehouse({{"sku-a", "wh-1", 1}, {"sku-a", "wh-2", 2}}, order).ok());
  REQUIRE(order.children.size() == 2);
  int64_t units = 0, subtotal = 0;
  for (const ChildOrder& child : order.children) {
    for (const OrderLine& line : child.lines) {
      units += line.quantity;
      subtotal += line.subtotal;
    }
  }
  CHECK(units == 3);
  CHECK(subtotal == 2000);
  // wh-1 gives the bought line its first unit; wh-2 the second and the gift.
  REQUIRE(order.children[1].lines.size() == 2);
  CHECK(order.children[1].lines[1].IsGift());
  CHECK(order.children[1].lines[1].quantity == 1);
}

}  // namespace
}  // namespace zhongtai::order

namespace zhongtai::order {

TEST_CASE("hoarding: a buyer's open unpaid orders and the units of one SKU per order are capped, with a clear reason") {
  OrderSettings settings;
  settings.max_open_orders = 2;
  settings.max_quantity = 5;
  World w(nullptr, settings);
  w.catalog.available = {{"sku-a", 100}, {"sku-b", 100}};
  auto first = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(first.ok());
  REQUIRE(w.Place(w.Command("k2", {{"sku-b", 1}})).ok());
  // A third unpaid order is refused before anything is asked or held.
  const size_t calls = w.catalog.calls.size();
  auto third = w.Place(w.Command("k3", {{"sku-a", 1}}));
  CHECK(third.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(third.status()) == "OPEN_ORDERS_LIMIT_REACHED");
  CHECK(w.catalog.calls.size() == calls);
  // A repeat of a placed order's request id still answers that order.
  auto replay = w.Place(w.Command("k1", {{"sku-a", 1}}));
  REQUIRE(replay.ok());
  CHECK(replay->order_id == first->order_id);
  // Paying or cancelling one frees a place.
  REQUIRE(w.Pay("u1", first->order_id).ok());
  REQUIRE(w.Place(w.Command("k4", {{"sku-a", 1}})).ok());
  CHECK(ReasonOf(w.Place(w.Command("k5", {{"sku-a", 1}})).status()) == "OPEN_ORDERS_LIMIT_REACHED");
  // Another buyer has their own count.
  PlaceOrderCommand other = w.Command("k6", {{"sku-a", 1}});
  other.user_id = "u2";
  CHECK(w.Place(other).ok());

  // Units of one SKU per order, repeated lines adding up.
  World q(nullptr, settings);
  q.catalog.available = {{"sku-a", 100}};
  auto six = q.Place(q.Command("q1", {{"sku-a", 6}}));
  CHECK(ReasonOf(six.status()) == "QUANTITY_TOO_LARGE");
  CHECK(FieldOf(six.status()) == "lines[0].quantity");
  CHECK(ReasonOf(q.Place(q.Command("q2", {{"sku-a", 3}, {"sku-a", 3}})).status()) == "QUANTITY_TOO_LARGE");
  CHECK(q.Place(q.Command("q3", {{"sku-a", 5}})).ok());
}

TEST_CASE("marketing hears whether the buyer is a new customer: no paid order yet") {
  World w;
  auto first = w.Place(w.Command("n1", {{"sku-a", 1}}));
  REQUIRE(first.ok());
  CHECK(w.quoter.last_request.new_customer);
  // Placed but unpaid: still new.
  REQUIRE(w.Quote(w.Command("n-quote", {{"sku-a", 1}})).ok());
  CHECK(w.quoter.last_request.new_customer);
  REQUIRE(w.Pay("u1", first->order_id).ok());
  REQUIRE(w.Quote(w.Command("n-quote-2", {{"sku-a", 1}})).ok());
  CHECK_FALSE(w.quoter.last_request.new_customer);
}

TEST_CASE("marketing hears where the order ships, so that gifts are checked in the warehouses that would ship them") {
  World w;
  REQUIRE(w.Quote(w.Command("ship-1", {{"sku-a", 1}})).ok());
  CHECK(w.quoter.last_request.ship_province_code == "440000");
  CHECK(w.quoter.last_request.ship_city_code == "440300");
  PlaceOrderCommand no_address = w.Command("ship-2", {{"sku-a", 1}});
  no_address.address_id.clear();
  REQUIRE(w.Quote(no_address).ok());
  CHECK(w.quoter.last_request.ship_province_code.empty());
}

}  // namespace zhongtai::order
