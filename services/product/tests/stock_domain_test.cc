// Warehouses and stock without a database: warehouse checks, region serving, the sourcing rule, stock
// operations, the ledger invariant, safety stock and alerts; and Inventory reserving by region over the
// in-memory store.
#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/product/domain/abc_classification.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/safety_stock.h"
#include "services/product/domain/sourcing.h"
#include "services/product/domain/stock_center.h"
#include "services/product/domain/stock_ledger.h"
#include "services/product/domain/warehouses.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

Warehouse Make(const std::string& id, WarehouseType type, std::vector<std::string> regions, int32_t priority = 100,
               bool active = true) {
  Warehouse w;
  w.warehouse_id = id;
  w.name = id;
  w.type = type;
  w.regions = std::move(regions);
  w.priority = priority;
  w.active = active;
  return w;
}

StockOperation Op(StockOperationKind kind, const std::string& sku, const std::string& warehouse, int64_t quantity,
                  const std::string& request_id = "") {
  StockOperation op;
  op.kind = kind;
  op.sku_id = sku;
  op.warehouse_id = warehouse;
  op.quantity = quantity;
  op.request_id = request_id;
  op.reason = "test";
  op.reference = "DN-1";
  op.actor = "admin";
  return op;
}

// Inventory and StockCenter over one in-memory store, with a product of one SKU holding `stock` in the
// default warehouse.
struct StockFixture {
  InMemoryProductStore store;
  FakeClock clock;
  RandomIdGenerator ids{clock};
  CountingObserver observer;
  Catalog catalog{store, clock, ids};
  Inventory inventory{store, clock, observer};
  StockCenter stock{store, clock};

  std::string AddSku(const std::string& code, int64_t stock_in_default) {
    NewProduct request;
    request.title = "Product " + code;
    request.category_id = catalog.CreateCategory("Category " + code, "", "").value().category_id;
    NewSku sku;
    sku.sku_code = code;
    sku.price = {"CNY", 100};
    sku.initial_stock = stock_in_default;
    request.skus.push_back(sku);
    return catalog.CreateProduct(request).value().skus[0].sku_id;
  }
};

std::vector<std::string> Ids(const std::vector<Warehouse>& warehouses) {
  std::vector<std::string> out;
  for (const auto& w : warehouses) out.push_back(w.warehouse_id);
  return out;
}

TEST_CASE("warehouse records are checked field by field", "[warehouses]") {
  Warehouse ok = Make("gz-front-1", WarehouseType::kFront, {"440100", "440300"});
  CHECK(ValidateWarehouse(ok).ok());
  CHECK(ValidateWarehouse(Make("cn-central", WarehouseType::kCentral, {})).ok());

  Warehouse bad = ok;
  bad.warehouse_id = "GZ 1";
  CHECK(ReasonOf(ValidateWarehouse(bad)) == "INVALID_WAREHOUSE_ID");
  bad = ok;
  bad.name = "  ";
  CHECK(FieldOf(ValidateWarehouse(bad)) == "name");
  bad = ok;
  bad.regions = {"440100", "44030"};
  CHECK(ReasonOf(ValidateWarehouse(bad)) == "REGION_CODE_INVALID");
  CHECK(FieldOf(ValidateWarehouse(bad)) == "regions[1]");
  bad.regions = {"440100", "440100"};
  CHECK(ReasonOf(ValidateWarehouse(bad)) == "DUPLICATE_REGION");
  bad.regions = {"440105"};  // a district: not a province or a city
  CHECK(ReasonOf(ValidateWarehouse(bad)) == "REGION_CODE_INVALID");
  bad = ok;
  bad.regions = {};
  CHECK(ReasonOf(ValidateWarehouse(bad)) == "WAREHOUSE_REGIONS_REQUIRED");
  bad = ok;
  bad.priority = -1;
  CHECK(ReasonOf(ValidateWarehouse(bad)) == "PRIORITY_OUT_OF_RANGE");

  WarehousePatch patch;
  patch.active = false;
  patch.priority = 5;
  auto patched = ApplyPatch(ok, patch, absl::FromUnixSeconds(100));
  REQUIRE(patched.ok());
  CHECK_FALSE(patched->active);
  CHECK(patched->priority == 5);
  CHECK(patched->regions == ok.regions);
  WarehousePatch clear_regions;
  clear_regions.regions = std::vector<std::string>{};
  CHECK(ReasonOf(ApplyPatch(ok, clear_regions, absl::Now()).status()) == "WAREHOUSE_REGIONS_REQUIRED");
}

