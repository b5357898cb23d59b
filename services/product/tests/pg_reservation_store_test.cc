// PgProductStore reservations on a real PostgreSQL (label store): the concurrency rules with real threads,
// the warehouse split, the sweep and the statements each step sends.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/rules.h"
#include "services/product/domain/sourcing.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"

namespace zhongtai::product {
namespace {

TEST_CASE("50 concurrent one-unit reservations on 10 in stock: exactly 10 win", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  std::atomic<int> won{0}, short_of_stock{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 50; ++i) {
    threads.emplace_back([&, i] {
      auto r = f.inventory->Reserve("order-" + std::to_string(i), {{sku, 1}}, absl::Minutes(5));
      if (r.ok()) {
        ++won;
      } else if (ReasonOf(r.status()) == "INSUFFICIENT_STOCK") {
        ++short_of_stock;
      } else {
        ++other;
        UNSCOPED_INFO(r.status().ToString());
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 10);
  CHECK(short_of_stock == 40);
  CHECK(other == 0);
  auto [on_hand, reserved] = f.Stock(sku);
  CHECK(on_hand == 10);
  CHECK(reserved == 10);
  CHECK(f.inventory->BatchGetSkus({sku})->at(0).available == 0);
  CHECK(f.Count("SELECT count(*) FROM stock WHERE sku_id = $1 AND on_hand - reserved < 0", sku) == 0);
  CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE sku_id = $1 AND kind = 'reserve'", sku) == 10);
  CHECK(f.observer.Count("reserved") == 10);
  CHECK(f.observer.Count("insufficient") == 40);
}

TEST_CASE("the same order id reserved 20 times at once holds stock once", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 100}}).skus[0].sku_id;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      auto r = f.inventory->Reserve("order-same", {{sku, 3}}, absl::Minutes(5));
      if (r.ok() && r->status == ReservationStatus::kHeld && r->lines.size() == 1 && r->lines[0].quantity == 3) ++ok;
      if (!r.ok()) UNSCOPED_INFO(r.status().ToString());
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  CHECK(f.Stock(sku).second == 3);
  CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1", "order-same") == 1);
  CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE sku_id = $1 AND kind = 'reserve'", sku) == 1);
  CHECK(f.observer.Count("reserved") == 1);
}

TEST_CASE("a reservation is all or nothing over several SKUs", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Phone", {{"A", 5}, {"B", 1}});
  std::string a = p.skus[0].sku_id, b = p.skus[1].sku_id;
  auto r = f.inventory->Reserve("o1", {{a, 2}, {b, 2}}, absl::Minutes(5));
  CHECK(ReasonOf(r.status()) == "INSUFFICIENT_STOCK");
  CHECK(std::string(r.status().message()).find(b) != std::string::npos);
  CHECK(f.Stock(a).second == 0);
  CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1", "o1") == 0);
  auto missing = f.inventory->Reserve("o2", {{a, 1}, {"sku_missing", 1}}, absl::Minutes(5));
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(missing.status()) == "SKU_NOT_FOUND");
  CHECK(f.Stock(a).second == 0);
}

TEST_CASE("confirm sells, release returns, and confirm after release fails", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("paid", {{sku, 4}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Reserve("dropped", {{sku, 3}}, absl::Minutes(5)).ok());

  REQUIRE(f.inventory->Confirm("paid").ok());
  REQUIRE(f.inventory->Confirm("paid").ok());
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(6, 3));
  CHECK(ReasonOf(f.inventory->Release("paid").status()) == "RESERVATION_CONFIRMED");

  auto released = f.inventory->Release("dropped");
  REQUIRE(released.ok());
  CHECK(released->status == ReservationStatus::kReleased);
  REQUIRE(f.inventory->Release("dropped").ok());
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(6, 0));

  auto confirm = f.inventory->Confirm("dropped");
  CHECK(confirm.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(confirm.status()) == "RESERVATION_EXPIRED");
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(6, 0));
  CHECK(ReasonOf(f.inventory->Confirm("never").status()) == "RESERVATION_NOT_FOUND");

  std::vector<std::string> kinds;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                for (const auto& row :
                     tx.exec_params("SELECT kind FROM stock_ledger WHERE sku_id = $1 ORDER BY entry_id", sku)) {
                  kinds.push_back(row[0].as<std::string>());
                }
                return absl::OkStatus();
              })
              .ok());
  CHECK(kinds == std::vector<std::string>{"initial", "reserve", "reserve", "confirm", "release"});
}

