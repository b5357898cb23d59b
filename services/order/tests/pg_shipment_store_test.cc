// Fulfilment end to end over a real PostgreSQL: carriers, merged and split parcels, tracking, receipt, and shipping
// around refunds (shipment_world.h).
#include <atomic>
#include <thread>
#include <vector>

#include "services/order/tests/shipment_world.h"

namespace zhongtai::order {
namespace {

TEST_CASE("the starting carrier rules in the migration are the ones the domain describes, and replacing them works") {
  ShipmentWorld w;
  CarrierRuleSet seeded = *w.shipments->LoadCarrierRules();
  CarrierRuleSet expected = DefaultCarrierRules();
  REQUIRE(seeded.rules.size() == expected.rules.size());
  for (size_t i = 0; i < expected.rules.size(); ++i) {
    INFO(expected.rules[i].rule_id);
    CHECK(seeded.rules[i].rule_id == expected.rules[i].rule_id);
    CHECK(seeded.rules[i].priority == expected.rules[i].priority);
    CHECK(seeded.rules[i].carrier == expected.rules[i].carrier);
    CHECK(seeded.rules[i].min_order_value == expected.rules[i].min_order_value);
    CHECK(seeded.rules[i].regions == expected.rules[i].regions);
    CHECK(seeded.rules[i].fragile_only == expected.rules[i].fragile_only);
    CHECK(seeded.rules[i].fee == expected.rules[i].fee);  // none: the flat fee
  }
  CHECK(seeded.transit_times.size() == expected.transit_times.size());
  for (const char* region : {"440000", "650000"}) {
    for (const char* carrier : {"SF", "ZTO", "EMS"}) {
      CHECK(TransitDays(seeded, carrier, "wh-sh", region) == TransitDays(expected, carrier, "wh-sh", region));
    }
  }

  CarrierRuleSet replaced;
  CarrierRule jd;
  jd.rule_id = "jd-everything";
  jd.priority = 1;
  jd.carrier = "JD";
  jd.fee = 1500;
  replaced.rules = {jd};
  replaced.transit_times = {{"JD", "wh-sh", "440000", 1, 1}};
  REQUIRE(w.fulfilment->ReplaceCarrierRules(replaced).ok());
  CarrierRuleSet loaded = *w.fulfilment->CarrierRules();
  REQUIRE(loaded.rules.size() == 1);
  CHECK(loaded.rules[0].carrier == "JD");
  CHECK(loaded.rules[0].fee == 1500);
  REQUIRE(loaded.transit_times.size() == 1);
  CHECK(loaded.transit_times[0].warehouse_id == "wh-sh");
  // Refused rules leave the old ones in force.
  CHECK(ReasonOf(w.fulfilment->ReplaceCarrierRules(CarrierRuleSet())) == "CARRIER_RULES_EMPTY");
  CHECK(w.fulfilment->CarrierRules()->rules.size() == 1);
}

TEST_CASE(
    "shipping a paid order: the rules choose the carrier, the rule and promise are kept, a repeat changes nothing") {
  ShipmentWorld w;
  w.PaidOrder("o-dear", kT0, "sku-dear", 69900);  // over 500 yuan
  w.PaidOrder("o-cheap", kT0, "sku-cheap", 9900, {"addr-2", "Han Meimei", "13900000000", "440000", "440300", "", "X"});
  w.PaidOrder("o-xj", kT0, "sku-cheap", 9900, {"addr-3", "Ma", "13700000000", "650000", "650100", "", "Y"}, "u2");
  w.PaidOrder("o-vase", kT0, "sku-vase", 5000, kShenzhen, "u3");

  auto dear = w.Ship("o-dear", "SF100");
  REQUIRE(dear.ok());
  // What to pack: the order's one line.
  REQUIRE(dear->lines.size() == 1);
  CHECK(dear->lines[0].order_id == "o-dear");
  CHECK(dear->lines[0].sku_id == "sku-dear");
  CHECK(dear->lines[0].quantity == 1);
  CHECK(dear->carrier == "SF");
  CHECK(dear->rule_id == "premium-value");
  REQUIRE(dear->promise.has_value());
  // Shipped 2025-12-01 09:00 China time; SF takes 1 to 2 days.
  CHECK(dear->promise->earliest == absl::CivilDay(2025, 12, 2));
  CHECK(dear->promise->latest == absl::CivilDay(2025, 12, 3));
  CHECK(w.StatusOf("o-dear") == OrderStatus::kShipped);
  Order shipped = *w.orders->Get("o-dear");
  CHECK(shipped.history.back().status == OrderStatus::kShipped);
  CHECK(shipped.history.back().reason == "shipped: SF SF100");

  CHECK(w.Ship("o-cheap", "ZT1")->rule_id == "standard");
  CHECK(w.Ship("o-xj", "EMS1")->carrier == "EMS");
  CHECK(w.Ship("o-vase", "SF2")->rule_id == "premium-fragile");
  // The shipper may name the carrier: recorded as a manual choice.
  w.PaidOrder("o-manual", kT0, "sku-cheap", 9900, kShenzhen, "u4");
  auto manual = w.Ship("o-manual", "YT1", "", "YTO");
  REQUIRE(manual.ok());
  CHECK(manual->rule_id == "manual");
  CHECK_FALSE(manual->promise.has_value());  // no transit times for YTO: no promise rather than a made-up one

  // The same notice again (a retried admin call or a duplicate warehouse callback): the same parcel, nothing new.
  int64_t events = w.Count("SELECT count(*) FROM outbox");
  auto again = w.Ship("o-dear", "SF100");
  REQUIRE(again.ok());
  CHECK(again->shipment_id == dear->shipment_id);
  REQUIRE(again->lines.size() == 1);  // as the store keeps it
  CHECK(again->lines[0].sku_id == "sku-dear");
  CHECK(again->lines[0].quantity == 1);
  CHECK(w.Count("SELECT count(*) FROM outbox") == events);
  CHECK(w.Count("SELECT count(*) FROM shipments") == 5);
  // Another tracking number for a part already shipped is refused.
  CHECK(ReasonOf(w.Ship("o-dear", "SF999").status()) == "ORDER_ALREADY_SHIPPED");
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderShipped'") == 5);
}

TEST_CASE("a SKU bought and given free in one order is packed as one line of the parcel with both units") {
  ShipmentWorld w;
  w.PaidOrder("o-gift", kT0, "sku-cheap", 9900, kShenzhen, "u1", "wh-sh", /*apply_effects=*/true, /*gift_units=*/2);
  auto shipped = w.Ship("o-gift", "ZT-GIFT");
  INFO(shipped.status().ToString());
  REQUIRE(shipped.ok());
  REQUIRE(shipped->lines.size() == 1);
  CHECK(shipped->lines[0].quantity == 3);
  CHECK(w.Count("SELECT quantity FROM shipment_lines WHERE order_id = 'o-gift'") == 3);
}

TEST_CASE("only an order awaiting shipment ships, and the warehouse must be named when several ship it") {
  ShipmentWorld w;
  w.PaidOrder("o-settling", kT0, "sku-cheap", 9900, kShenzhen, "u1", "wh-sh", /*apply_effects=*/false);
  CHECK(ReasonOf(w.Ship("o-settling", "T1").status()) == "ORDER_NOT_READY_TO_SHIP");
  CHECK(ReasonOf(w.Ship("o-missing", "T1").status()) == "ORDER_NOT_FOUND");
  CHECK(ReasonOf(w.Ship("o-settling", "").status()) == "TRACKING_NUMBER_INVALID");
  w.PaidOrder("o-split", kT0, "sku-cheap", 9900, kShenzhen, "u2", "wh-sh");
  CHECK(ReasonOf(w.Ship("o-split", "T2", "wh-gz").status()) == "WAREHOUSE_NOT_IN_ORDER");
}

TEST_CASE("paid orders of one buyer to one address from one warehouse within the window leave in one parcel") {
  FulfilmentSettings settings;
  settings.merge_window = absl::Hours(24);
  ShipmentWorld w(settings);
  w.PaidOrder("o1", kT0, "sku-cheap", 9900);
  w.PaidOrder("o2", kT0 + absl::Hours(5), "sku-dear", 69900);
  w.PaidOrder("o3", kT0 + absl::Hours(6), "sku-cheap", 9900,
              {"addr-9", "Li Lei", "13800000000", "440000", "440300", "440305", "Office 9"});  // another address
  w.PaidOrder("o4", kT0 - absl::Hours(30), "sku-cheap", 9900);                                 // outside the window
  w.PaidOrder("o5", kT0 + absl::Hours(1), "sku-cheap", 9900, kShenzhen, "u1", "wh-bj");        // another warehouse

  auto parcel = w.Ship("o1", "SF-MERGED");
  REQUIRE(parcel.ok());
  CHECK(parcel->order_ids == std::vector<std::string>{"o1", "o2"});
  // The parcel's value is both orders': over 500 yuan, so SF.
  CHECK(parcel->carrier == "SF");
  CHECK(w.StatusOf("o1") == OrderStatus::kShipped);
  CHECK(w.StatusOf("o2") == OrderStatus::kShipped);
  CHECK(w.orders->Get("o2")->history.back().reason == "shipped (merged): SF SF-MERGED");
  CHECK(w.StatusOf("o3") == OrderStatus::kAwaitingShipment);
  CHECK(w.StatusOf("o4") == OrderStatus::kAwaitingShipment);
  CHECK(w.StatusOf("o5") == OrderStatus::kAwaitingShipment);
  CHECK(w.Count("SELECT count(*) FROM shipments") == 1);
  CHECK(w.Count("SELECT count(*) FROM shipment_orders WHERE shipment_id = '" + parcel->shipment_id + "'") == 2);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderShipped'") == 2);

  // The buyer sees the same parcel from either order; o2 cannot be shipped again on its own.
  auto from_o2 = w.fulfilment->ListShipments("u1", "o2");
  REQUIRE(from_o2.ok());
  REQUIRE(from_o2->size() == 1);
  CHECK((*from_o2)[0].shipment_id == parcel->shipment_id);
  CHECK(ReasonOf(w.Ship("o2", "OTHER").status()) == "ORDER_ALREADY_SHIPPED");
  // Another buyer asking for them gets exactly what a missing order gets.
  CHECK(ReasonOf(w.fulfilment->ListShipments("u2", "o2").status()) == "ORDER_NOT_FOUND");
}

TEST_CASE("an order from two warehouses is shipped once both parts left, and delivered once both parcels arrived") {
  ShipmentWorld w;
  Order order;
  order.order_id = "o-split";
  order.user_id = "u1";
  order.request_id = "k";
  order.request_fingerprint = "f";
  order.channel = "web";
  order.created_at = kT0;
  REQUIRE_FALSE(w.orders->BeginPlacement(order)->has_value());
  order.lines = {{"sku-cheap", 1, 9900, 9900, 0, 9900, 9900, "list", 0},
                 {"sku-vase", 1, 5000, 5000, 0, 5000, 5000, "list", 0}};
  order.subtotal = order.total = 14900;
  order.status = OrderStatus::kPendingPayment;
  order.pay_deadline = kT0 + absl::Minutes(15);
  order.address = kShenzhen;
  ChildOrder bj{"o-split-1", "wh-bj", {order.lines[0]}, 9900, 0, 0, 0, 9900};
  ChildOrder sh{"o-split-2", "wh-sh", {order.lines[1]}, 5000, 0, 0, 0, 5000};
  order.children = {bj, sh};
  REQUIRE(w.orders->CompletePlacement(order).ok());
  REQUIRE(*w.orders->ClaimForPayment("o-split", kT0 + absl::Minutes(1)));
  REQUIRE(*w.orders->MarkPaid({"pay", "o-split", 14900, "CNY", "test", kT0 + absl::Minutes(1)}));
  REQUIRE(w.orders->MarkPaidEffectsApplied("o-split", kT0 + absl::Minutes(2)).ok());

  CHECK(ReasonOf(w.Ship("o-split", "T0").status()) == "WAREHOUSE_REQUIRED");
  auto vase = w.Ship("o-split", "SF-SH", "wh-sh");
  REQUIRE(vase.ok());
  CHECK(vase->rule_id == "premium-fragile");  // only the vase is in this parcel
  CHECK(w.StatusOf("o-split") == OrderStatus::kAwaitingShipment);
  auto books = w.Ship("o-split", "ZT-BJ", "wh-bj");
  REQUIRE(books.ok());
  CHECK(books->rule_id == "standard");
  CHECK(w.StatusOf("o-split") == OrderStatus::kShipped);

  REQUIRE(w.Track("SF", "SF-SH", "e1", "DELIVERED", kT0 + absl::Hours(30)).ok());
  CHECK(w.StatusOf("o-split") == OrderStatus::kShipped);
  REQUIRE(w.Track("ZTO", "ZT-BJ", "e2", "DELIVERED", kT0 + absl::Hours(50)).ok());
  CHECK(w.StatusOf("o-split") == OrderStatus::kDelivered);
}

TEST_CASE("tracking callbacks deliver once: a duplicate or a late in-transit event changes nothing") {
  ShipmentWorld w;
  w.PaidOrder("o1", kT0, "sku-cheap", 9900);
  REQUIRE(w.Ship("o1", "ZT1").ok());
  CHECK(*w.Track("ZTO", "ZT1", "e1", "IN_TRANSIT", kT0 + absl::Hours(10)) == TrackingOutcome::kRecorded);
  CHECK(*w.Track("ZTO", "ZT1", "e3", "DELIVERED", kT0 + absl::Hours(40)) == TrackingOutcome::kRecorded);
  CHECK(w.StatusOf("o1") == OrderStatus::kDelivered);
  int64_t events = w.Count("SELECT count(*) FROM outbox");
  int64_t history = static_cast<int64_t>(w.orders->Get("o1")->history.size());

  // The carrier sends the delivery again, and an older in-transit event arrives late.
  CHECK(*w.Track("ZTO", "ZT1", "e3", "DELIVERED", kT0 + absl::Hours(40)) == TrackingOutcome::kDuplicate);
  CHECK(*w.Track("ZTO", "ZT1", "e2", "OUT_FOR_DELIVERY", kT0 + absl::Hours(30)) == TrackingOutcome::kRecorded);
  CHECK(w.StatusOf("o1") == OrderStatus::kDelivered);
  CHECK(w.Count("SELECT count(*) FROM outbox") == events);
  CHECK(static_cast<int64_t>(w.orders->Get("o1")->history.size()) == history);
  auto parcels = *w.fulfilment->ListShipments("u1", "o1");
  REQUIRE(parcels.size() == 1);
  CHECK(parcels[0].status == ShipmentStatus::kDelivered);
  CHECK(parcels[0].delivered_at == kT0 + absl::Hours(40));
  REQUIRE(parcels[0].events.size() == 3);
  CHECK(parcels[0].events[1].status == "OUT_FOR_DELIVERY");  // in time order, however late it came

  CHECK(ReasonOf(w.Track("ZTO", "NOPE", "e9", "DELIVERED", kT0).status()) == "SHIPMENT_NOT_FOUND");
  CHECK(ReasonOf(w.Track("ZTO", "ZT1", "e9", "LOST_IN_SPACE", kT0).status()) == "TRACKING_EVENT_INVALID");
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderDelivered'") == 1);
}

TEST_CASE("the buyer confirms receipt: the order completes once and the after-sales deadline is recorded") {
  FulfilmentSettings settings;
  settings.after_sales_window = absl::Hours(7 * 24);
  settings.after_sales_window_by_category = {{"cat-phones", absl::Hours(15 * 24)}};
  ShipmentWorld w(settings);
  w.PaidOrder("o1", kT0, "sku-cheap", 9900);
  w.PaidOrder("o2", kT0, "sku-dear", 69900, kShenzhen, "u2");
  CHECK(ReasonOf(w.fulfilment->ConfirmReceipt("u1", "o1").status()) == "ORDER_NOT_SHIPPED");
  REQUIRE(w.Ship("o1", "ZT1").ok());
  REQUIRE(w.Ship("o2", "SF1").ok());
  CHECK(ReasonOf(w.fulfilment->ConfirmReceipt("u2", "o1").status()) == "ORDER_NOT_FOUND");

  // A buyer may confirm as soon as the parcel is in their hands, even before the carrier reports it.
  auto completed = w.fulfilment->ConfirmReceipt("u1", "o1");
  REQUIRE(completed.ok());
  CHECK(completed->status == OrderStatus::kCompleted);
  CHECK(completed->history.back().reason == "receipt confirmed");
  CHECK(w.fulfilment->ConfirmReceipt("u1", "o1")->status == OrderStatus::kCompleted);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderCompleted'") == 1);
  absl::Time now = w.clock.Now();
  CHECK(w.Count("SELECT (extract(epoch from after_sales_deadline))::bigint FROM orders WHERE order_id = 'o1'") ==
        absl::ToUnixSeconds(now + absl::Hours(7 * 24)));
  // A phone allows 15 days.
  REQUIRE(w.fulfilment->ConfirmReceipt("u2", "o2").ok());
  CHECK(w.Count("SELECT (extract(epoch from after_sales_deadline))::bigint FROM orders WHERE order_id = 'o2'") ==
        absl::ToUnixSeconds(now + absl::Hours(15 * 24)));
  // A delivery reported after completion changes nothing.
  REQUIRE(w.Track("ZTO", "ZT1", "late", "DELIVERED", now).ok());
  CHECK(w.StatusOf("o1") == OrderStatus::kCompleted);
}

TEST_CASE("delivered orders nobody confirmed complete on their own, once, however many sweepers run") {
  FulfilmentSettings settings;
  settings.auto_confirm_after = absl::Hours(7 * 24);
  ShipmentWorld w(settings);
  for (int i = 0; i < 6; ++i) {
    std::string id = "o" + std::to_string(i);
    w.PaidOrder(id, kT0, "sku-cheap", 9900, kShenzhen, "u" + std::to_string(i));
    REQUIRE(w.Ship(id, "ZT" + std::to_string(i)).ok());
    REQUIRE(w.Track("ZTO", "ZT" + std::to_string(i), "d", "DELIVERED", w.clock.Now()).ok());
  }
  // Delivered just now: nothing is due yet.
  CHECK(w.fulfilment->SweepOnce() == 0);
  w.clock.Advance(absl::Hours(7 * 24) + absl::Minutes(1));

  std::atomic<int> completed{0};
  std::vector<std::thread> sweepers;
  for (int i = 0; i < 3; ++i) sweepers.emplace_back([&] { completed += w.fulfilment->SweepOnce(); });
  for (auto& t : sweepers) t.join();
  CHECK(completed == 6);
  CHECK(w.Count("SELECT count(*) FROM orders WHERE status = 'COMPLETED'") == 6);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.OrderCompleted'") == 6);
  CHECK(w.orders->Get("o0")->history.back().reason == "auto confirmed");
  CHECK(w.fulfilment->SweepOnce() == 0);
}

TEST_CASE(
    "a refund before shipment shrinks the parcel, gives the stock back once, and cancels a child refunded in full") {
  AfterSalesWorld w;

  // 3 books from Beijing, 1 vase from Shanghai, paid and awaiting shipment.
  w.PaidSplitOrder("o-ref", 3, w.provider);
  auto approve = [&](const std::string& id) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { w.returns.Approve(id, "ok", std::move(done)); });
  };
  auto refund = [&](const std::string& key, const std::string& child, const std::string& sku, int64_t quantity) {
    ReturnCommand command;
    command.user_id = "u1";
    command.order_id = "o-ref";
    command.child_order_id = child;
    command.request_id = key;
    command.type = ReturnType::kRefundOnly;
    command.reason = "changed my mind";
    command.lines = {{sku, quantity}};
    return w.returns.RequestReturn(command);
  };

