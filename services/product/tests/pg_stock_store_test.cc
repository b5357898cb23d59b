// Warehouses and stock on a real PostgreSQL (label store): warehouse records, stock operations and their
// ledger, transfers and reservations at once with real threads, safety stock alerts from the ledger's sales.
#include <atomic>
#include <catch2/catch.hpp>
#include <random>
#include <thread>

#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/stock_center.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"
#include "zhongtai/product/v1/events.pb.h"

namespace zhongtai::product {
namespace {

StockOperation Op(StockOperationKind kind, const std::string& sku, const std::string& warehouse, int64_t quantity,
                  const std::string& request_id = "", const std::string& to = "") {
  StockOperation op;
  op.kind = kind;
  op.sku_id = sku;
  op.warehouse_id = warehouse;
  op.to_warehouse_id = to;
  op.quantity = quantity;
  op.request_id = request_id;
  op.reason = "test";
  op.reference = "DOC-1";
  op.actor = "admin1";
  return op;
}

// Every stock row of the SKU: on hand >= reserved >= 0, its ledger (oldest first) explains it step by step,
// and what is reserved is what the HELD reservations hold there.
void CheckInvariant(PgFixture& f, const std::string& sku) {
  for (const StockLevel& level : f.Levels(sku)) {
    CAPTURE(level.warehouse_id);
    CHECK(level.reserved >= 0);
    CHECK(level.on_hand >= level.reserved);
    LedgerQuery query;
    query.sku_id = sku;
    query.warehouse_id = level.warehouse_id;
    std::vector<LedgerEntry> entries;
    std::string token;
    do {
      auto page = f.stock->Ledger(query, 500, token);
      REQUIRE(page.ok());
      entries.insert(entries.end(), page->entries.begin(), page->entries.end());
      token = page->next_page_token;
    } while (!token.empty());
    std::reverse(entries.begin(), entries.end());
    CHECK(LedgerExplains(entries, level));
    REQUIRE(f.pool
                ->Transact([&](pqxx::work& tx) {
                  auto held = tx.exec_params(
                      "SELECT COALESCE(sum(a.quantity), 0) FROM reservation_allocations a JOIN reservations r "
                      "USING (order_id) WHERE r.status = 'HELD' AND a.sku_id = $1 AND a.warehouse_id = $2",
                      sku, level.warehouse_id);
                  CHECK(held[0][0].as<int64_t>() == level.reserved);
                  return absl::OkStatus();
                })
                .ok());
  }
}

TEST_CASE("warehouses: created once, listed by code, patched field by field", "[store]") {
  PgFixture f;
  Warehouse sz = f.AddWarehouse("sz-front", WarehouseType::kFront, {"440300"}, 5);
  CHECK(sz.type == WarehouseType::kFront);
  // The same record again is a replay; another record under the code is a conflict.
  CHECK(f.stock->CreateWarehouse(sz).ok());
  Warehouse other = sz;
  other.name = "Shenzhen 2";
  CHECK(ReasonOf(f.stock->CreateWarehouse(other).status()) == "WAREHOUSE_EXISTS");
  Warehouse bad = sz;
  bad.warehouse_id = "gd";
  bad.regions = {};
  CHECK(FieldOf(f.stock->CreateWarehouse(bad).status()) == "warehouse.regions");

  auto all = f.Warehouses();
  REQUIRE(all.size() == 2);
  CHECK(all[0].warehouse_id == "default");  // made by the migration
  CHECK(all[0].type == WarehouseType::kCentral);
  CHECK(all[0].regions.empty());
  CHECK(all[1].regions == std::vector<std::string>{"440300"});

  WarehousePatch patch;
  patch.regions = std::vector<std::string>{"440300", "440100"};
  patch.active = false;
  f.clock.Advance(absl::Seconds(5));
  auto patched = f.stock->UpdateWarehouse("sz-front", patch);
  REQUIRE(patched.ok());
  CHECK(patched->regions == std::vector<std::string>{"440300", "440100"});
  CHECK_FALSE(patched->active);
  CHECK(patched->name == "sz-front");
  CHECK(patched->updated_at > patched->created_at);
  CHECK(f.Warehouses()[1].regions == patched->regions);
  CHECK(ReasonOf(f.stock->UpdateWarehouse("nowhere", patch).status()) == "WAREHOUSE_NOT_FOUND");
  WarehousePatch clear;
  clear.regions = std::vector<std::string>{};
  CHECK(ReasonOf(f.stock->UpdateWarehouse("sz-front", clear).status()) == "WAREHOUSE_REGIONS_REQUIRED");
}

TEST_CASE("inbound, outbound, transfer and stocktake: the ledger explains every level", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  f.AddWarehouse("east");
  REQUIRE(f.inventory->Reserve("o1", {{sku, 4}}, absl::Minutes(5)).ok());

  auto in = f.stock->Apply(Op(StockOperationKind::kInbound, sku, "east", 7, "in-1"));
  REQUIRE(in.ok());
  CHECK(in->at(0).on_hand == 7);
  CHECK(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "east", 7, "in-1"))->at(0).on_hand == 7);  // replay
  CHECK(ReasonOf(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "east", 8, "in-1")).status()) ==
        "REQUEST_ID_REUSED");
  CheckInvariant(f, sku);

  // default: 10 on hand, 4 reserved. Out 7 would leave 3 < 4.
  CHECK(ReasonOf(f.stock->Apply(Op(StockOperationKind::kOutbound, sku, "default", 7)).status()) ==
        "STOCK_BELOW_RESERVED");
  CHECK(f.stock->Apply(Op(StockOperationKind::kOutbound, sku, "default", 1))->at(0).on_hand == 9);
  CheckInvariant(f, sku);

  // Transfer: only what is available moves (9 - 4 = 5), both sides at once.
  CHECK(ReasonOf(f.stock->Apply(Op(StockOperationKind::kTransfer, sku, "default", 6, "", "east")).status()) ==
        "INSUFFICIENT_STOCK");
  auto moved = f.stock->Apply(Op(StockOperationKind::kTransfer, sku, "default", 5, "tr-1", "east"));
  REQUIRE(moved.ok());
  REQUIRE(moved->size() == 2);
  CHECK(moved->at(0).warehouse_id == "default");
  CHECK(moved->at(0).on_hand == 4);
  CHECK(moved->at(1).warehouse_id == "east");
  CHECK(moved->at(1).on_hand == 12);
  CHECK(f.stock->Apply(Op(StockOperationKind::kTransfer, sku, "default", 5, "tr-1", "east"))->at(1).on_hand == 12);
  CHECK(ReasonOf(f.stock->Apply(Op(StockOperationKind::kTransfer, sku, "default", 1, "", "nowhere")).status()) ==
        "WAREHOUSE_NOT_FOUND");
  CheckInvariant(f, sku);

  // A transfer into a warehouse the SKU has no row in yet creates it.
  f.AddWarehouse("west");
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kTransfer, sku, "east", 2, "", "west")).ok());
  CheckInvariant(f, sku);

  // Stocktake: the count becomes on hand, never below what is reserved.
  CHECK(ReasonOf(f.stock->Apply(Op(StockOperationKind::kStocktake, sku, "default", 3)).status()) ==
        "STOCK_BELOW_RESERVED");
  auto counted = f.stock->Apply(Op(StockOperationKind::kStocktake, sku, "east", 6, "count-1"));
  REQUIRE(counted.ok());
  CHECK(counted->at(0).on_hand == 6);
  CheckInvariant(f, sku);
  REQUIRE(f.inventory->Confirm("o1").ok());
  CheckInvariant(f, sku);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(0 + 6 + 2, 0));

  // The ledger as an admin reads it: filters, newest first, references and actors.
  LedgerQuery east;
  east.sku_id = sku;
  east.warehouse_id = "east";
  auto page = f.stock->Ledger(east, 2, "");
  REQUIRE(page.ok());
  REQUIRE(page->entries.size() == 2);
  CHECK(page->entries[0].kind == "stocktake");
  CHECK(page->entries[0].on_hand_delta == -4);
  CHECK(page->entries[0].request_id == "count-1");
  CHECK(page->entries[0].actor == "admin1");
  CHECK(page->entries[1].kind == "transfer_out");
  auto rest = f.stock->Ledger(east, 2, page->next_page_token);
  REQUIRE(rest->entries.size() == 2);
  CHECK(rest->entries[0].kind == "transfer_in");
  CHECK(rest->entries[1].kind == "inbound");
  CHECK(rest->entries[1].reference == "DOC-1");
  CHECK(rest->next_page_token.empty());
  LedgerQuery orders;
  orders.sku_id = sku;
  orders.warehouse_id = "default";
  auto confirm = f.stock->Ledger(orders, 1, "");
  CHECK(confirm->entries[0].kind == "confirm");
  CHECK(confirm->entries[0].reference == "o1");
  LedgerQuery later;
  later.from = f.clock.Now() + absl::Seconds(1);
  CHECK(f.stock->Ledger(later, 0, "")->entries.empty());
}