TEST_CASE("a sale's reservation settles by quantity: sold units leave, the rest returns, once", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("fs_1", {{sku, 6}}, absl::Minutes(5)).ok());
  CHECK(ReasonOf(f.inventory->Settle("fs_1", 7).status()) == "QUANTITY_TOO_LARGE");
  auto settled = f.inventory->Settle("fs_1", 4);
  REQUIRE(settled.ok());
  CHECK(settled->status == ReservationStatus::kConfirmed);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(6, 0));
  REQUIRE(f.inventory->Settle("fs_1", 4).ok());
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(6, 0));
  CHECK(ReasonOf(f.inventory->Settle("fs_missing", 0).status()) == "RESERVATION_NOT_FOUND");

  std::vector<std::tuple<std::string, int64_t, int64_t, int64_t, int64_t>> ledger;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                for (const auto& row : tx.exec_params(
                         "SELECT kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after FROM stock_ledger "
                         "WHERE order_id = 'fs_1' ORDER BY entry_id")) {
                  ledger.emplace_back(row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>(),
                                      row[3].as<int64_t>(), row[4].as<int64_t>());
                }
                return absl::OkStatus();
              })
              .ok());
  using Row = std::tuple<std::string, int64_t, int64_t, int64_t, int64_t>;
  CHECK(ledger ==
        std::vector<Row>{Row{"reserve", 0, 6, 10, 6}, Row{"confirm", -4, -4, 6, 2}, Row{"release", 0, -2, 6, 0}});
}

TEST_CASE("a sale's reservation resizes: more from available stock, fewer back, once per request key", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("fs_r", {{sku, 4}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Reserve("other", {{sku, 2}}, absl::Minutes(5)).ok());

  auto grown = f.inventory->Resize("fs_r", 7, "rz-1");
  REQUIRE(grown.ok());
  CHECK(grown->lines.at(0).quantity == 7);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(10, 9));
  // The same key again changes nothing, even with another quantity.
  REQUIRE(f.inventory->Resize("fs_r", 7, "rz-1").ok());
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(10, 9));

  // Only 1 available: 4 more cannot be held, and nothing moves.
  auto refused = f.inventory->Resize("fs_r", 11, "rz-2");
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused.status()) == "INSUFFICIENT_STOCK");
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(10, 9));
  CHECK(f.Count("SELECT count(*) FROM reservation_resizes WHERE request_id = $1", "rz-2") == 0);

  auto shrunk = f.inventory->Resize("fs_r", 3, "rz-3");
  REQUIRE(shrunk.ok());
  CHECK(shrunk->lines.at(0).quantity == 3);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(10, 5));
  CHECK(f.inventory->BatchGetSkus({sku})->at(0).available == 5);
  CHECK(f.Count("SELECT count(*) FROM stock WHERE sku_id = $1 AND on_hand - reserved < 0", sku) == 0);
  CHECK(f.Count("SELECT COALESCE(sum(quantity), 0) FROM reservation_allocations WHERE order_id = $1", "fs_r") == 3);

  std::vector<std::tuple<std::string, int64_t, int64_t, int64_t>> ledger;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                for (const auto& row : tx.exec_params("SELECT kind, reserved_delta, on_hand_after, reserved_after "
                                                      "FROM stock_ledger WHERE order_id = 'fs_r' ORDER BY entry_id")) {
                  ledger.emplace_back(row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>(),
                                      row[3].as<int64_t>());
                }
                return absl::OkStatus();
              })
              .ok());
  using Row = std::tuple<std::string, int64_t, int64_t, int64_t>;
  CHECK(ledger == std::vector<Row>{Row{"reserve", 4, 10, 4}, Row{"reserve", 3, 10, 9}, Row{"release", -4, 10, 5}});

  // Settlement then confirms what it holds now.
  REQUIRE(f.inventory->Settle("fs_r", 2).ok());
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(8, 2));
  CHECK(ReasonOf(f.inventory->Resize("fs_r", 5, "rz-4").status()) == "RESERVATION_NOT_HELD");
  CHECK(ReasonOf(f.inventory->Resize("fs_missing", 5, "rz-5").status()) == "RESERVATION_NOT_FOUND");
  CHECK(ReasonOf(f.inventory->Resize("fs_r", 0, "rz-6").status()) == "QUANTITY_NOT_POSITIVE");
}