TEST_CASE("shipping regions: a province, optionally a city inside it", "[warehouses]") {
  CHECK(ValidateShippingRegion({}, "shippingRegion").ok());
  CHECK(ValidateShippingRegion({"440000", "440300"}, "shippingRegion").ok());
  CHECK(ValidateShippingRegion({"440000", ""}, "shippingRegion").ok());
  CHECK(FieldOf(ValidateShippingRegion({"440300", ""}, "shippingRegion")) == "shippingRegion.provinceCode");
  CHECK(FieldOf(ValidateShippingRegion({"", "440300"}, "shippingRegion")) == "shippingRegion.provinceCode");
  absl::Status outside = ValidateShippingRegion({"440000", "310100"}, "shippingRegion");
  CHECK(ReasonOf(outside) == "REGION_CITY_OUTSIDE_PROVINCE");
  CHECK(FieldOf(outside) == "shippingRegion.cityCode");
}

TEST_CASE("a warehouse serves its provinces, their cities, and the cities it names", "[warehouses]") {
  Warehouse guangdong = Make("gd", WarehouseType::kRegional, {"440000"});
  Warehouse shenzhen = Make("sz", WarehouseType::kFront, {"440300"});
  Warehouse national = Make("cn", WarehouseType::kCentral, {});
  CHECK(Serves(guangdong, {"440000", "440300"}));
  CHECK(Serves(guangdong, {"440000", ""}));
  CHECK_FALSE(Serves(guangdong, {"310000", "310100"}));
  CHECK(Serves(shenzhen, {"440000", "440300"}));
  CHECK_FALSE(Serves(shenzhen, {"440000", "440100"}));
  CHECK_FALSE(Serves(shenzhen, {"440000", ""}));  // somewhere in the province: not known to be Shenzhen
  CHECK(Serves(national, {"650000", "650100"}));
  CHECK(Serves(shenzhen, {}));  // no region: every active warehouse
  national.active = false;
  CHECK_FALSE(Serves(national, {}));
}

TEST_CASE("sourcing order: front, regional, central, then priority, then id", "[sourcing]") {
  std::vector<Warehouse> all = {
      Make("cn-b", WarehouseType::kCentral, {}, 10),
      Make("cn-a", WarehouseType::kCentral, {}, 10),
      Make("cn-first", WarehouseType::kCentral, {}, 1),
      Make("gd", WarehouseType::kRegional, {"440000"}),
      Make("sz", WarehouseType::kFront, {"440300"}),
      Make("sh", WarehouseType::kFront, {"310000"}),
      Make("off", WarehouseType::kFront, {"440300"}, 0, false),
  };
  CHECK(Ids(SourcingOrder(all, {"440000", "440300"})) ==
        std::vector<std::string>{"sz", "gd", "cn-first", "cn-a", "cn-b"});
  CHECK(Ids(SourcingOrder(all, {"310000", "310100"})) == std::vector<std::string>{"sh", "cn-first", "cn-a", "cn-b"});
  CHECK(Ids(SourcingOrder(all, {})) == std::vector<std::string>{"sh", "sz", "gd", "cn-first", "cn-a", "cn-b"});
}

TEST_CASE("a line comes from one warehouse when one covers it, else split in sourcing order", "[sourcing]") {
  std::vector<Warehouse> eligible = {Make("sz", WarehouseType::kFront, {"440300"}),
                                     Make("gd", WarehouseType::kRegional, {"440000"}),
                                     Make("cn", WarehouseType::kCentral, {})};
  std::vector<StockLevel> levels = {{"s", "sz", 3, 1}, {"s", "gd", 10, 0}, {"s", "cn", 100, 0}, {"s", "far", 50, 0}};
  // The front warehouse covers 2.
  CHECK(SourceLine("s", 2, levels, eligible).value() == std::vector<Allocation>{{"s", "sz", 2}});
  // It cannot cover 5: the first that can (regional) takes all of it; no split.
  CHECK(SourceLine("s", 5, levels, eligible).value() == std::vector<Allocation>{{"s", "gd", 5}});
  CHECK(SourceLine("s", 100, levels, eligible).value() == std::vector<Allocation>{{"s", "cn", 100}});
  // No one covers 110: in order, as much as each has.
  CHECK(SourceLine("s", 110, levels, eligible).value() ==
        std::vector<Allocation>{{"s", "sz", 2}, {"s", "gd", 10}, {"s", "cn", 98}});
  // "far" is not eligible: its stock does not count.
  auto short_of = SourceLine("s", 113, levels, eligible);
  CHECK(ReasonOf(short_of.status()) == "INSUFFICIENT_STOCK");
  CHECK(short_of.status().message() == "not enough stock for sku s: requested 113, available 112");
  CHECK(ReasonOf(SourceLine("s", 1, levels, {}).status()) == "INSUFFICIENT_STOCK");
}