TEST_CASE("many concurrent reservations over two warehouses never oversell", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Lamp", {{"L1", 0}}).skus[0].sku_id;
  f.AddWarehouse("sz-front", WarehouseType::kFront, {"440300"});
  f.AddWarehouse("cn-central");
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "sz-front", 7)).ok());
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "cn-central", 9)).ok());
  std::atomic<int64_t> units{0};
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 6; ++i) {
        int64_t want = std::uniform_int_distribution<int64_t>(1, 3)(rng);
        ShippingRegion region = i % 2 == 0 ? ShippingRegion{"440000", "440300"} : ShippingRegion{};
        auto r = f.inventory->Reserve("c-" + std::to_string(t) + "-" + std::to_string(i), {{sku, want}},
                                      absl::Minutes(5), region);
        if (r.ok()) {
          units += want;
        } else if (ReasonOf(r.status()) != "INSUFFICIENT_STOCK") {
          ++unexpected;
          UNSCOPED_INFO(r.status().ToString());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(unexpected == 0);
  CHECK(units <= 16);
  CHECK(units >= 14);  // 48 requests of 1-3 over 16 units: the stock runs out, at most 2 stranded by size
  CHECK(f.Stock(sku).second == units);
  CheckInvariant(f, sku);
}

TEST_CASE("transfers back and forth under concurrent reservations keep every level explained", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Kettle", {{"K1", 0}}).skus[0].sku_id;
  f.AddWarehouse("a-east");
  f.AddWarehouse("b-west");
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "a-east", 30)).ok());
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "b-west", 30)).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> unexpected{0}, transfers{0};
  std::atomic<int64_t> confirmed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(100 + t);
      for (int i = 0; !stop; ++i) {
        const bool eastward = (i + t) % 2 == 0;
        auto r =
            f.stock->Apply(Op(StockOperationKind::kTransfer, sku, eastward ? "b-west" : "a-east",
                              std::uniform_int_distribution<int64_t>(1, 8)(rng), "", eastward ? "a-east" : "b-west"));
        if (r.ok()) {
          ++transfers;
        } else if (ReasonOf(r.status()) != "INSUFFICIENT_STOCK") {
          ++unexpected;
          UNSCOPED_INFO(r.status().ToString());
        }
      }
    });
  }
  std::vector<std::thread> buyers;
  for (int t = 0; t < 4; ++t) {
    buyers.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 15; ++i) {
        std::string order = "t-" + std::to_string(t) + "-" + std::to_string(i);
        int64_t want = std::uniform_int_distribution<int64_t>(1, 4)(rng);
        auto r = f.inventory->Reserve(order, {{sku, want}}, absl::Minutes(5));
        if (!r.ok()) {
          if (ReasonOf(r.status()) != "INSUFFICIENT_STOCK") ++unexpected, UNSCOPED_INFO(r.status().ToString());
          continue;
        }
        absl::Status s;
        if (i % 3 == 0) {
          s = f.inventory->Release(order).status();
        } else {
          s = f.inventory->Confirm(order).status();
          if (s.ok()) confirmed += want;
        }
        if (!s.ok()) ++unexpected, UNSCOPED_INFO(s.ToString());
      }
    });
  }
  for (auto& t : buyers) t.join();
  stop = true;
  for (auto& t : threads) t.join();
  CHECK(unexpected == 0);
  CHECK(transfers > 0);
  // Nothing is made or lost: what is on hand is what came in minus what was sold.
  CHECK(f.Stock(sku).first == 60 - confirmed);
  CHECK(f.Stock(sku).second == 0);
  CheckInvariant(f, sku);
}