TEST_CASE("concurrent resizes and reservations never hold more than on hand", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 20}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("fs_c", {{sku, 5}}, absl::Minutes(5)).ok());
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&, i] {
      (void)f.inventory->Reserve("o-" + std::to_string(i), {{sku, 2}}, absl::Minutes(5));
      (void)f.inventory->Resize("fs_c", 5 + i, "rc-" + std::to_string(i));
    });
  }
  for (auto& t : threads) t.join();
  auto [on_hand, reserved] = f.Stock(sku);
  CHECK(on_hand == 20);
  CHECK(reserved <= 20);
  CHECK(f.Count("SELECT COALESCE(sum(quantity), 0) FROM reservation_allocations a JOIN reservations r "
                "USING (order_id) WHERE r.status = 'HELD' AND a.sku_id = $1",
                sku) == reserved);
  CHECK(f.Count("SELECT COALESCE(sum(reserved_delta), 0) FROM stock_ledger WHERE sku_id = $1", sku) == reserved);
}

TEST_CASE("the sweep releases expired reservations and stock returns", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("late", {{sku, 4}}, absl::Seconds(60)).ok());
  REQUIRE(f.inventory->Reserve("fresh", {{sku, 1}}, absl::Seconds(600)).ok());
  CHECK(f.inventory->SweepExpired().value() == 0);
  f.clock.Advance(absl::Seconds(61));
  CHECK(f.inventory->SweepExpired().value() == 1);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(10, 1));
  CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1 AND status = 'EXPIRED'", "late") == 1);
  CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE order_id = $1 AND kind = 'expire'", "late") == 1);
  CHECK(ReasonOf(f.inventory->Confirm("late").status()) == "RESERVATION_EXPIRED");
  CHECK(f.observer.Count("expired") == 1);
}

TEST_CASE("two sweepers at once expire each reservation once", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Phone", {{"A", 1000}, {"B", 1000}});
  for (int i = 0; i < 120; ++i) {
    // Lines over both SKUs in both orders, so the sweep has to lock stock rows in one order.
    REQUIRE(f.inventory
                ->Reserve("o" + std::to_string(i), {{p.skus[i % 2].sku_id, 2}, {p.skus[1 - i % 2].sku_id, 1}},
                          absl::Seconds(10))
                .ok());
  }
  f.clock.Advance(absl::Seconds(11));
  InventoryOptions small_batches;
  small_batches.sweep_batch = 7;
  CountingObserver o1, o2;
  Inventory replica1(*f.store, f.clock, o1, small_batches), replica2(*f.store, f.clock, o2, small_batches);
  absl::StatusOr<int> n1, n2;
  std::thread t1([&] { n1 = replica1.SweepExpired(); });
  std::thread t2([&] { n2 = replica2.SweepExpired(); });
  t1.join();
  t2.join();
  REQUIRE(n1.ok());
  REQUIRE(n2.ok());
  CHECK(*n1 + *n2 == 120);
  CHECK(f.Stock(p.skus[0].sku_id) == std::make_pair<int64_t, int64_t>(1000, 0));
  CHECK(f.Stock(p.skus[1].sku_id) == std::make_pair<int64_t, int64_t>(1000, 0));
  CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE kind = 'expire' AND sku_id = $1", p.skus[0].sku_id) == 120);
}

std::vector<Allocation> SortedByWarehouse(std::vector<Allocation> allocations) {
  std::sort(allocations.begin(), allocations.end(),
            [](const Allocation& a, const Allocation& b) { return a.warehouse_id < b.warehouse_id; });
  return allocations;
}

