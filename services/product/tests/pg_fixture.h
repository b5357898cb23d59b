// PgFixture: a fresh database with the product schema and a PgProductStore on it, plus helpers to
// seed stock and read back what the store wrote. Shared by the product store tests.
#pragma once

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "common/clock/clock.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/product/domain/product_editor.h"
#include "services/product/domain/stock_center.h"
#include "services/product/store/pg_product_store.h"
#include "services/product/store/pg_stock_store.h"

namespace zhongtai::product {

struct PgFixture {
  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgProductStore> store;
  FakeClock clock;
  RandomIdGenerator ids{clock};
  CountingObserver observer;
  std::unique_ptr<Catalog> catalog;
  std::unique_ptr<Inventory> inventory;
  std::unique_ptr<ListingCompliance> compliance;
  std::unique_ptr<ProductEditor> editor;
  std::unique_ptr<PgStockStore> stock_store;
  std::unique_ptr<StockCenter> stock;
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
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
    store = std::make_unique<PgProductStore>(*pool);
    compliance = std::make_unique<ListingCompliance>(*store, clock);
    editor = std::make_unique<ProductEditor>(*store, *compliance, clock, ids);
    catalog = std::make_unique<Catalog>(*store, clock, ids);
    inventory = std::make_unique<Inventory>(*store, clock, observer);
    stock_store = std::make_unique<PgStockStore>(*pool);
    stock = std::make_unique<StockCenter>(*stock_store, clock);
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
    // On sale, as the stock and listing tests need it. Titles such as "Phone 100% model_1" test search and would
    // fail the Advertising Law check: these products go on the shelf without it.
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec_params("UPDATE products SET status = 'published' WHERE product_id = $1", product->product_id);
                  return absl::OkStatus();
                })
                .ok());
    product->status = ProductStatus::kPublished;
    for (Sku& sku : product->skus) sku.product_status = ProductStatus::kPublished;
    return *product;
  }

  // A warehouse sourcing may use (central and nationwide unless told otherwise).
  Warehouse AddWarehouse(const std::string& id, WarehouseType type = WarehouseType::kCentral,
                         std::vector<std::string> regions = {}, int32_t priority = 100, bool active = true) {
    Warehouse w;
    w.warehouse_id = id;
    w.name = id;
    w.type = type;
    w.regions = std::move(regions);
    w.priority = priority;
    w.active = active;
    auto created = stock->CreateWarehouse(w);
    REQUIRE(created.ok());
    return *created;
  }

  // Goods in: `quantity` more on hand of the SKU in the warehouse.
  void Inbound(const std::string& sku_id, const std::string& warehouse_id, int64_t quantity) {
    StockOperation op;
    op.kind = StockOperationKind::kInbound;
    op.sku_id = sku_id;
    op.warehouse_id = warehouse_id;
    op.quantity = quantity;
    op.reason = "goods in";
    REQUIRE(stock->Apply(op).ok());
  }

  std::vector<Warehouse> Warehouses() {
    auto page = stock->ListWarehouses(1000, "");
    REQUIRE(page.ok());
    return page->warehouses;
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
                })
                .ok());
    return out;
  }

  // Stock levels of one SKU per warehouse, as AllocateStock() takes them (sorted by warehouse id).
  std::vector<StockLevel> Levels(const std::string& sku_id) {
    std::vector<StockLevel> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const auto& row :
                       tx.exec_params("SELECT warehouse_id, on_hand, reserved FROM stock WHERE sku_id = $1 "
                                      "ORDER BY warehouse_id COLLATE \"C\"",
                                      sku_id)) {
                    out.push_back({sku_id, row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>()});
                  }
                  return absl::OkStatus();
                })
                .ok());
    return out;
  }

  std::vector<Allocation> Allocations(const std::string& order_id, const std::string& sku_id) {
    std::vector<Allocation> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const auto& row :
                       tx.exec_params("SELECT warehouse_id, quantity FROM reservation_allocations WHERE order_id = $1 "
                                      "AND sku_id = $2 ORDER BY warehouse_id COLLATE \"C\"",
                                      order_id, sku_id)) {
                    out.push_back({sku_id, row[0].as<std::string>(), row[1].as<int64_t>()});
                  }
                  return absl::OkStatus();
                })
                .ok());
    return out;
  }

  // Top-level statements this database ran since the last ResetStatements(), by text, from
  // pg_stat_statements (the harness preloads it). Left out: the reading transaction's own, and the
  // bodies of the SQL functions zt_ts/zt_micros, which pg_stat_statements lists when the planner
  // folds a call with constant arguments; they are no round trip.
  void ResetStatements() {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
                  tx.exec(
                      "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database "
                      "WHERE datname = current_database()), 0)");
                  return absl::OkStatus();
                })
                .ok());
  }
  std::map<std::string, int64_t> Statements() {
    std::map<std::string, int64_t> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const auto& row :
                       tx.exec("SELECT regexp_replace(query, '\\s+', ' ', 'g'), calls FROM pg_stat_statements "
                               "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) "
                               "AND toplevel AND query NOT LIKE '%pg_stat_statements%' "
                               "AND query NOT LIKE 'SELECT timestamptz %' AND query NOT LIKE 'SELECT (EXTRACT%'")) {
                    out[row[0].as<std::string>()] += row[1].as<int64_t>();
                  }
                  return absl::OkStatus();
                })
                .ok());
    // The COMMIT of ResetStatements() and the BEGIN of the reading transaction above.
    for (const char* own : {"BEGIN", "COMMIT"}) {
      if (--out[own] == 0) out.erase(own);
    }
    for (const auto& [query, calls] : out) UNSCOPED_INFO(calls << "x " << query);
    return out;
  }

  template <typename... Params>
  int64_t Count(const std::string& sql, const Params&... params) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params(sql, params...)[0][0].template as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
};

}  // namespace zhongtai::product