  // Two of the three books refunded: while the request waits for the admin, that part does not ship.
  auto books = refund("r1", "o-ref-1", "sku-cheap", 2);
  REQUIRE(books.ok());
  CHECK(books->before_shipment);
  CHECK(ReasonOf(w.Ship("o-ref", "ZT-BJ", "wh-bj").status()) == "REFUND_PENDING");
  auto refunded = approve(books->return_id);
  REQUIRE(refunded.ok());
  CHECK(refunded->status == ReturnStatus::kRefunded);
  CHECK(refunded->restocked);
  CHECK(w.provider.refunded["o-ref"] == 2 * 9900);
  // Their stock went back to the product center, from the warehouse that held it, once.
  REQUIRE(w.stock.restocked.count(books->return_id) == 1);
  CHECK(w.stock.restocked[books->return_id].warehouse_id == "wh-bj");
  CHECK(w.stock.sellable["sku-cheap"] == 2);
  CHECK(w.stock.calls == 1);
  CHECK(w.returns.SweepOnce() == 0);
  REQUIRE(approve(books->return_id).ok());
  CHECK(w.stock.calls == 1);

  // The vase refunded in full: its child order is cancelled and never ships; its stock goes back too.
  auto vase = refund("r2", "o-ref-2", "sku-vase", 1);
  REQUIRE(vase.ok());
  REQUIRE(approve(vase->return_id).ok());
  CHECK(w.stock.sellable["sku-vase"] == 1);
  CHECK(w.stock.calls == 2);
  CHECK(w.Count("SELECT count(*) FROM child_orders WHERE child_order_id = 'o-ref-2' AND cancelled_at IS NOT NULL") ==
        1);
  CHECK(ReasonOf(w.Ship("o-ref", "SF-SH", "wh-sh").status()) == "ORDER_PART_REFUNDED");
  CHECK(w.StatusOf("o-ref") == OrderStatus::kAwaitingShipment);

