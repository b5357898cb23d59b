// PgProductStore on a real PostgreSQL (label store): catalogue, pages, stock adjustments, prepared reads.
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
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"

namespace zhongtai::product {
namespace {

StockOperation Movement(StockOperationKind kind, const std::string& request_id, const std::string& sku,
                        const std::string& warehouse, int64_t quantity) {
  StockOperation op;
  op.kind = kind;
  op.request_id = request_id;
  op.sku_id = sku;
  op.warehouse_id = warehouse;
  op.quantity = quantity;
  op.reason = "damaged";
  return op;
}

TEST_CASE("stock movements: idempotent under concurrent repeats, never below reserved, per warehouse", "[store]") {
  PgFixture f;
  using K = StockOperationKind;
  std::string sku = f.AddProduct("Phone", {{"P1", 10}}).skus[0].sku_id;
  REQUIRE(f.inventory->Reserve("o1", {{sku, 8}}, absl::Minutes(5)).ok());
  auto below = f.stock->Apply(Movement(K::kOutbound, "adj-1", sku, "default", 3));
  CHECK(below.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(below.status()) == "STOCK_BELOW_RESERVED");

  auto down = f.stock->Apply(Movement(K::kOutbound, "adj-2", sku, "default", 2));
  REQUIRE(down.ok());
  CHECK(down->at(0).on_hand == 8);
  CHECK(down->at(0).reserved == 8);
  CHECK(ReasonOf(f.stock->Apply(Movement(K::kInbound, "adj-3", sku, "north", 5)).status()) == "WAREHOUSE_NOT_FOUND");
  f.AddWarehouse("north");
  std::vector<std::thread> threads;
  std::atomic<int> same{0};
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      auto r = f.stock->Apply(Movement(K::kInbound, "adj-3", sku, "north", 5));
      if (r.ok() && r->at(0).on_hand == 5 && r->at(0).warehouse_id == "north") ++same;
      if (!r.ok()) UNSCOPED_INFO(r.status().ToString());
    });
  }
  for (auto& t : threads) t.join();
  CHECK(same == 10);
  CHECK(f.Stock(sku) == std::make_pair<int64_t, int64_t>(13, 8));
  CHECK(f.Count("SELECT count(*) FROM stock_ledger WHERE request_id = $1", "adj-3") == 1);
  CHECK(ReasonOf(f.stock->Apply(Movement(K::kInbound, "adj-3", sku, "north", 6)).status()) == "REQUEST_ID_REUSED");
  CHECK(ReasonOf(f.stock->Apply(Movement(K::kInbound, "adj-4", "sku_nope", "default", 1)).status()) == "SKU_NOT_FOUND");

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
  CHECK(ReasonOf(f.catalog->CreateProduct(request).status()) == "WAREHOUSE_NOT_FOUND");
  f.AddWarehouse("east");
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

TEST_CASE("the prepared catalogue reads keep their generic plan instead of being planned on every call", "[store]") {
  PgFixture f;
  Product p = f.AddProduct("Phone", {{"A", 10}, {"B", 10}, {"C", 10}});
  // One connection, so that every call meets the same prepared statement, with planning counted.
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec(absl::StrCat("ALTER DATABASE ", tx.quote_name(f.db.name()),
                                     " SET pg_stat_statements.track_planning = on"));
                return absl::OkStatus();
              })
              .ok());
  pg::PoolOptions options;
  options.dsn = f.db.dsn();
  options.size = 1;
  options.name = "product-plan-test";
  auto one = pg::Pool::Open(options);
  REQUIRE(one.ok());
  PgProductStore store(**one);
  f.ResetStatements();
  for (int i = 0; i < 12; ++i) {
    REQUIRE(store.GetSkus({p.skus[i % 3].sku_id, p.skus[(i + 1) % 3].sku_id}, {}).ok());
    REQUIRE(store.GetProduct(p.product_id).ok());
  }
  std::map<std::string, std::pair<int64_t, int64_t>> by_table;  // calls, plans
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
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
              })
              .ok());
  for (const char* statement : {"skus by sku", "skus by product", "products"}) {
    CAPTURE(statement);
    CHECK(by_table[statement].first == 12);
    // Five custom plans while PostgreSQL compares, then the generic one for good.
    CHECK(by_table[statement].second <= 6);
  }
}

}  // namespace
}  // namespace zhongtai::product