TEST_CASE("stock operations keep on hand >= reserved and say what moved", "[ledger]") {
  StockLevel level{"s", "a", 10, 4};
  StockLevel empty{"s", "b", 0, 0};
  StockOperation op;
  op.sku_id = "s";
  op.warehouse_id = "a";

  op.kind = StockOperationKind::kInbound;
  op.quantity = 5;
  CHECK(PlanOperation(op, level, empty)->at(0).on_hand_delta == 5);
  op.kind = StockOperationKind::kOutbound;
  op.quantity = 6;
  CHECK(PlanOperation(op, level, empty)->at(0).on_hand_delta == -6);
  op.quantity = 7;
  CHECK(ReasonOf(PlanOperation(op, level, empty).status()) == "STOCK_BELOW_RESERVED");
  op.kind = StockOperationKind::kStocktake;
  op.quantity = 4;
  CHECK(PlanOperation(op, level, empty)->at(0).on_hand_delta == -6);
  op.quantity = 10;
  CHECK(PlanOperation(op, level, empty)->at(0).on_hand_delta == 0);
  op.quantity = 3;
  CHECK(ReasonOf(PlanOperation(op, level, empty).status()) == "STOCK_BELOW_RESERVED");

  op.kind = StockOperationKind::kTransfer;
  op.to_warehouse_id = "b";
  op.quantity = 6;
  auto transfer = PlanOperation(op, level, empty);
  REQUIRE(transfer.ok());
  REQUIRE(transfer->size() == 2);
  CHECK(transfer->at(0).kind == "transfer_out");
  CHECK(transfer->at(0).on_hand_delta == -6);
  CHECK(transfer->at(1).warehouse_id == "b");
  CHECK(transfer->at(1).on_hand_delta == 6);
  op.quantity = 7;  // reserved stock does not move
  CHECK(ReasonOf(PlanOperation(op, level, empty).status()) == "INSUFFICIENT_STOCK");

  StockOperation bad = op;
  bad.to_warehouse_id = "a";
  CHECK(ReasonOf(ValidateOperation(bad)) == "TRANSFER_TO_SAME_WAREHOUSE");
  bad = op;
  bad.quantity = 0;
  CHECK(FieldOf(ValidateOperation(bad)) == "quantity");
  bad.kind = StockOperationKind::kStocktake;
  CHECK(ValidateOperation(bad).ok());  // counting zero is a count
  bad.quantity = -1;
  CHECK(ReasonOf(ValidateOperation(bad)) == "QUANTITY_NEGATIVE");
  bad = op;
  bad.to_warehouse_id = "";
  CHECK(FieldOf(ValidateOperation(bad)) == "toWarehouseId");
}

TEST_CASE("the ledger explains a level only when its entries add up step by step", "[ledger]") {
  std::vector<LedgerEntry> entries(3);
  entries[0].on_hand_delta = 10, entries[0].on_hand_after = 10;
  entries[1].reserved_delta = 4, entries[1].on_hand_after = 10, entries[1].reserved_after = 4;
  entries[2].on_hand_delta = -4, entries[2].reserved_delta = -4, entries[2].on_hand_after = 6;
  CHECK(LedgerExplains(entries, {"s", "a", 6, 0}));
  CHECK_FALSE(LedgerExplains(entries, {"s", "a", 7, 0}));
  entries[1].reserved_after = 5;
  CHECK_FALSE(LedgerExplains(entries, {"s", "a", 6, 0}));
}

