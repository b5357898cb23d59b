// PgProductStore on a real PostgreSQL (label store): the concurrency rules with real threads.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/rules.h"
#include "services/product/store/pg_product_store.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

struct PgFixture {
  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgProductStore> store;
  FakeClock clock;
  RandomIdGenerator ids{clock};
  CountingObserver observer;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Inventory> inventory;
  std::string category_id;

  PgFixture() {
    pg::PoolOptions options;
    options.dsn = db.dsn();
    options.size = 8;
    options.acquire_timeout = absl::Seconds(30);
    options.name = "product-test";
    auto opened = pg::Pool::Open(options);
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    REQUIRE(pg::Migrate(*pool, Migrations()).ok());
    store = std::make_unique<PgProductStore>(*pool);
    catalog = std::make_unique<Catalog>(*store, clock, ids);
    inventory = std::make_unique<Inventory>(*store, clock, observer);
    auto category = catalog->CreateCategory("Phones", "", "");
    REQUIRE(category.ok());
    category_id = category->category_id;
  }

  Product AddProduct(const std::string& title, std::vector<std::pair<std::string, int64_t>> skus,
                     const std::string& category = "") {
    NewProduct request;
    request.title = title;
    request.category_id = category.empty() ? category_id : category;
    for (const auto& [code, stock] : skus) {
      NewSku sku;
      sku.sku_code = code;
      sku.price = {"CNY", 1999};
      sku.initial_stock = stock;
      sku.attributes = {{"color", "black"}};
      request.skus.push_back(sku);
    }
    auto product = catalog->CreateProduct(request);
    REQUIRE(product.ok());
    clock.Advance(absl::Milliseconds(1));
    return *product;
  }