  // The books' parcel carries the one book left (worth one book to the carrier rules); the order, with nothing else
  // left to ship, is shipped.
  auto parcel = w.Ship("o-ref", "ZT-BJ", "wh-bj");
  REQUIRE(parcel.ok());
  CHECK(w.Count("SELECT quantity FROM shipment_lines WHERE order_id = 'o-ref' AND sku_id = 'sku-cheap'") == 1);
  CHECK(w.Count("SELECT count(*) FROM shipment_lines WHERE order_id = 'o-ref'") == 1);
  CHECK(w.StatusOf("o-ref") == OrderStatus::kShipped);
  // A refund only asked now, after the books left, is no refund before shipment.
  auto late = refund("r3", "o-ref-1", "sku-cheap", 1);
  REQUIRE(late.ok());
  CHECK_FALSE(late->before_shipment);
}

TEST_CASE("a child order refunded in full after its sibling left ships the order without it") {
  AfterSalesWorld w;
  w.PaidSplitOrder("o-half", 1, w.provider);

  REQUIRE(w.Ship("o-half", "ZT-BJ", "wh-bj").ok());
  CHECK(w.StatusOf("o-half") == OrderStatus::kAwaitingShipment);
  ReturnCommand command;
  command.user_id = "u1";
  command.order_id = "o-half";
  command.child_order_id = "o-half-2";
  command.request_id = "r-vase";
  command.type = ReturnType::kRefundOnly;
  command.reason = "no longer needed";
  command.lines = {{"sku-vase", 1}};
  auto vase = w.returns.RequestReturn(command);
  REQUIRE(vase.ok());
  CHECK(vase->before_shipment);
  REQUIRE(async::Await<absl::StatusOr<Return>>([&](async::Callback<Return> done) {
            w.returns.Approve(vase->return_id, "ok", std::move(done));
          }).ok());
  CHECK(w.stock.sellable["sku-vase"] == 1);
  // Nothing else was waiting: the order is shipped, once, with its OrderShipped event.
  CHECK(w.StatusOf("o-half") == OrderStatus::kShipped);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE id = 'o-half:shipped'") == 1);
  CHECK(ReasonOf(w.Ship("o-half", "SF-SH", "wh-sh").status()) == "ORDER_NOT_SHIPPABLE");
}

}  // namespace
}  // namespace zhongtai::order