TEST_CASE("safety stock: fixed or days of cover, and alerts most urgent first", "[safety]") {
  StockPosition fixed{{"a", "w", 10, 5}, SafetyStockSetting{"a", "w", SafetyStockMode::kFixed, 6, 0}, 0};
  StockPosition cover{{"b", "w", 30, 0}, SafetyStockSetting{"b", "w", SafetyStockMode::kDaysOfCover, 0, 7}, 150};
  StockPosition fine{{"c", "w", 100, 0}, SafetyStockSetting{"c", "w", SafetyStockMode::kFixed, 10, 0}, 30};
  StockPosition unset{{"d", "w", 20, 0}, std::nullopt, 60};
  CHECK(SafetyStockOf(fixed) == 6);
  CHECK(SafetyStockOf(cover) == 35);  // 150 sold in 30 days = 5 a day, × 7 days
  StockPosition odd = cover;
  odd.units_sold = 31;  // ceil(7 × 31 / 30) = 8
  CHECK(SafetyStockOf(odd) == 8);
  CHECK(SafetyStockOf(unset) == 0);
  CHECK(DaysOfCover(cover).value() == Approx(6.0));
  CHECK_FALSE(DaysOfCover(fixed).has_value());

  auto alerts = EvaluateAlerts({fine, unset, fixed, cover}, 0);
  REQUIRE(alerts.size() == 2);
  CHECK(alerts[0].position.level.sku_id == "b");  // below and 6 days of cover left
  CHECK(alerts[1].position.level.sku_id == "a");  // below, nothing sold: no days of cover
  // Asking for 15 days of cover also lists d (20 left at 2 a day: 10 days), but after those below safety stock.
  alerts = EvaluateAlerts({fine, unset, fixed, cover}, 15);
  REQUIRE(alerts.size() == 3);
  CHECK(alerts[2].position.level.sku_id == "d");
  CHECK(alerts[2].under_cover_days);
  CHECK_FALSE(alerts[2].below_safety_stock);

  CHECK(ReasonOf(ValidateSafetyStock({"a", "w", SafetyStockMode::kDaysOfCover, 0, 0})) == "DAYS_OF_COVER_OUT_OF_RANGE");
  CHECK(FieldOf(ValidateSafetyStock({"a", "w", SafetyStockMode::kFixed, -1, 0})) == "quantity");
}

TEST_CASE("the stock center pages warehouses, the ledger and the alerts", "[stock]") {
  StockFixture f;
  StockCenter& stock = f.stock;
  for (const char* id : {"a", "b", "c"}) REQUIRE(stock.CreateWarehouse(Make(id, WarehouseType::kCentral, {})).ok());
  CHECK(ReasonOf(stock.CreateWarehouse(Make("a", WarehouseType::kCentral, {})).status()) == "WAREHOUSE_EXISTS");
  auto first = stock.ListWarehouses(2, "");
  REQUIRE(first.ok());
  CHECK(Ids(first->warehouses) == std::vector<std::string>{"a", "b"});
  auto second = stock.ListWarehouses(2, first->next_page_token);
  CHECK(Ids(second->warehouses) == std::vector<std::string>{"c", "default"});
  CHECK(second->next_page_token.empty());
  CHECK(ReasonOf(stock.ListWarehouses(2, "nonsense").status()) == "INVALID_PAGE_TOKEN");

  const std::string s = f.AddSku("S", 0), t = f.AddSku("T", 0);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(stock.Apply(Op(StockOperationKind::kInbound, s, "a", 1 + i)).ok());
    f.clock.Advance(absl::Minutes(1));
  }
  LedgerQuery in_a;
  in_a.warehouse_id = "a";
  auto page = stock.Ledger(in_a, 3, "");
  REQUIRE(page.ok());
  REQUIRE(page->entries.size() == 3);
  CHECK(page->entries[0].on_hand_delta == 5);  // newest first
  auto rest = stock.Ledger(in_a, 3, page->next_page_token);
  REQUIRE(rest->entries.size() == 2);
  CHECK(rest->entries[1].on_hand_delta == 1);
  CHECK(rest->next_page_token.empty());
  LedgerQuery backwards;
  backwards.from = f.clock.Now();
  backwards.to = f.clock.Now() - absl::Hours(1);
  CHECK(ReasonOf(stock.Ledger(backwards, 0, "").status()) == "INVALID_TIME_RANGE");

  REQUIRE(stock.SetSafetyStock({s, "a", SafetyStockMode::kFixed, 20, 0}).ok());
  REQUIRE(stock.SetSafetyStock({t, "b", SafetyStockMode::kFixed, 1, 0}).ok());
  CHECK(ReasonOf(stock.SetSafetyStock({"sku_nope", "b", SafetyStockMode::kFixed, 1, 0})) == "SKU_NOT_FOUND");
  CHECK(stock.CountBelowSafety().value() == 2);  // 15 < 20 in a, nothing of t in b
  auto alerts = stock.Alerts("", 0, 1, "");
  REQUIRE(alerts->alerts.size() == 1);
  auto more = stock.Alerts("", 0, 1, alerts->next_page_token);
  REQUIRE(more->alerts.size() == 1);
  CHECK(more->next_page_token.empty());
  CHECK(stock.Alerts("b", 0, 0, "")->alerts.size() == 1);
}