  // (on_hand, reserved) summed over warehouses, read from the table itself.
  std::pair<int64_t, int64_t> Stock(const std::string& sku_id) {
    std::pair<int64_t, int64_t> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  auto r = tx.exec_params(
                      "SELECT COALESCE(SUM(on_hand), 0), COALESCE(SUM(reserved), 0) FROM stock WHERE sku_id = $1",
                      sku_id);
                  out = {r[0][0].as<int64_t>(), r[0][1].as<int64_t>()};
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  // Stock levels of one SKU per warehouse, as AllocateStock() takes them (sorted by warehouse id).
  std::vector<StockLevel> Levels(const std::string& sku_id) {
    std::vector<StockLevel> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const auto& row : tx.exec_params(
                           "SELECT warehouse_id, on_hand, reserved FROM stock WHERE sku_id = $1 "
                           "ORDER BY warehouse_id COLLATE \"C\"",
                           sku_id)) {
                    out.push_back({sku_id, row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>()});
                  }
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  std::vector<Allocation> Allocations(const std::string& order_id, const std::string& sku_id) {
    std::vector<Allocation> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const auto& row : tx.exec_params(
                           "SELECT warehouse_id, quantity FROM reservation_allocations WHERE order_id = $1 "
                           "AND sku_id = $2 ORDER BY warehouse_id COLLATE \"C\"",
                           order_id, sku_id)) {
                    out.push_back({sku_id, row[0].as<std::string>(), row[1].as<int64_t>()});
                  }
                  return absl::OkStatus();
                }).ok());
    return out;
  }

  // Top-level statements this database ran since the last ResetStatements(), by text, from
  // pg_stat_statements (the harness preloads it). Left out: the reading transaction's own, and the
  // bodies of the SQL functions zt_ts/zt_micros, which pg_stat_statements lists when the planner
  // folds a call with constant arguments; they are no round trip.
  void ResetStatements() {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                  tx.exec("SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                          "WHERE datname = current_database()), 0)");
                  return absl::OkStatus();
                }).ok());
  }
  std::map<std::string, int64_t> Statements() {
    std::map<std::string, int64_t> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const auto& row : tx.exec(
                           "SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls FROM pg_stat_statements "
                           "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                           "AND toplevel AND query NOT LIKE '%pg_stat_statements%' "
                           "AND query NOT LIKE 'SELECT timestamptz %' AND query NOT LIKE 'SELECT (EXTRACT%'")) {
                    out[row[0].as<std::string>()] += row[1].as<int64_t>();
                  }
                  return absl::OkStatus();
                }).ok());
    // The COMMIT of ResetStatements() and the BEGIN of the reading transaction above.
    for (const char* own : {"BEGIN", "COMMIT"}) {
      if (--out[own] == 0) out.erase(own);
    }
    for (const auto& [query, calls] : out) UNSCOPED_INFO(calls << "x " << query);
    return out;
  }

  int64_t Count(const std::string& sql, const std::string& param) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params(sql, param)[0][0].as<int64_t>();
                  return absl::OkStatus();
                }).ok());
    return n;
  }
};

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
  REQUIRE(f.pool->Transact([&](pqxx::work& tx) {
                  for (const auto& row : tx.exec_params(
                           "SELECT kind FROM stock_ledger WHERE sku_id = $1 ORDER BY entry_id", sku)) {
                    kinds.push_back(row[0].as<std::string>());
                  }
                  return absl::OkStatus();
                }).ok());
  CHECK(kinds == std::vector<std::string>{"initial", "reserve", "reserve", "confirm", "release"});
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
    REQUIRE(f.inventory->Reserve("o" + std::to_string(i), {{p.skus[i % 2].sku_id, 2}, {p.skus[1 - i % 2].sku_id, 1}},
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

TEST_CASE("stock adjustments: idempotent, never below reserved, per warehouse", "[store]") {
  PgFixture f;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("o1", {{sku, 8}}, absl::Minutes(5)).ok());
  auto below = f.inventory->AdjustStock({"adj-1", sku, "", -3, "damaged"});
  CHECK(below.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(below.status()) == "STOCK_BELOW_RESERVED");

  auto down = f.inventory->AdjustStock({"adj-2", sku, "", -2, "damaged"});
  REQUIRE(down.ok());
  CHECK(down->on_hand == 8);
  CHECK(down->reserved == 8);
  std::vector<std::thread> threads;
  std::atomic<int> same{0};
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      auto r = f.inventory->AdjustStock({"adj-3", sku, "north", 5, "goods in"});
      if (r.ok() && r->on_hand == 5 && r->warehouse_id == "north") ++same;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(same == 10);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(13, 8));
  CHECK(ReasonOf(f.inventory->AdjustStock({"adj-3", sku, "north", 6, ""}).status()) == "REQUEST_ID_REUSED");
  CHECK(ReasonOf(f.inventory->AdjustStock({"adj-4", "sku_nope", "", 1, ""}).status()) == "SKU_NOT_FOUND");

  // 5 available in "north" and none in "default": a reservation is taken from north.
  REQUIRE(f.inventory->Reserve("o2", {{sku, 5}}, absl::Minutes(5)).ok());
  CHECK(f.inventory->BatchGetSkus({sku})->at(0).available == 0);
  REQUIRE(f.inventory->Release("o2").ok());
  CHECK(f.inventory->BatchGetSkus({sku})->at(0).available == 5);
}

