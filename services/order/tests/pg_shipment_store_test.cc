// Fulfilment end to end over a real PostgreSQL: Fulfilment with PgShipmentStore and PgOrderStore, the product service
// faked (weights, fragile flags, categories).
#include "services/order/store/pg_shipment_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/domain/returns.h"
#include "services/order/store/pg_return_store.h"
#include "services/order/tests/after_sales_fakes.h"
#include "services/order/tests/fakes.h"
#include "services/order/tests/payment_fakes.h"

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1764547200);  // 2025-12-01 08:00 China time

const ShippingAddress kShenzhen{"addr-1", "Li Lei", "13800000000", "440000", "440300", "440305", "Keyuan Rd 1"};

class CountingShipmentIds : public ShipmentIds {
 public:
  std::string NewShipmentId() override { return "shp" + std::to_string(++next_); }

 private:
  std::atomic<int> next_{0};
};

struct World {
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgOrderStore> orders;
  std::unique_ptr<PgShipmentStore> shipments;
  testing::FakeCatalog catalog;
  FakeClock clock{kT0 + absl::Hours(1)};
  CountingShipmentIds ids;
  async::InlineExecutor inline_executor;
  std::unique_ptr<Fulfilment> fulfilment;

  explicit World(FulfilmentSettings settings = {}) {
    auto opened = pg::Pool::Open({database.dsn(), 8, absl::Seconds(5), "order-shipment-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
    orders = std::make_unique<PgOrderStore>(*pool);
    shipments = std::make_unique<PgShipmentStore>(*pool, *orders);
    fulfilment = std::make_unique<Fulfilment>(*orders, *shipments, catalog, clock, ids, inline_executor, settings);
    catalog.price = {{"sku-cheap", 9900}, {"sku-dear", 69900}, {"sku-vase", 5000}};
    catalog.weight_grams = {{"sku-cheap", 500}, {"sku-dear", 1200}, {"sku-vase", 2000}};
    catalog.fragile = {{"sku-vase", true}};
    catalog.category_of = {{"sku-cheap", "cat-books"}, {"sku-dear", "cat-phones"}, {"sku-vase", "cat-home"}};
  }

  // An order placed at `placed`, paid and its effects applied: AWAITING_SHIPMENT.
  void PaidOrder(const std::string& id, absl::Time placed, const std::string& sku, int64_t unit_price,
                 const ShippingAddress& address = kShenzhen, const std::string& user = "u1",
                 const std::string& warehouse = "wh-sh", bool apply_effects = true, int64_t gift_units = 0,
                 int64_t units = 1) {
    Order order;
    order.order_id = id;
    order.user_id = user;
    order.request_id = "k-" + id;
    order.request_fingerprint = "f";
    order.channel = "web";
    order.created_at = placed;
    REQUIRE_FALSE(orders->BeginPlacement(order)->has_value());
    const int64_t total = unit_price * units;
    order.lines = {{sku, units, unit_price, total, 0, total, unit_price, "list", 0}};
    if (gift_units > 0) {  // the same SKU again as a gift at price 0 (buy one, get more free)
      OrderLine gift;
      gift.sku_id = sku;
      gift.quantity = gift_units;
      gift.price_rule = "gift";
      gift.gift_promotion_id = "p-buy1get2";
      order.lines.push_back(gift);
    }
    order.subtotal = order.total = total;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = placed + absl::Minutes(15);
    order.address = address;
    order.warehouse_id = warehouse;
    order.history.push_back({OrderStatus::kPendingPayment, placed, "placed"});
    REQUIRE(orders->CompletePlacement(order).ok());
    REQUIRE(*orders->ClaimForPayment(id, placed + absl::Minutes(1)));
    REQUIRE(*orders->MarkPaid({"pay-" + id, id, total, "CNY", "test", placed + absl::Minutes(1)}));
    if (apply_effects) REQUIRE(orders->MarkPaidEffectsApplied(id, placed + absl::Minutes(2)).ok());
  }

  // Paid and awaiting shipment: `books` of sku-cheap (99 yuan) from Beijing and one sku-vase (50 yuan) from Shanghai,
  // one child order each (`id`-1, `id`-2); `provider` holds its payment, for refunds.
  void PaidSplitOrder(const std::string& id, int64_t books, testing::FakePaymentProvider& provider) {
    Order order;
    order.order_id = id;
    order.user_id = "u1";
    order.request_id = "k";
    order.request_fingerprint = "f";
    order.channel = "web";
    order.created_at = kT0;
    REQUIRE_FALSE(orders->BeginPlacement(order)->has_value());
    const int64_t book_total = 9900 * books;
    order.lines = {{"sku-cheap", books, 9900, book_total, 0, book_total, 9900, "list", 0},
                   {"sku-vase", 1, 5000, 5000, 0, 5000, 5000, "list", 0}};
    order.subtotal = order.total = book_total + 5000;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = kT0 + absl::Minutes(15);
    order.address = kShenzhen;
    order.children = {{id + "-1", "wh-bj", {order.lines[0]}, book_total, 0, 0, 0, book_total},
                      {id + "-2", "wh-sh", {order.lines[1]}, 5000, 0, 0, 0, 5000}};
    REQUIRE(orders->CompletePlacement(order).ok());
    REQUIRE(*orders->ClaimForPayment(id, kT0 + absl::Minutes(1)));
    REQUIRE(*orders->MarkPaid({"pay", id, order.total, "CNY", "test", kT0 + absl::Minutes(1)}));
    REQUIRE(orders->MarkPaidEffectsApplied(id, kT0 + absl::Minutes(2)).ok());
    ProviderPayment paid;
    paid.order_id = id;
    paid.amount = order.total;
    paid.currency = "CNY";
    paid.status = ProviderStatus::kSucceeded;
    provider.by_order[id] = paid;
  }

  absl::StatusOr<Shipment> Ship(const std::string& order_id, const std::string& tracking,
                                const std::string& warehouse = "", const std::string& carrier = "") {
    ShipCommand command;
    command.order_id = order_id;
    command.tracking_number = tracking;
    command.warehouse_id = warehouse;
    command.carrier = carrier;
    command.source = "admin";
    return Ship(command);
  }
  absl::StatusOr<Shipment> Ship(const ShipCommand& command) {
    return async::Await<absl::StatusOr<Shipment>>([&](Callback<Shipment> done) { fulfilment->Ship(command, done); });
  }

  absl::StatusOr<TrackingOutcome> Track(const std::string& carrier, const std::string& tracking,
                                        const std::string& event_id, const std::string& status, absl::Time at) {
    return fulfilment->Track({carrier, tracking, {event_id, status, "", at}});
  }

  OrderStatus StatusOf(const std::string& id) { return orders->Get(id)->status; }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec(sql)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
};

// The World with after-sales on its database: returns, refunds through a fake provider, and exchanges whose
// replacement the fake catalog holds.
struct AfterSalesWorld : World {
  AfterSalesWorld() { returns.SetReplacementStock(&replacement); }

  // A buyer's exchange of `quantity` units of sku-dear for `replacement_sku`.
  absl::StatusOr<Return> RequestExchange(const std::string& order_id, const std::string& request_id, int64_t quantity,
                                         const std::string& replacement_sku) {
    ReturnCommand command;
    command.user_id = "u1";
    command.order_id = order_id;
    command.request_id = request_id;
    command.type = ReturnType::kExchange;
    command.reason = "wrong colour";
    command.lines = {{"sku-dear", quantity, replacement_sku}};
    return returns.RequestReturn(command);
  }
  // The same phone in blue, another SKU of the bought black one's product at its price, `available` units of it: one
  // in Beijing and the rest in Shanghai (the product center would split a hold of two).
  void BlueSplitOverTwoWarehouses(int64_t available) {
    catalog.price["sku-dear-blue"] = 69900;
    catalog.product_of = {{"sku-dear", "p-phone"}, {"sku-dear-blue", "p-phone"}};
    catalog.available["sku-dear-blue"] = available;
    catalog.warehouse_of["sku-dear-blue"] = "wh-bj";
    catalog.split_of["sku-dear-blue"] = {1, "wh-sh"};
  }
  absl::StatusOr<Return> Approve(const std::string& return_id) {
    return async::Await<absl::StatusOr<Return>>(
        [&](async::Callback<Return> done) { returns.Approve(return_id, "ok", std::move(done)); });
  }
  // The goods came back, sellable.
  absl::StatusOr<Return> Receive(const std::string& return_id) {
    return async::Await<absl::StatusOr<Return>>([&](async::Callback<Return> done) {
      returns.Receive(return_id, ItemCondition::kSellable, "", std::move(done));
    });
  }
  // The warehouse system ships an exchange's replacement (the part in `warehouse`, when named).
  absl::StatusOr<Shipment> ShipReplacement(const std::string& order_id, const std::string& return_id,
                                           const std::string& tracking, const std::string& warehouse = "") {
    ShipCommand command;
    command.order_id = order_id;
    command.return_id = return_id;
    command.warehouse_id = warehouse;
    command.tracking_number = tracking;
    command.source = "wms";
    return Ship(command);
  }

  PgReturnStore return_store{*pool, *orders};
  testing::FakePaymentProvider provider;
  testing::FakePointsRefunds points;
  testing::FakeReturnedStock stock;
  testing::SequentialReturnIds return_ids;
  Returns returns{return_store, provider, points, stock, clock, return_ids, inline_executor};
  CatalogReplacementStock replacement{catalog, *orders, inline_executor};
};

TEST_CASE("the starting carrier rules in the migration are the ones the domain describes, and replacing them works") {
  World w;
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
  World w;
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
  World w;
  w.PaidOrder("o-gift", kT0, "sku-cheap", 9900, kShenzhen, "u1", "wh-sh", /*apply_effects=*/true, /*gift_units=*/2);
  auto shipped = w.Ship("o-gift", "ZT-GIFT");
  INFO(shipped.status().ToString());
  REQUIRE(shipped.ok());
  REQUIRE(shipped->lines.size() == 1);
  CHECK(shipped->lines[0].quantity == 3);
  CHECK(w.Count("SELECT quantity FROM shipment_lines WHERE order_id = 'o-gift'") == 3);
}

TEST_CASE("only an order awaiting shipment ships, and the warehouse must be named when several ship it") {
  World w;
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
  World w(settings);
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
  World w;
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
  World w;
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
  World w(settings);
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
  World w(settings);
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
