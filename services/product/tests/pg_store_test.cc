// PgProductStore on a real PostgreSQL (label store): the concurrency rules with real threads.
#include <catch2/catch.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
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

}  // namespace
}  // namespace zhongtai::product