TEST_CASE("a reservation is sourced exactly as SourcingOrder() and SourceLine() source it", "[store]") {
  PgFixture f;
  SECTION("equal central warehouses: the first by id that covers the line, else in id order") {
    std::string sku = f.AddProduct("Tie", {{"T1", 2}}).skus[0].sku_id;
    f.AddWarehouse("west");
    f.AddWarehouse("east");
    f.Inbound(sku, "west", 5);
    f.Inbound(sku, "east", 5);
    auto whole = f.inventory->Reserve("whole", {{sku, 4}}, absl::Minutes(5));
    REQUIRE(whole.ok());
    CHECK(whole->allocations == std::vector<Allocation>{{sku, "east", 4}});
    CHECK(f.Allocations("whole", sku) == whole->allocations);
    // Now default 2, east 1, west 5: 7 takes default, then east, then west.
    auto split = f.inventory->Reserve("split", {{sku, 7}}, absl::Minutes(5));
    REQUIRE(split.ok());
    CHECK(split->allocations == std::vector<Allocation>{{sku, "default", 2}, {sku, "east", 1}, {sku, "west", 4}});
    CHECK(f.Allocations("split", sku) == split->allocations);
    CHECK(ReasonOf(f.inventory->Reserve("more", {{sku, 2}}, absl::Minutes(5)).status()) == "INSUFFICIENT_STOCK");
    // A repeat answers with the allocations it made.
    CHECK(f.inventory->Reserve("split", {{sku, 7}}, absl::Minutes(5))->allocations == split->allocations);
  }
  SECTION("by region: front before regional before central, inactive ones never") {
    std::string sku = f.AddProduct("Tea", {{"TEA", 10}}).skus[0].sku_id;
    f.AddWarehouse("sz-front", WarehouseType::kFront, {"440300"});
    f.AddWarehouse("gd-regional", WarehouseType::kRegional, {"440000"});
    f.AddWarehouse("sz-closed", WarehouseType::kFront, {"440300"}, 0, false);
    for (const char* w : {"sz-front", "gd-regional", "sz-closed"}) {
      f.Inbound(sku, w, 3);
    }
    const ShippingRegion shenzhen{"440000", "440300"}, guangzhou{"440000", "440100"}, beijing{"110000", "110100"};
    CHECK(f.inventory->Reserve("a", {{sku, 2}}, absl::Minutes(5), shenzhen)->allocations ==
          std::vector<Allocation>{{sku, "sz-front", 2}});
    CHECK(f.inventory->Reserve("b", {{sku, 2}}, absl::Minutes(5), guangzhou)->allocations ==
          std::vector<Allocation>{{sku, "gd-regional", 2}});
    CHECK(f.inventory->Reserve("c", {{sku, 2}}, absl::Minutes(5), beijing)->allocations ==
          std::vector<Allocation>{{sku, "default", 2}});
    // Shenzhen, 10: front 1 + regional 1 + central 8 (none covers it alone); the closed one is never used.
    auto split = f.inventory->Reserve("d", {{sku, 10}}, absl::Minutes(5), shenzhen);
    REQUIRE(split.ok());
    CHECK(split->allocations ==
          std::vector<Allocation>{{sku, "default", 8}, {sku, "gd-regional", 1}, {sku, "sz-front", 1}});
    CHECK(split->region == shenzhen);
    CHECK(ReasonOf(f.inventory->Reserve("e", {{sku, 1}}, absl::Minutes(5), shenzhen).status()) == "INSUFFICIENT_STOCK");
    CHECK(f.Levels(sku)[2].reserved == 0);  // sz-closed (sorted: default, gd-regional, sz-closed, sz-front)
    CHECK(ReasonOf(f.inventory->Reserve("d", {{sku, 10}}, absl::Minutes(5), guangzhou).status()) ==
          "RESERVATION_MISMATCH");
  }
  std::mt19937 rng(20261203);
  // Random warehouses: types, regions, priorities and an inactive one, over three provinces.
  const std::vector<std::string> regions = {"440000", "440300", "440100", "310000", "110000"};
  std::vector<std::string> warehouses = {"default"};
  for (int i = 0; i < 5; ++i) {
    auto type = static_cast<WarehouseType>(std::uniform_int_distribution<int>(0, 2)(rng));
    std::vector<std::string> serves;
    if (type != WarehouseType::kCentral || i % 2 == 0) {
      serves.push_back(regions[std::uniform_int_distribution<size_t>(0, regions.size() - 1)(rng)]);
    }
    std::string id = "w" + std::to_string(i);
    f.AddWarehouse(id, type, serves, std::uniform_int_distribution<int>(1, 3)(rng), i != 3);
    warehouses.push_back(id);
  }
  const std::vector<ShippingRegion> destinations = {
      {}, {"440000", "440300"}, {"440000", "440100"}, {"440000", ""}, {"310000", "310100"}, {"110000", "110100"}};
  // zt_warehouse_serves, which every statement sourcing by region uses, is Serves().
  for (const Warehouse& w : f.Warehouses()) {
    for (const ShippingRegion& r : destinations) {
      CAPTURE(w.warehouse_id, r.province_code, r.city_code);
      CHECK(f.Count("SELECT count(*) FROM warehouses WHERE warehouse_id = $1 "
                    "AND zt_warehouse_serves(active, regions, $2, $3)",
                    w.warehouse_id, r.province_code, r.city_code) == (Serves(w, r) ? 1 : 0));
    }
  }
  for (int round = 0; round < 30; ++round) {
    CAPTURE(round);
    // Two SKUs with random stock in random warehouses, part of it already reserved by another order.
    Product p = f.AddProduct("Multi " + std::to_string(round),
                             {{"MA" + std::to_string(round), std::uniform_int_distribution<int>(0, 6)(rng)},
                              {"MB" + std::to_string(round), std::uniform_int_distribution<int>(0, 6)(rng)}});
    const ShippingRegion region = destinations[round % destinations.size()];
    std::vector<ReservationLine> lines;
    for (const Sku& sku : p.skus) {
      for (size_t w = 1; w < warehouses.size(); ++w) {
        int add = std::uniform_int_distribution<int>(-2, 6)(rng);
        if (add > 0) f.Inbound(sku.sku_id, warehouses[w], add);
      }
      int64_t total = f.inventory->BatchGetSkus({sku.sku_id})->at(0).available;
      if (total > 2) REQUIRE(f.inventory->Reserve("pre-" + sku.sku_id, {{sku.sku_id, 1}}, absl::Minutes(5)).ok());
      // Mostly coverable over all warehouses; the region's may have less, which is checked too.
      int64_t most = std::max<int64_t>(1, total + (round % 5 == 0 ? 1 : 0));
      lines.push_back({sku.sku_id, std::uniform_int_distribution<int64_t>(1, most)(rng)});
    }
    const std::vector<Warehouse> eligible = SourcingOrder(f.Warehouses(), region);
    std::map<std::string, std::vector<StockLevel>> before;
    absl::Status expected_error;
    std::map<std::string, std::vector<Allocation>> expected;
    for (const auto& line : NormalizeLines(lines)) {
      before[line.sku_id] = f.Levels(line.sku_id);
      // What BatchGetSkus answers for the region is what this reservation could draw on.
      int64_t in_region = 0;
      for (const StockLevel& level : before[line.sku_id]) {
        for (const Warehouse& w : eligible) {
          if (w.warehouse_id == level.warehouse_id) in_region += level.available();
        }
      }
      CHECK(f.inventory->BatchGetSkus({line.sku_id}, region)->at(0).available == in_region);
      auto split = SourceLine(line.sku_id, line.quantity, before[line.sku_id], eligible);
      if (!split.ok() && expected_error.ok()) expected_error = split.status();
      if (split.ok()) expected[line.sku_id] = SortedByWarehouse(*split);
    }
    std::string order = "split-" + std::to_string(round);
    auto reserved = f.inventory->Reserve(order, lines, absl::Minutes(5), region);
    if (!expected_error.ok()) {
      CHECK(ReasonOf(reserved.status()) == "INSUFFICIENT_STOCK");
      CHECK(reserved.status().message() == expected_error.message());
      for (const auto& [sku, levels] : before) {
        auto now = f.Levels(sku);
        REQUIRE(now.size() == levels.size());
        for (size_t i = 0; i < levels.size(); ++i) CHECK(now[i].reserved == levels[i].reserved);
      }
      CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1", order) == 0);
      continue;
    }
    REQUIRE(reserved.ok());
    std::vector<Allocation> all_expected;
    for (const auto& [sku, split] : expected) {
      CHECK(f.Allocations(order, sku) == split);
      all_expected.insert(all_expected.end(), split.begin(), split.end());
      // Each warehouse's reserved count grew by what was allocated there, and nothing else moved.
      std::map<std::string, int64_t> took;
      for (const auto& a : split) took[a.warehouse_id] = a.quantity;
      for (const auto& level : f.Levels(sku)) {
        int64_t was = 0;
        for (const auto& b : before[sku]) {
          if (b.warehouse_id == level.warehouse_id) was = b.reserved;
        }
        CHECK(level.reserved == was + took[level.warehouse_id]);
        CHECK(level.reserved <= level.on_hand);
      }
    }
    CHECK(reserved->allocations == all_expected);
    CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE order_id = $1 AND kind = 'reserve'", order) ==
          static_cast<int64_t>(all_expected.size()));
  }
}