TEST_CASE("safety stock alerts from settings and from the ledger's sales", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Rice", {{"R1", 100}, {"R2", 100}, {"R3", 5}});
  std::string fast = p.skus[0].sku_id, slow = p.skus[1].sku_id, few = p.skus[2].sku_id;
  // fast: 60 sold over the window (2 a day); slow: 3 sold.
  for (int i = 0; i < 6; ++i) {
    std::string order = "sale-" + std::to_string(i);
    REQUIRE(f.inventory->Reserve(order, {{fast, 10}}, absl::Minutes(5)).ok());
    REQUIRE(f.inventory->Confirm(order).ok());
  }
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kOutbound, slow, "default", 3)).ok());
  // fast has 40 left: 20 days of cover. Sales older than the window do not count.
  f.clock.Advance(absl::Hours(24));
  REQUIRE(f.stock->SetSafetyStock({fast, "default", SafetyStockMode::kDaysOfCover, 0, 25}).ok());  // 50 > 40
  REQUIRE(f.stock->SetSafetyStock({few, "default", SafetyStockMode::kFixed, 4, 0}).ok());          // 5 >= 4
  REQUIRE(f.stock->SetSafetyStock({slow, "default", SafetyStockMode::kFixed, 10, 0}).ok());        // 97 >= 10
  CHECK(ReasonOf(f.stock->SetSafetyStock({slow, "nowhere", SafetyStockMode::kFixed, 1, 0})) == "WAREHOUSE_NOT_FOUND");
  CHECK(ReasonOf(f.stock->SetSafetyStock({"sku_nope", "default", SafetyStockMode::kFixed, 1, 0})) == "SKU_NOT_FOUND");

  auto alerts = f.stock->Alerts("", 0, 0, "");
  REQUIRE(alerts.ok());
  REQUIRE(alerts->alerts.size() == 1);
  CHECK(alerts->alerts[0].position.level.sku_id == fast);
  CHECK(alerts->alerts[0].safety_stock == 50);
  CHECK(alerts->alerts[0].days_of_cover.value() == Approx(20.0));
  CHECK(f.stock->CountBelowSafety().value() == 1);

  // A count of 3 puts few below its 4.
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kStocktake, few, "default", 3)).ok());
  CHECK(f.stock->CountBelowSafety().value() == 2);
  // Asking for a year of cover adds nothing: slow's 97 last 970 days at 0.1 a day, few sold nothing.
  CHECK(f.stock->Alerts("", 365, 0, "")->alerts.size() == 2);
  f.AddWarehouse("north");
  REQUIRE(f.stock->SetSafetyStock({slow, "north", SafetyStockMode::kFixed, 1, 0}).ok());  // none there at all
  auto north = f.stock->Alerts("north", 0, 0, "");
  REQUIRE(north->alerts.size() == 1);
  CHECK(north->alerts[0].position.level.on_hand == 0);
  // 31 days after the sales they have left the window: fast's days-of-cover safety stock drops to 0.
  f.clock.Advance(absl::Hours(24 * 30));
  CHECK(f.stock->CountBelowSafety().value() == 2);  // few and slow@north; fast needs 0 now
}