TEST_CASE("stock movements never drop on hand below reserved and replay by request id", "[stock]") {
  StockFixture f;
  const std::string sku = f.AddSku("A", 10);
  REQUIRE(f.inventory.Reserve("o1", {{sku, 8}}, absl::Minutes(5)).ok());
  auto below = f.stock.Apply(Op(StockOperationKind::kOutbound, sku, kDefaultWarehouse, 3, "r1"));
  CHECK(below.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(below.status()) == "STOCK_BELOW_RESERVED");

  auto ok = f.stock.Apply(Op(StockOperationKind::kOutbound, sku, kDefaultWarehouse, 2, "r2"));
  REQUIRE(ok.ok());
  CHECK(ok->at(0).on_hand == 8);
  CHECK(ok->at(0).reserved == 8);
  auto replay = f.stock.Apply(Op(StockOperationKind::kOutbound, sku, kDefaultWarehouse, 2, "r2"));
  REQUIRE(replay.ok());
  CHECK(replay->at(0).on_hand == 8);
  CHECK(f.store.Level(sku, kDefaultWarehouse).on_hand == 8);
  CHECK(ReasonOf(f.stock.Apply(Op(StockOperationKind::kOutbound, sku, kDefaultWarehouse, 1, "r2")).status()) ==
        "REQUEST_ID_REUSED");

  CHECK(ReasonOf(f.stock.Apply(Op(StockOperationKind::kInbound, sku, "north", 5, "r3")).status()) ==
        "WAREHOUSE_NOT_FOUND");
  REQUIRE(f.stock.CreateWarehouse(Make("north", WarehouseType::kCentral, {})).ok());
  auto elsewhere = f.stock.Apply(Op(StockOperationKind::kInbound, sku, "north", 5, "r3"));
  REQUIRE(elsewhere.ok());
  CHECK(elsewhere->at(0).warehouse_id == "north");
  CHECK(f.store.Available(sku) == 5);

  std::vector<std::string> kinds;
  for (const auto& row : f.store.Ledger()) kinds.push_back(row.kind);
  CHECK(kinds == std::vector<std::string>{"initial", "reserve", "outbound", "inbound"});
  for (const char* warehouse : {kDefaultWarehouse, "north"}) {
    std::vector<LedgerEntry> row;
    for (const auto& e : f.store.Ledger()) {
      if (e.warehouse_id == warehouse) row.push_back(e);
    }
    CHECK(LedgerExplains(row, f.store.Level(sku, warehouse)));
  }
}

TEST_CASE("Inventory reserves from the warehouses serving the shipping region", "[stock]") {
  StockFixture f;
  const std::string id = f.AddSku("T1", 10);
  f.store.PutWarehouse(Make("sz", WarehouseType::kFront, {"440300"}));
  f.store.PutWarehouse(Make("sh", WarehouseType::kFront, {"310000"}));
  REQUIRE(f.stock.Apply(Op(StockOperationKind::kInbound, id, "sz", 3)).ok());
  REQUIRE(f.stock.Apply(Op(StockOperationKind::kInbound, id, "sh", 3)).ok());
  Inventory& inventory = f.inventory;

  auto shenzhen = inventory.Reserve("o1", {{id, 2}}, absl::Minutes(5), {"440000", "440300"});
  REQUIRE(shenzhen.ok());
  CHECK(shenzhen->allocations == std::vector<Allocation>{{id, "sz", 2}});
  auto guangzhou = inventory.Reserve("o2", {{id, 2}}, absl::Minutes(5), {"440000", "440100"});
  CHECK(guangzhou->allocations == std::vector<Allocation>{{id, kDefaultWarehouse, 2}});
  // Shanghai: the front warehouse has 3, the central 8; 5 is covered by the central alone.
  auto shanghai = inventory.Reserve("o3", {{id, 5}}, absl::Minutes(5), {"310000", "310100"});
  CHECK(shanghai->allocations == std::vector<Allocation>{{id, kDefaultWarehouse, 5}});
  CHECK(ReasonOf(inventory.Reserve("o1", {{id, 2}}, absl::Minutes(5), {"440000", "440100"}).status()) ==
        "RESERVATION_MISMATCH");
  CHECK(inventory.Reserve("o1", {{id, 2}}, absl::Minutes(5), {"440000", "440300"}).ok());
}

