// Exchanges end to end over a real PostgreSQL: the replacement shipped, tracked and delivered, from one warehouse or
// several (shipment_world.h).
#include <atomic>
#include <thread>

#include "services/order/tests/shipment_world.h"

namespace zhongtai::order {
namespace {

TEST_CASE("an exchange ships a replacement of the same product and price, tracked like any parcel, done on delivery") {
  AfterSalesWorld w;
  // The phone in black was bought; the same phone in blue sells at the same price, held in Beijing; books are another
  // product.
  w.catalog.price["sku-dear-blue"] = 69900;
  w.catalog.weight_grams["sku-dear-blue"] = 1200;
  w.catalog.product_of = {{"sku-dear", "p-phone"}, {"sku-dear-blue", "p-phone"}, {"sku-cheap", "p-book"}};
  w.catalog.available["sku-dear-blue"] = 5;
  w.catalog.warehouse_of["sku-dear-blue"] = "wh-bj";

  w.PaidOrder("o-ex", kT0, "sku-dear", 69900);
  REQUIRE(w.Ship("o-ex", "SF-1").ok());
  REQUIRE(w.Track("SF", "SF-1", "e1", "DELIVERED", kT0 + absl::Hours(20)).ok());
  REQUIRE(w.StatusOf("o-ex") == OrderStatus::kDelivered);

  absl::Status other_product = w.RequestExchange("o-ex", "x1", 1, "sku-cheap").status();
  CHECK(ReasonOf(other_product) == "REPLACEMENT_NOT_ALLOWED");
  CHECK(FieldOf(other_product) == "lines[0].replacementSkuId");
  auto requested = w.RequestExchange("o-ex", "x2", 1, "sku-dear-blue");
  REQUIRE(requested.ok());
  CHECK(requested->refund_amount == 0);
  REQUIRE(requested->lines.size() == 1);
  CHECK(requested->lines[0].replacement_sku_id == "sku-dear-blue");

  auto ship_replacement = [&](const std::string& tracking) {
    return w.ShipReplacement("o-ex", requested->return_id, tracking);
  };
  REQUIRE(w.Approve(requested->return_id).ok());
  // Not before the goods came back.
  CHECK(ReasonOf(ship_replacement("RP-1").status()) == "REPLACEMENT_NOT_READY");
  auto received = w.Receive(requested->return_id);
  REQUIRE(received.ok());
  CHECK(received->status == ReturnStatus::kReceived);
  CHECK(w.stock.sellable["sku-dear"] == 1);  // the black phone is back in stock
  // The blue one is taken out of stock for the replacement, keyed by the return, in the warehouse that has it.
  CHECK(received->replacement_holds == std::vector<ReplacementHold>{{"wh-bj", "sku-dear-blue", 1}});
  const std::string key = "exchange-" + requested->return_id;
  REQUIRE(w.catalog.confirmed.count(key) == 1);
  CHECK(w.catalog.confirmed[key][0].sku_id == "sku-dear-blue");
  CHECK(w.catalog.available["sku-dear-blue"] == 4);
  CHECK(w.returns.SweepOnce() == 0);  // nothing more owed: held once
  CHECK(w.catalog.available["sku-dear-blue"] == 4);

  // Shipped by the warehouse callback like any parcel: the carrier rules choose (a phone worth over 500 yuan: SF).
  auto parcel = ship_replacement("RP-1");
  REQUIRE(parcel.ok());
  CHECK(parcel->carrier == "SF");
  CHECK(parcel->rule_id == "premium-value");
  CHECK(parcel->warehouse_id == "wh-bj");
  CHECK(ship_replacement("RP-1")->shipment_id == parcel->shipment_id);  // a repeated callback
  CHECK(ReasonOf(ship_replacement("RP-2").status()) == "REPLACEMENT_ALREADY_SHIPPED");
  auto shipped = w.return_store.Get(requested->return_id);
  REQUIRE(shipped.ok());
  CHECK(shipped->status == ReturnStatus::kReplacementShipped);
  CHECK(shipped->replacement_tracking_number == "RP-1");
  CHECK(w.Count("SELECT quantity FROM shipment_lines WHERE shipment_id = '" + parcel->shipment_id +
                "' AND sku_id = 'sku-dear-blue'") == 1);

  // Tracked by the logistics callbacks; delivered, the exchange is done. No money moved.
  REQUIRE(w.Track("SF", "RP-1", "r1", "IN_TRANSIT", kT0 + absl::Hours(50)).ok());
  CHECK(w.return_store.Get(requested->return_id)->status == ReturnStatus::kReplacementShipped);
  REQUIRE(w.Track("SF", "RP-1", "r2", "DELIVERED", kT0 + absl::Hours(60)).ok());
  CHECK(w.return_store.Get(requested->return_id)->status == ReturnStatus::kExchanged);
  REQUIRE(w.Track("SF", "RP-1", "r2", "DELIVERED", kT0 + absl::Hours(60)).ok());  // a duplicate changes nothing
  CHECK(w.return_store.Get(requested->return_id)->history.back().status == ReturnStatus::kExchanged);
  CHECK(w.provider.refunded["o-ex"] == 0);
  CHECK(w.StatusOf("o-ex") == OrderStatus::kDelivered);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.ReturnStatusChanged' AND id LIKE '" +
                requested->return_id + "%exchanged'") == 1);
}