TEST_CASE("a repeated reservation returns the first one even when the stock has run out since", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 4}}).skus[0].sku_id;
  auto first = f.inventory->Reserve("o1", {{sku, 4}}, absl::Minutes(5));
  REQUIRE(first.ok());
  auto again = f.inventory->Reserve("o1", {{sku, 4}}, absl::Minutes(5));
  REQUIRE(again.ok());
  CHECK(again->created_at == first->created_at);
  CHECK(again->expires_at == first->expires_at);
  CHECK(f.Stock(sku).second == 4);
  CHECK(ReasonOf(f.inventory->Reserve("o1", {{sku, 3}}, absl::Minutes(5)).status()) == "RESERVATION_MISMATCH");
  REQUIRE(f.inventory->Release("o1").ok());
  // Released: a repeat still answers with that reservation and holds nothing again.
  auto after_release = f.inventory->Reserve("o1", {{sku, 4}}, absl::Minutes(5));
  REQUIRE(after_release.ok());
  CHECK(after_release->status == ReservationStatus::kReleased);
  CHECK(f.Stock(sku).second == 0);
  CHECK(f.observer.Count("reserved") == 1);
}

TEST_CASE("one sweep expiring several orders on one stock row writes each movement with its own level", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Phone", {{"A", 20}, {"B", 20}});
  std::string a = p.skus[0].sku_id, b = p.skus[1].sku_id;
  REQUIRE(f.inventory->Reserve("o-1", {{a, 2}, {b, 1}}, absl::Seconds(10)).ok());
  REQUIRE(f.inventory->Reserve("o-2", {{a, 3}}, absl::Seconds(10)).ok());
  REQUIRE(f.inventory->Reserve("o-3", {{a, 4}, {b, 5}}, absl::Seconds(10)).ok());
  REQUIRE(f.inventory->Reserve("o-keep", {{a, 1}}, absl::Seconds(100)).ok());
  f.clock.Advance(absl::Seconds(11));
  CHECK(f.inventory->SweepExpired().value() == 3);
  CHECK(f.Stock(a) == std::make_pair<int64_t, int64_t>(20, 1));
  CHECK(f.Stock(b) == std::make_pair<int64_t, int64_t>(20, 0));
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t>> rows;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                for (const auto& row :
                     tx.exec("SELECT sku_id, order_id, reserved_delta, reserved_after FROM stock_ledger "
                             "WHERE kind = 'expire' ORDER BY entry_id")) {
                  rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>(),
                                    row[3].as<int64_t>());
                }
                return absl::OkStatus();
              })
              .ok());
  // Before the sweep A had 2+3+4+1 = 10 reserved and B 1+5 = 6; orders are expired in id order.
  std::vector<std::tuple<std::string, std::string, int64_t, int64_t>> want = {
      {a, "o-1", -2, 8}, {a, "o-2", -3, 5}, {a, "o-3", -4, 1}, {b, "o-1", -1, 5}, {b, "o-3", -5, 0}};
  if (b < a) std::rotate(want.begin(), want.begin() + 3, want.end());
  CHECK(rows == want);
  for (const char* order : {"o-1", "o-2", "o-3"}) {
    CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1 AND status = 'EXPIRED'", order) == 1);
  }
  CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1 AND status = 'HELD'", "o-keep") == 1);
}