TEST_CASE("ABC: A makes the top 70% of revenue, B the next 20%, C the rest", "[abc]") {
  // Revenue 50, 20, 10, 8, 6, 4, 2, 0 (total 100): above each 0, 50, 70, 80, 88, 94, 98, 100.
  std::vector<SkuRevenue> revenues = {{"h", 0},  {"d", 8}, {"a", 50}, {"g", 2},
                                      {"b", 20}, {"f", 4}, {"c", 10}, {"e", 6}};
  std::vector<SkuClass> want = {{"a", 'A'}, {"b", 'A'}, {"c", 'B'}, {"d", 'B'},
                                {"e", 'B'}, {"f", 'C'}, {"g", 'C'}, {"h", 'C'}};
  CHECK(ClassifyAbc(revenues, {}) == want);
  // Thresholds are configurable: 50 / 30.
  CHECK(ClassifyAbc(revenues, {50, 30})[1] == SkuClass{"b", 'B'});
  CHECK(ClassifyAbc(revenues, {50, 30})[4] == SkuClass{"e", 'C'});
  // One SKU with 90% of the revenue fills A and B on its own; no revenue at all: all C.
  CHECK(ClassifyAbc({{"x", 90}, {"y", 5}, {"z", 5}}, {}) == std::vector<SkuClass>{{"x", 'A'}, {"y", 'C'}, {"z", 'C'}});
  // Ties rank by id.
  CHECK(ClassifyAbc({{"q", 35}, {"p", 35}, {"r", 30}}, {}) ==
        std::vector<SkuClass>{{"p", 'A'}, {"q", 'A'}, {"r", 'B'}});
  CHECK(ClassifyAbc({{"x", 0}, {"y", 0}}, {}) == std::vector<SkuClass>{{"x", 'C'}, {"y", 'C'}});
}

TEST_CASE("alerts below safety stock list A SKUs before B and C ones", "[abc]") {
  StockPosition a{{"a", "w", 10, 0}, SafetyStockSetting{"a", "w", SafetyStockMode::kFixed, 11, 0}, 0, 'A'};
  StockPosition c{{"c", "w", 0, 0}, SafetyStockSetting{"c", "w", SafetyStockMode::kFixed, 50, 0}, 0, 'C'};
  StockPosition none{{"n", "w", 0, 0}, SafetyStockSetting{"n", "w", SafetyStockMode::kFixed, 50, 0}, 0, 0};
  auto alerts = EvaluateAlerts({none, c, a}, 0);
  REQUIRE(alerts.size() == 3);
  CHECK(alerts[0].position.level.sku_id == "a");  // a shortfall of 1, but an A SKU
  CHECK(alerts[1].position.level.sku_id == "c");
  CHECK(alerts[2].position.level.sku_id == "n");
}

TEST_CASE("the stock center classifies SKUs by what was confirmed and shows it on their alerts", "[abc]") {
  StockFixture f;
  const std::string big = f.AddSku("BIG", 100), small = f.AddSku("SMALL", 100);
  for (int i = 0; i < 9; ++i) {
    REQUIRE(f.inventory.Reserve("b" + std::to_string(i), {{big, 1}}, absl::Minutes(5)).ok());
    REQUIRE(f.inventory.Confirm("b" + std::to_string(i)).ok());
  }
  REQUIRE(f.inventory.Reserve("s", {{small, 1}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory.Confirm("s").ok());
  CHECK(f.stock.ClassifyAbc().value() == 1);
  REQUIRE(f.stock.SetSafetyStock({big, kDefaultWarehouse, SafetyStockMode::kFixed, 95, 0}).ok());
  REQUIRE(f.stock.SetSafetyStock({small, kDefaultWarehouse, SafetyStockMode::kFixed, 200, 0}).ok());
  auto alerts = f.stock.Alerts("", 0, 0, "");
  REQUIRE(alerts->alerts.size() == 2);
  CHECK(alerts->alerts[0].position.level.sku_id == big);
  CHECK(alerts->alerts[0].position.abc_class == 'A');
  CHECK(alerts->alerts[1].position.abc_class == 'C');  // 90% of the revenue ranks above it
}

}  // namespace
}  // namespace zhongtai::product