TEST_CASE("products page newest first, every product exactly once", "[store]") {
  PgFixture f;
  auto shoes = f.catalog->CreateCategory("Shoes", "", "cat-req-1");
  REQUIRE(shoes.ok());
  CHECK(f.catalog->CreateCategory("Shoes", "", "cat-req-1")->category_id == shoes->category_id);
  CHECK(ReasonOf(f.catalog->CreateCategory("shoes", "", "").status()) == "CATEGORY_EXISTS");
  auto boots = f.catalog->CreateCategory("Boots", shoes->category_id, "");
  REQUIRE(boots.ok());
  std::set<std::string> created;
  for (int i = 0; i < 45; ++i) {
    created.insert(f.AddProduct("Phone 100% model_" + std::to_string(i), {{"P" + std::to_string(i), i}}).product_id);
  }
  Product boot = f.AddProduct("Red Winter Boot", {{"BOOT", 3}}, boots->category_id);
  created.insert(boot.product_id);

  std::set<std::string> seen;
  std::string token, last;
  int pages = 0;
  do {
    auto page = f.catalog->ListProducts(7, token, "", "");
    REQUIRE(page.ok());
    CHECK(page->products.size() <= 7);
    for (const auto& p : page->products) {
      CHECK(seen.insert(p.product_id).second);
      if (!last.empty()) CHECK(p.product_id < last);
      last = p.product_id;
      CHECK(p.skus.size() == 1);
    }
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 100);
  CHECK(seen == created);
  CHECK(pages == 7);

  auto by_category = f.catalog->ListProducts(0, "", shoes->category_id, "winter BOOT");
  REQUIRE(by_category.ok());
  REQUIRE(by_category->products.size() == 1);
  const Product& got = by_category->products[0];
  CHECK(got.product_id == boot.product_id);
  CHECK(got.skus[0].available == 3);
  CHECK(got.skus[0].attributes.at("color") == "black");
  CHECK(got.skus[0].spec == "black");
  CHECK(got.skus[0].price.amount_minor == 1999);
  // "%" and "_" are literal: "1_0" would match the "100" of every title as a LIKE pattern.
  CHECK(f.catalog->ListProducts(100, "", "", "100%")->products.size() == 45);
  CHECK(f.catalog->ListProducts(100, "", "", "1_0")->products.empty());
  CHECK(f.catalog->ListProducts(100, "", "", "L_1")->products.size() == 11);  // model_1, model_10..19

  auto fetched = f.catalog->GetProduct(boot.product_id);
  REQUIRE(fetched.ok());
  CHECK(fetched->title == "Red Winter Boot");
  CHECK(fetched->created_at == boot.created_at);
  CHECK(ReasonOf(f.catalog->GetProduct("prd_nope").status()) == "PRODUCT_NOT_FOUND");

  auto categories = f.catalog->ListCategories(2, "");
  REQUIRE(categories.ok());
  CHECK(categories->categories.size() == 2);
  auto rest = f.catalog->ListCategories(2, categories->next_page_token);
  REQUIRE(rest.ok());
  CHECK(rest->categories.size() == 1);
  CHECK(rest->next_page_token.empty());
}

TEST_CASE("create product replays by request id and rejects a taken SKU code", "[store]") {
  PgFixture f;
  NewProduct request;
  request.title = "Kite";
  request.category_id = f.category_id;
  request.request_id = "req-kite";
  request.skus.push_back({"KITE-1", "", {{"size", "L"}}, {"CNY", 100}, 7, "east"});
  auto first = f.catalog->CreateProduct(request);
  REQUIRE(first.ok());
  auto second = f.catalog->CreateProduct(request);
  REQUIRE(second.ok());
  CHECK(first->product_id == second->product_id);
  CHECK(f.Stock(first->skus[0].sku_id) == std::make_pair<int64_t, int64_t>(7, 0));
  request.request_id = "req-kite-2";
  CHECK(ReasonOf(f.catalog->CreateProduct(request).status()) == "SKU_CODE_EXISTS");
  request.category_id = "cat_nope";
  request.skus[0].sku_code = "KITE-2";
  CHECK(ReasonOf(f.catalog->CreateProduct(request).status()) == "CATEGORY_NOT_FOUND");
}