TEST_CASE("reserve, confirm, release and sweep at once over shared SKUs: no deadlock, no oversell", "[store]") {
  PgFixture f;
  std::vector<std::string> skus;
  for (const Sku& sku : f.AddProduct("Shared", {{"S1", 25}, {"S2", 25}, {"S3", 25}, {"S4", 25}}).skus) {
    skus.push_back(sku.sku_id);
  }
  std::atomic<int> unexpected{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < 25; ++i) {
        std::string order = "mix-" + std::to_string(t) + "-" + std::to_string(i);
        std::vector<ReservationLine> lines;
        // Lines in random order, so that only the statement's own lock order prevents deadlocks.
        std::vector<std::string> pick = skus;
        std::shuffle(pick.begin(), pick.end(), rng);
        int n = std::uniform_int_distribution<int>(1, 4)(rng);
        for (int k = 0; k < n; ++k) lines.push_back({pick[k], std::uniform_int_distribution<int64_t>(1, 3)(rng)});
        auto r = f.inventory->Reserve(order, lines, absl::Seconds(i % 3 == 0 ? 1 : 600));
        if (!r.ok()) {
          if (ReasonOf(r.status()) != "INSUFFICIENT_STOCK") {
            ++unexpected;
            UNSCOPED_INFO(r.status().ToString());
          }
          continue;
        }
        absl::Status s = i % 2 == 0 ? f.inventory->Confirm(order).status() : f.inventory->Release(order).status();
        if (!s.ok() && ReasonOf(s) != "RESERVATION_EXPIRED") {
          ++unexpected;
          UNSCOPED_INFO(s.ToString());
        }
      }
    });
  }
  std::thread sweeper([&] {
    while (!stop) {
      f.clock.Advance(absl::Milliseconds(100));
      auto n = f.inventory->SweepExpired();
      if (!n.ok()) {
        ++unexpected;
        UNSCOPED_INFO(n.status().ToString());
      }
    }
  });
  for (auto& t : threads) t.join();
  stop = true;
  sweeper.join();
  CHECK(unexpected == 0);
  // Every unit is accounted for: on hand is what was not confirmed, reserved is what is still held.
  for (const auto& sku : skus) {
    CAPTURE(sku);
    auto [on_hand, reserved] = f.Stock(sku);
    CHECK(reserved >= 0);
    CHECK(on_hand >= reserved);
    CHECK(on_hand == 25 - f.Count("SELECT COALESCE(sum(a.quantity), 0) FROM reservation_allocations a JOIN "
                                  "reservations r USING (order_id) WHERE r.status = 'CONFIRMED' AND a.sku_id = $1",
                                  sku));
    CHECK(reserved == f.Count("SELECT COALESCE(sum(a.quantity), 0) FROM reservation_allocations a JOIN "
                              "reservations r USING (order_id) WHERE r.status = 'HELD' AND a.sku_id = $1",
                              sku));
    CHECK(f.Count("SELECT COALESCE(sum(reserved_delta), 0) FROM stock_ledger WHERE sku_id = $1", sku) == reserved);
  }
}