TEST_CASE("ABC classes from 30 days of confirmed revenue order the alerts", "[store]") {
  PgFixture f;
  // Every SKU of the fixture costs 19.99; revenue follows units confirmed.
  Product p = f.AddProduct("Soap", {{"S-A", 100}, {"S-B", 100}, {"S-C", 100}, {"S-OLD", 100}});
  const std::string a = p.skus[0].sku_id, b = p.skus[1].sku_id, c = p.skus[2].sku_id, old = p.skus[3].sku_id;
  auto sell = [&](const std::string& sku, int64_t units, const std::string& order) {
    REQUIRE(f.inventory->Reserve(order, {{sku, units}}, absl::Minutes(5)).ok());
    REQUIRE(f.inventory->Confirm(order).ok());
  };
  sell(old, 90, "long-ago");  // leaves the window below
  f.clock.Advance(absl::Hours(24 * 31));
  sell(a, 70, "o-a");
  sell(b, 20, "o-b");
  sell(c, 10, "o-c");
  // A held (unconfirmed) reservation is no revenue.
  REQUIRE(f.inventory->Reserve("held", {{c, 50}}, absl::Minutes(5)).ok());
  auto revenues = f.stock_store->SkuRevenues(f.clock.Now() - absl::Hours(24 * 30));
  REQUIRE(revenues.ok());
  std::map<std::string, int64_t> by_sku;
  for (const auto& r : *revenues) by_sku[r.sku_id] = r.revenue_minor;
  CHECK(by_sku[a] == 70 * 1999);
  CHECK(by_sku[c] == 10 * 1999);
  CHECK(by_sku[old] == 0);
  CHECK(f.stock->ClassifyAbc().value() == 1);

  for (const auto& sku : {a, b, c, old}) {
    REQUIRE(f.stock->SetSafetyStock({sku, "default", SafetyStockMode::kFixed, 1000, 0}).ok());
  }
  auto alerts = f.stock->Alerts("", 0, 0, "");
  REQUIRE(alerts.ok());
  REQUIRE(alerts->alerts.size() == 4);
  std::vector<std::pair<std::string, char>> order;
  for (const auto& alert : alerts->alerts) order.emplace_back(alert.position.level.sku_id, alert.position.abc_class);
  // Above b is 70% of the revenue (B), above c 90% (C). The old SKU sold nothing in the window (C) and comes
  // after c, whose stock lasts a known number of days.
  CHECK(order == std::vector<std::pair<std::string, char>>{{a, 'A'}, {b, 'B'}, {c, 'C'}, {old, 'C'}});
  // Reclassified later with nothing sold: everything is C.
  f.clock.Advance(absl::Hours(24 * 31));
  CHECK(f.stock->ClassifyAbc().value() == 0);
  CHECK(f.stock->Alerts("", 0, 0, "")->alerts[0].position.abc_class == 'C');
}

}  // namespace
}  // namespace zhongtai::product