TEST_CASE("a reservation is split over warehouses exactly as AllocateStock() splits it", "[store]") {
  PgFixture f;
  SECTION("equal warehouses: the one with the smaller id first") {
    std::string sku = f.AddProduct("Tie", {{"T1", 2}}).skus[0].sku_id;
    REQUIRE(f.inventory->AdjustStock({"", sku, "west", 5, ""}).ok());
    REQUIRE(f.inventory->AdjustStock({"", sku, "east", 5, ""}).ok());
    REQUIRE(f.inventory->Reserve("whole", {{sku, 4}}, absl::Minutes(5)).ok());
    auto whole = f.Allocations("whole", sku);
    REQUIRE(whole.size() == 1);
    CHECK(whole[0].warehouse_id == "east");
    // Now default 2, east 1, west 5: 7 takes west first, then default, then east.
    REQUIRE(f.inventory->Reserve("split", {{sku, 7}}, absl::Minutes(5)).ok());
    auto split = f.Allocations("split", sku);
    REQUIRE(split.size() == 2);
    CHECK(split[0].warehouse_id == "default");
    CHECK(split[0].quantity == 2);
    CHECK(split[1].warehouse_id == "west");
    CHECK(split[1].quantity == 5);
    CHECK(ReasonOf(f.inventory->Reserve("more", {{sku, 2}}, absl::Minutes(5)).status()) == "INSUFFICIENT_STOCK");
  }
  std::mt19937 rng(20261202);
  const std::vector<std::string> warehouses = {"default", "east", "north", "west"};
  for (int round = 0; round < 25; ++round) {
    CAPTURE(round);
    // Two SKUs with random stock in random warehouses, part of it already reserved by another order.
    Product p = f.AddProduct("Multi " + std::to_string(round),
                             {{"MA" + std::to_string(round), std::uniform_int_distribution<int>(0, 6)(rng)},
                              {"MB" + std::to_string(round), std::uniform_int_distribution<int>(0, 6)(rng)}});
    std::vector<ReservationLine> lines;
    for (const Sku& sku : p.skus) {
      for (size_t w = 1; w < warehouses.size(); ++w) {
        int add = std::uniform_int_distribution<int>(-2, 6)(rng);
        if (add > 0) {
          REQUIRE(f.inventory->AdjustStock({"", sku.sku_id, warehouses[w], add, "goods in"}).ok());
        }
      }
      int64_t total = f.inventory->BatchGetSkus({sku.sku_id})->at(0).available;
      if (total > 2) REQUIRE(f.inventory->Reserve("pre-" + sku.sku_id, {{sku.sku_id, 1}}, absl::Minutes(5)).ok());
      // Mostly coverable, so that the split is checked; every fifth round may ask one more than there is.
      int64_t most = std::max<int64_t>(1, total + (round % 5 == 0 ? 1 : 0));
      lines.push_back({sku.sku_id, std::uniform_int_distribution<int64_t>(1, most)(rng)});
    }
    std::map<std::string, std::vector<StockLevel>> before;
    absl::Status expected_error;
    std::map<std::string, std::vector<Allocation>> expected;
    for (const auto& line : NormalizeLines(lines)) {
      before[line.sku_id] = f.Levels(line.sku_id);
      absl::StatusOr<std::vector<Allocation>> split = AllocateStock(line.sku_id, line.quantity, before[line.sku_id]);
      if (!split.ok() && expected_error.ok()) expected_error = split.status();
      if (split.ok()) expected[line.sku_id] = *split;
    }
    std::string order = "split-" + std::to_string(round);
    auto reserved = f.inventory->Reserve(order, lines, absl::Minutes(5));
    if (!expected_error.ok()) {
      CHECK(ReasonOf(reserved.status()) == "INSUFFICIENT_STOCK");
      CHECK(reserved.status().message() == expected_error.message());
      for (const auto& [sku, levels] : before) CHECK(f.Levels(sku).size() == levels.size());
      for (const auto& [sku, levels] : before) {
        auto now = f.Levels(sku);
        for (size_t i = 0; i < levels.size(); ++i) CHECK(now[i].reserved == levels[i].reserved);
      }
      CHECK(f.Count("SELECT count(*) FROM reservations WHERE order_id = $1", order) == 0);
      continue;
    }
    REQUIRE(reserved.ok());
    for (const auto& [sku, split] : expected) {
      std::vector<Allocation> got = f.Allocations(order, sku);
      REQUIRE(got.size() == split.size());
      for (size_t i = 0; i < split.size(); ++i) {
        CHECK(got[i].warehouse_id == split[i].warehouse_id);
        CHECK(got[i].quantity == split[i].quantity);
      }
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
    CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE order_id = $1 AND kind = 'reserve'", order) ==
          static_cast<int64_t>(f.Count("SELECT count(*) FROM reservation_allocations WHERE order_id = $1", order)));
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

TEST_CASE("one sweep expiring several orders on one stock row writes each movement with its own level",
          "[store]") {
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
  REQUIRE(f.pool->Transact([&](pqxx::work& tx) {
                for (const auto& row : tx.exec(
                         "SELECT sku_id, order_id, reserved_delta, reserved_after FROM stock_ledger "
                         "WHERE kind = 'expire' ORDER BY entry_id")) {
                  rows.emplace_back(row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>(),
                                    row[3].as<int64_t>());
                }
                return absl::OkStatus();
              }).ok());
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

TEST_CASE("a reservation of three lines is one statement, confirm two, the sweep one, a SKU batch one",
          "[store]") {
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
  CHECK(reserve.size() == 3);

  f.ResetStatements();
  REQUIRE(f.inventory->Confirm("o1").ok());
  auto confirm = f.Statements();
  CHECK(confirm["BEGIN"] == 1);
  CHECK(confirm["COMMIT"] == 1);
  CHECK(confirm.size() == 4);  // the reservation with its lines, then the stock moves

  f.clock.Advance(absl::Seconds(6));
  f.ResetStatements();
  CHECK(f.inventory->SweepExpired().value() == 1);
  CHECK(f.Statements().size() == 3);

  f.ResetStatements();
  auto skus = f.inventory->BatchGetSkus({p.skus[0].sku_id, p.skus[2].sku_id});
  REQUIRE(skus.ok());
  CHECK(skus->at(0).attributes.at("color") == "black");
  CHECK(f.Statements().size() == 3);
}

TEST_CASE("the prepared catalogue reads keep their generic plan instead of being planned on every call", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Phone", {{"A", 10}, {"B", 10}, {"C", 10}});
  // One connection, so that every call meets the same prepared statement, with planning counted.
  REQUIRE(f.pool->Transact([&](pqxx::work& tx) {
                tx.exec(absl::StrCat("ALTER DATABASE ", tx.quote_name(f.db.name()),
                                     " SET pg_stat_statements.track_planning = on"));
                return absl::OkStatus();
              }).ok());
  pg::PoolOptions options;
  options.dsn = f.db.dsn();
  options.size = 1;
  options.name = "product-plan-test";
  auto one = pg::Pool::Open(options);
  REQUIRE(one.ok());
  PgProductStore store(**one);
  f.ResetStatements();
  for (int i = 0; i < 12; ++i) {
    REQUIRE(store.GetSkus({p.skus[i % 3].sku_id, p.skus[(i + 1) % 3].sku_id}).ok());
    REQUIRE(store.GetProduct(p.product_id).ok());
  }
  std::map<std::string, std::pair<int64_t, int64_t>> by_table;  // calls, plans
  REQUIRE(f.pool->Transact([&](pqxx::work& tx) {
                for (const auto& row : tx.exec(
                         "SELECT CASE WHEN query LIKE '%FROM skus s%s.sku_id = ANY%' THEN 'skus by sku' "
                         "WHEN query LIKE '%FROM skus s%s.product_id = ANY%' THEN 'skus by product' "
                         "WHEN query LIKE '%FROM products WHERE product_id = ANY%' THEN 'products' END, calls, plans "
                         "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database "
                         "WHERE datname = current_database()) AND toplevel")) {
                  if (row[0].is_null()) continue;
                  by_table[row[0].as<std::string>()].first += row[1].as<int64_t>();
                  by_table[row[0].as<std::string>()].second += row[2].as<int64_t>();
                }
                return absl::OkStatus();
              }).ok());
  for (const char* statement : {"skus by sku", "skus by product", "products"}) {
    CAPTURE(statement);
    CHECK(by_table[statement].first == 12);
    // Five custom plans while PostgreSQL compares, then the generic one for good.
    CHECK(by_table[statement].second <= 6);
  }
}

}  // namespace
}  // namespace zhongtai::product