TEST_CASE("a reservation of three lines is two statements, confirm five, the sweep one, a SKU batch one", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Phone", {{"A", 10}, {"B", 10}, {"C", 10}});
  std::vector<ReservationLine> lines;
  for (const Sku& sku : p.skus) lines.push_back({sku.sku_id, 1});
  // Once first: the statements are prepared on first use, and Parse is not a statement of its own.
  REQUIRE(f.inventory->Reserve("warm", lines, absl::Seconds(5)).ok());
  f.ResetStatements();
  REQUIRE(f.inventory->Reserve("o1", lines, absl::Minutes(5)).ok());
  auto reserve = f.Statements();
  CHECK(reserve["BEGIN"] == 1);
  CHECK(reserve["COMMIT"] == 1);
  // The stock rows locked by a statement of their own (why: kLockStockOfSkusSql), then the reservation.
  CHECK(reserve.size() == 4);

  f.ResetStatements();
  REQUIRE(f.inventory->Confirm("o1").ok());
  auto confirm = f.Statements();
  CHECK(confirm["BEGIN"] == 1);
  CHECK(confirm["COMMIT"] == 1);
  // The reservation with its lines, its stock rows locked, then the stock moves; then the StockChanged events of the
  // goods taken off on hand (pg_stock_events.h): one read of the ledger rows the move wrote and the outbox insert (once
  // per allocation).
  CHECK(confirm.size() == 7);

  f.clock.Advance(absl::Seconds(6));
  f.ResetStatements();
  CHECK(f.inventory->SweepExpired().value() == 1);
  CHECK(f.Statements().size() == 3);

  f.ResetStatements();
  auto skus = f.inventory->BatchGetSkus({p.skus[0].sku_id, p.skus[2].sku_id});
  REQUIRE(skus.ok());
  CHECK(skus->at(0).attributes.at("color") == "black");
  CHECK(f.Statements().size() == 1);  // a read outside a transaction: no BEGIN and COMMIT
}

}  // namespace
}  // namespace zhongtai::product