namespace zhongtai::product {
namespace {

// The StockChanged events in the outbox, by ledger entry.
std::vector<v1::StockChanged> StockEvents(PgFixture& f) {
  std::vector<v1::StockChanged> out;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                out.clear();
                for (const auto& row : tx.exec("SELECT id, payload, key, stream FROM outbox "
                                               "WHERE type = 'zhongtai.product.v1.StockChanged' ORDER BY seq")) {
                  v1::StockChanged m;
                  REQUIRE(m.ParseFromString(pqxx::binarystring(row[1]).str()));
                  CHECK(row[0].as<std::string>() == "stock:" + std::to_string(m.ledger_entry_id()));
                  CHECK(row[2].as<std::string>() == m.product_id());
                  CHECK(row[3].as<std::string>() == "zt.events.product");
                  out.push_back(m);
                }
                return absl::OkStatus();
              })
              .ok());
  return out;
}

}  // namespace

TEST_CASE("every on-hand movement is one StockChanged in its transaction, reservations publish none", "[store]") {
  PgFixture f;
  Product phone = f.AddProduct("Phone", {{"EV-1", 10}});
  const std::string sku = phone.skus[0].sku_id;
  f.AddWarehouse("east");
  // The initial stock is the first movement.
  std::vector<v1::StockChanged> events = StockEvents(f);
  REQUIRE(events.size() == 1);
  CHECK(events[0].reason() == "initial");
  CHECK(events[0].on_hand_delta() == 10);
  CHECK(events[0].on_hand_after() == 10);
  CHECK(events[0].available_after() == 10);
  CHECK_FALSE(events[0].has_safety_stock());

  // A safety stock setting: its own event, and carried by the movements after it.
  REQUIRE(f.stock->SetSafetyStock({sku, "default", SafetyStockMode::kFixed, 3, 0}).ok());
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.product.v1.SafetyStockChanged' AND key = $1",
                phone.product_id) == 1);

  // Reserving and releasing move reserved only: nothing is published (the checkout path writes no outbox row).
  REQUIRE(f.inventory->Reserve("o1", {{sku, 4}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Reserve("o2", {{sku, 1}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Release("o2").ok());
  CHECK(StockEvents(f).size() == 1);

  // Goods in (a replay publishes nothing more), a transfer (both sides), a stocktake.
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "east", 7, "in-ev")).ok());
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kInbound, sku, "east", 7, "in-ev")).ok());
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kTransfer, sku, "default", 2, "tr-ev", "east")).ok());
  REQUIRE(f.stock->Apply(Op(StockOperationKind::kStocktake, sku, "east", 8, "count-ev")).ok());
  // A stocktake that finds what the books say moves nothing and publishes nothing (whether or not it is accepted).
  (void)f.stock->Apply(Op(StockOperationKind::kStocktake, sku, "east", 8, "count-ev-2"));
  // The paid order takes its 4 units off on hand.
  REQUIRE(f.inventory->Confirm("o1").ok());

  events = StockEvents(f);
  // One event per ledger row that moved on hand, and no other.
  CHECK(static_cast<int64_t>(events.size()) ==
        f.Count("SELECT count(*) FROM stock_ledger WHERE sku_id = $1 AND on_hand_delta <> 0", sku));
  std::vector<std::string> reasons;
  for (const v1::StockChanged& e : events) reasons.push_back(e.reason() + "@" + e.warehouse_id());
  CHECK(reasons == std::vector<std::string>{"initial@default", "inbound@east", "transfer_out@default",
                                            "transfer_in@east", "stocktake@east", "confirm@default"});
  const v1::StockChanged& out = events[2];
  CHECK(out.on_hand_delta() == -2);
  CHECK(out.on_hand_after() == 8);
  CHECK(out.available_after() == 4);  // 8 on hand, 4 reserved for o1
  CHECK(out.safety_stock() == 3);
  CHECK(out.has_safety_stock_update_time());
  CHECK(out.note() == "test");
  CHECK(out.reference() == "DOC-1");
  const v1::StockChanged& stocktake = events[4];
  CHECK(stocktake.on_hand_delta() == 8 - 9);
  CHECK_FALSE(stocktake.has_safety_stock());  // east has no setting
  const v1::StockChanged& confirm = events[5];
  CHECK(confirm.product_id() == phone.product_id);
  CHECK(confirm.sku_id() == sku);
  CHECK(confirm.on_hand_delta() == -4);
  CHECK(confirm.on_hand_after() == 4);
  CHECK(confirm.available_after() == 4);
  CHECK(confirm.reference() == "o1");
  CHECK(confirm.safety_stock() == 3);
  CHECK(confirm.ledger_entry_id() > stocktake.ledger_entry_id());
  CHECK(confirm.occur_time().seconds() == absl::ToUnixSeconds(f.clock.Now()));
}

TEST_CASE("a settled reservation publishes its confirmed part only", "[store]") {
  PgFixture f;
  Product phone = f.AddProduct("Phone", {{"EV-2", 10}});
  const std::string sku = phone.skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("o3", {{sku, 5}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Settle("o3", 3).ok());
  std::vector<v1::StockChanged> events = StockEvents(f);
  REQUIRE(events.size() == 2);
  CHECK(events[1].reason() == "confirm");
  CHECK(events[1].on_hand_delta() == -3);
  CHECK(events[1].on_hand_after() == 7);
  // As the ledger row has it: right after the confirmed part, the released 2 still reserved (their release moves
  // reserved only and publishes nothing).
  CHECK(events[1].available_after() == 5);
}

}  // namespace zhongtai::product