TEST_CASE("a replacement held in two warehouses ships a parcel from each, the exchange done when both are delivered") {
  AfterSalesWorld w;
  // Two black phones were bought; the blue ones are left one in Beijing and the rest in Shanghai.
  w.BlueSplitOverTwoWarehouses(5);
  w.PaidOrder("o-pair", kT0, "sku-dear", 69900, kShenzhen, "u1", "wh-sh", true, 0, /*units=*/2);
  REQUIRE(w.Ship("o-pair", "SF-P").ok());
  REQUIRE(w.Track("SF", "SF-P", "e1", "DELIVERED", kT0 + absl::Hours(20)).ok());

  auto requested = w.RequestExchange("o-pair", "x-pair", 2, "sku-dear-blue");
  REQUIRE(requested.ok());
  REQUIRE(w.Approve(requested->return_id).ok());
  auto received = w.Receive(requested->return_id);
  REQUIRE(received.ok());
  const std::vector<ReplacementHold> held{{"wh-bj", "sku-dear-blue", 1}, {"wh-sh", "sku-dear-blue", 1}};
  CHECK(received->replacement_holds == held);
  CHECK(w.return_store.Get(requested->return_id)->replacement_holds == held);  // as stored
  CHECK(w.returns.SweepOnce() == 0);                                           // held once
  CHECK(w.catalog.available["sku-dear-blue"] == 3);

  auto ship_replacement = [&](const std::string& tracking, const std::string& warehouse) {
    return w.ShipReplacement("o-pair", requested->return_id, tracking, warehouse);
  };
  absl::Status unnamed = ship_replacement("RP-B", "").status();
  CHECK(ReasonOf(unnamed) == "WAREHOUSE_REQUIRED");
  CHECK(FieldOf(unnamed) == "warehouseId");
  CHECK(ReasonOf(ship_replacement("RP-B", "wh-gz").status()) == "WAREHOUSE_NOT_IN_ORDER");

  // Beijing's parcel carries Beijing's phone; the exchange is on its way.
  auto beijing = ship_replacement("RP-B", "wh-bj");
  REQUIRE(beijing.ok());
  CHECK(beijing->warehouse_id == "wh-bj");
  CHECK(ship_replacement("RP-B", "wh-bj")->shipment_id == beijing->shipment_id);  // a repeated callback
  CHECK(ReasonOf(ship_replacement("RP-B2", "wh-bj").status()) == "REPLACEMENT_ALREADY_SHIPPED");
  CHECK(w.Count("SELECT quantity FROM shipment_lines WHERE shipment_id = '" + beijing->shipment_id + "'") == 1);
  CHECK(w.return_store.Get(requested->return_id)->status == ReturnStatus::kReplacementShipped);
  // Delivered alone, it does not finish the exchange: Shanghai's phone has not left.
  REQUIRE(w.Track("SF", "RP-B", "b1", "DELIVERED", kT0 + absl::Hours(50)).ok());
  CHECK(w.return_store.Get(requested->return_id)->status == ReturnStatus::kReplacementShipped);

  auto shanghai = ship_replacement("RP-S", "wh-sh");
  REQUIRE(shanghai.ok());
  CHECK(shanghai->warehouse_id == "wh-sh");
  CHECK(w.Count("SELECT quantity FROM shipment_lines WHERE shipment_id = '" + shanghai->shipment_id + "'") == 1);
  CHECK(ReasonOf(ship_replacement("RP-S2", "").status()) == "WAREHOUSE_REQUIRED");
  CHECK(ReasonOf(ship_replacement("RP-S2", "wh-sh").status()) == "REPLACEMENT_ALREADY_SHIPPED");
  auto shipped = w.return_store.Get(requested->return_id);
  CHECK(shipped->replacement_tracking_number == "RP-B");  // the first parcel
  REQUIRE(w.Track("SF", "RP-S", "s1", "DELIVERED", kT0 + absl::Hours(70)).ok());
  CHECK(w.return_store.Get(requested->return_id)->status == ReturnStatus::kExchanged);
  // One status change each way, whatever the number of parcels.
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.ReturnStatusChanged' AND id = '" +
                requested->return_id + ":replacement_shipped'") == 1);
  CHECK(w.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.order.v1.ReturnStatusChanged' AND id = '" +
                requested->return_id + ":exchanged'") == 1);
  CHECK(w.catalog.available["sku-dear-blue"] == 3);
  CHECK(w.provider.refunded["o-pair"] == 0);
}

TEST_CASE("the last two replacement parcels delivered at the same moment finish their exchange, once") {
  AfterSalesWorld w;
  w.BlueSplitOverTwoWarehouses(100);

  constexpr int kExchanges = 30;
  std::vector<std::string> exchanges;
  for (int i = 0; i < kExchanges; ++i) {
    const std::string order_id = "o-race-" + std::to_string(i);
    w.PaidOrder(order_id, kT0, "sku-dear", 69900, kShenzhen, "u1", "wh-sh", true, 0, /*units=*/2);
    REQUIRE(w.Ship(order_id, "SF-R" + std::to_string(i)).ok());
    REQUIRE(w.Track("SF", "SF-R" + std::to_string(i), "d", "DELIVERED", kT0 + absl::Hours(20)).ok());
    auto requested = w.RequestExchange(order_id, "x-" + order_id, 2, "sku-dear-blue");
    REQUIRE(requested.ok());
    REQUIRE(w.Approve(requested->return_id).ok());
    REQUIRE(w.Receive(requested->return_id).ok());
    for (const std::string warehouse : {"wh-bj", "wh-sh"}) {
      REQUIRE(w.ShipReplacement(order_id, requested->return_id, "RP-" + std::to_string(i) + "-" + warehouse, warehouse)
                  .ok());
    }
    exchanges.push_back(requested->return_id);
  }
  // Both parcels of each exchange delivered from two threads at once: each delivery sees the other's only once it
  // committed, so without the exchange's lock both could find the other parcel still on its way.
  std::atomic<int> failed{0};
  std::atomic<int> arrived{0};
  auto deliver = [&](const std::string& warehouse) {
    for (int i = 0; i < kExchanges; ++i) {
      ++arrived;  // both threads start each exchange's delivery together
      while (arrived.load() < 2 * (i + 1)) std::this_thread::yield();
      absl::StatusOr<TrackingOutcome> tracked =
          w.Track("SF", "RP-" + std::to_string(i) + "-" + warehouse, "ok", "DELIVERED", kT0 + absl::Hours(60));
      if (!tracked.ok()) ++failed;
    }
  };
  std::thread beijing(deliver, "wh-bj");
  std::thread shanghai(deliver, "wh-sh");
  beijing.join();
  shanghai.join();
  CHECK(failed == 0);
  for (const std::string& return_id : exchanges) {
    CHECK(w.return_store.Get(return_id)->status == ReturnStatus::kExchanged);
    CHECK(w.Count("SELECT count(*) FROM outbox WHERE id = '" + return_id + ":exchanged'") == 1);
  }
}

}  // namespace
}  // namespace zhongtai::order
