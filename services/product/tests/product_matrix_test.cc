// The product matrix's rules without a database: suggested roles from relative ranks and margins, lifecycle stages
// from the sales trend, the matrix report and its pages, the average daily sales that prefer the data hub, and cost
// prices that only admins ever see.
#include "services/product/domain/product_matrix.h"

#include <catch2/catch.hpp>

#include "common/status/details.h"
#include "common/status/status.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/cost_price.h"
#include "services/product/domain/datahub_metrics.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/product_editor.h"
#include "services/product/domain/product_roles.h"
#include "services/product/domain/safety_stock.h"
#include "services/product/domain/sales_rate.h"
#include "services/product/tests/in_memory_matrix_store.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1767225600);  // 2026-01-01 00:00 UTC

// A product with one SKU on sale, listed long ago, selling steadily.
ProductFigures Figures(const std::string& id, int64_t price, std::optional<int64_t> cost, int64_t units,
                       bool from_datahub = true) {
  ProductFigures p;
  p.product_id = id;
  p.title = id;
  p.listed_at = kNow - absl::Hours(24 * 200);
  p.from_datahub = from_datahub;
  p.units_sold = units;
  p.recent_units = units / 2;
  p.previous_units = units / 2;
  SkuFigures sku;
  sku.sku_id = id + "-sku";
  sku.price = {"CNY", price};
  if (cost) sku.cost_price = Money{"CNY", *cost};
  sku.units_sold = units;
  p.skus.push_back(sku);
  return p;
}

ProductFigures Visited(ProductFigures p, int64_t visitors, int64_t buyers) {
  p.unique_visitors = visitors;
  p.buyers = buyers;
  return p;
}

}  // namespace

TEST_CASE("margins: weighted by units sold, SKUs without a cost left out, unknown without any cost", "[matrix]") {
  std::vector<SkuFigures> skus = {{"a", {"CNY", 10000}, Money{"CNY", 9000}, 3, false},  // 10%
                                  {"b", {"CNY", 10000}, Money{"CNY", 5000}, 1, false},  // 50%
                                  {"c", {"CNY", 99900}, std::nullopt, 100, false}};
  // (3 × 1000 + 1 × 5000) / (4 × 10000) = 20%
  CHECK(ProductMarginBasisPoints(skus) == 2000);
  skus[0].units_sold = skus[1].units_sold = 0;  // none sold: each SKU with a cost counts once
  CHECK(ProductMarginBasisPoints(skus) == 3000);
  CHECK_FALSE(ProductMarginBasisPoints({{"c", {"CNY", 100}, std::nullopt, 5, false}}).has_value());
  CHECK(MarginBasisPoints({"CNY", 1000}, Money{"CNY", 1200}) == -2000);  // sold below cost
  CHECK(TopPrice(skus).amount_minor == 99900);
  skus[2].retired = true;
  CHECK(TopPrice(skus).amount_minor == 10000);
}

TEST_CASE("suggested roles: traffic, profit, image and long tail by relative ranks", "[matrix]") {
  MatrixSettings settings;  // traffic top 20% UV & margin <= 20%; profit margin >= 40% & top 30% conversion;
                            // image top 10% price & bottom 30% units
  std::vector<ProductFigures> products = {
      Visited(Figures("traffic", 5000, 4500, 900), 10000, 300),  // most visitors, 10% margin
      Visited(Figures("profit", 8000, 4000, 400), 2000, 200),    // 50% margin, 10% conversion: the best
      Visited(Figures("image", 999900, 500000, 1), 300, 1),      // the dearest, one unit
      Visited(Figures("thin", 5000, 4900, 50), 1500, 15),        // 2% margin but not many visitors
      Visited(Figures("unknown-cost", 5000, std::nullopt, 800), 9000, 20),
      Visited(Figures("p6", 6000, 3000, 100), 800, 1),
      Visited(Figures("p7", 6000, 3000, 100), 700, 1),
      Visited(Figures("p8", 6000, 3000, 100), 600, 1),
      Visited(Figures("p9", 6000, 3000, 100), 500, 1),
      Visited(Figures("p10", 6000, 3000, 100), 400, 1),
  };
  std::vector<RoleSuggestion> s = SuggestRoles(products, settings);
  REQUIRE(s.size() == products.size());
  CHECK(s[0].role == ProductRole::kTraffic);
  CHECK(s[0].reason == "unique visitors in the top 20% and margin 10.00% at most 20%");
  CHECK(s[1].role == ProductRole::kProfit);
  CHECK(s[1].reason == "margin 50.00% at least 40% and conversion 10.00% in the top 30%");
  CHECK(s[2].role == ProductRole::kImage);
  CHECK(s[3].role == ProductRole::kLongTail);  // thin margin, but 1500 visitors rank 4th of 10: not the top 2
  CHECK(s[4].role == ProductRole::kLongTail);  // second most visitors, but no cost: its margin is unknown
  // p6..p10: 50% margin, but conversion (0.12% to 0.25%) ranks below the top 3 (profit 10%, traffic 3%, thin 1%)
  for (size_t i = 5; i < s.size(); ++i) CHECK(s[i].role == ProductRole::kLongTail);

  SECTION("a stricter traffic margin turns the traffic product into long tail") {
    settings.traffic_max_margin_percent = 5;
    CHECK(SuggestRoles(products, settings)[0].role == ProductRole::kLongTail);
  }
  SECTION("without data hub metrics units sold stand in for visitors and conversion") {
    for (ProductFigures& p : products) {
      p.from_datahub = false;
      p.unique_visitors = p.buyers = 0;
    }
    std::vector<RoleSuggestion> ledger = SuggestRoles(products, settings);
    CHECK(ledger[0].role == ProductRole::kTraffic);  // 900 units: the most
    CHECK(ledger[0].reason == "units sold (no data hub metrics) in the top 20% and margin 10.00% at most 20%");
    CHECK(ledger[1].role == ProductRole::kProfit);  // 400 units: third of 10, inside the top 30%
    CHECK(ledger[2].role == ProductRole::kImage);
  }
}

TEST_CASE("ties share the better rank and nothing with zero is ever top", "[matrix]") {
  MatrixSettings settings;
  settings.traffic_top_percent = 10;  // one slot of 10, but the two tied at the top both take it; the others share
                                      // one price (and units): nobody is below them, so none is image either
  std::vector<ProductFigures> products;
  for (int i = 0; i < 10; ++i) {
    products.push_back(Visited(Figures("p" + std::to_string(i), 5000, 4500, 10), i < 2 ? 1000 : 0, 0));
  }
  std::vector<RoleSuggestion> s = SuggestRoles(products, settings);
  CHECK(s[0].role == ProductRole::kTraffic);
  CHECK(s[1].role == ProductRole::kTraffic);
  for (int i = 2; i < 10; ++i) CHECK(s[i].role == ProductRole::kLongTail);
}

TEST_CASE("lifecycle stages: new, growing, mature, declining", "[matrix]") {
  MatrixSettings settings;  // new 30 days, trend 20%
  ProductFigures p = Figures("p", 5000, 2500, 0);
  auto stage = [&](int64_t recent, int64_t previous) {
    p.recent_units = recent;
    p.previous_units = previous;
    return StageOf(p, kNow, settings);
  };
  CHECK(stage(121, 100) == LifecycleStage::kGrowing);
  CHECK(stage(120, 100) == LifecycleStage::kMature);  // exactly +20% is not more than 20%
  CHECK(stage(80, 100) == LifecycleStage::kMature);
  CHECK(stage(79, 100) == LifecycleStage::kDeclining);
  CHECK(stage(5, 0) == LifecycleStage::kGrowing);
  CHECK(stage(0, 5) == LifecycleStage::kDeclining);
  CHECK(stage(0, 0) == LifecycleStage::kDeclining);
  p.listed_at = kNow - absl::Hours(24 * 29);
  CHECK(stage(0, 0) == LifecycleStage::kNew);
  p.listed_at = kNow - absl::Hours(24 * 30);
  CHECK(stage(0, 0) == LifecycleStage::kDeclining);
}

TEST_CASE("the matrix counts role x stage and lists the products whose suggestion differs", "[matrix]") {
  std::vector<ProductFigures> products = {
      Visited(Figures("a", 5000, 4500, 900), 10000, 300),  // suggested traffic
      Visited(Figures("b", 8000, 4000, 400), 2000, 200),   // suggested profit
      Visited(Figures("c", 6000, 3000, 10), 100, 1),       // long tail
  };
  products[0].role = ProductRole::kTraffic;  // agrees
  products[1].role = ProductRole::kImage;    // disagrees
  products[2].listed_at = kNow - absl::Hours(24);
  MatrixReport report = BuildMatrix(products, kNow, MatrixSettings{});
  CHECK(report.total_products == 3);
  CHECK(report.cells == std::vector<MatrixCell>{{ProductRole::kUnspecified, LifecycleStage::kNew, 1},
                                                {ProductRole::kTraffic, LifecycleStage::kMature, 1},
                                                {ProductRole::kImage, LifecycleStage::kMature, 1}});
  REQUIRE(report.mismatches.size() == 2);
  CHECK(report.mismatches[0].figures.product_id == "b");
  CHECK(report.mismatches[0].suggestion.role == ProductRole::kProfit);
  CHECK(report.mismatches[0].margin_bp == 5000);
  CHECK(report.mismatches[1].figures.product_id == "c");  // no role yet: any suggestion differs
}

TEST_CASE("product roles: the operator sets a valid role, the matrix pages through the mismatches", "[matrix]") {
  InMemoryMatrixStore store;
  FakeClock clock(kNow);
  ProductRoles roles(store, clock, MatrixSettings{});
  for (int i = 0; i < 5; ++i) store.Put(Visited(Figures("prd_" + std::to_string(i), 6000, 3000, 10), 100, 1));

  absl::StatusOr<absl::Time> unspecified = roles.SetRole("prd_0", ProductRole::kUnspecified);
  CHECK(ReasonOf(unspecified.status()) == "INVALID_PRODUCT_ROLE");
  CHECK(FieldOf(unspecified.status()) == "role");
  CHECK(ReasonOf(roles.SetRole("prd_missing", ProductRole::kProfit).status()) == "PRODUCT_NOT_FOUND");
  REQUIRE(roles.SetRole("prd_0", ProductRole::kLongTail).value() == kNow);
  CHECK(roles.GetRole("prd_0").value() == ProductRole::kLongTail);

  MatrixPage first = roles.Matrix(2, "").value();
  CHECK(first.report.total_products == 5);
  CHECK(first.window_end - first.window_start == absl::Hours(24 * 30));
  REQUIRE(first.report.mismatches.size() == 2);  // prd_0 agrees now (long tail): prd_1.. differ
  CHECK(first.report.mismatches[0].figures.product_id == "prd_1");
  CHECK(first.report.mismatches[1].figures.product_id == "prd_2");
  REQUIRE_FALSE(first.next_page_token.empty());
  MatrixPage second = roles.Matrix(2, first.next_page_token).value();
  REQUIRE(second.report.mismatches.size() == 2);
  CHECK(second.report.mismatches[0].figures.product_id == "prd_3");
  CHECK(second.report.mismatches[1].figures.product_id == "prd_4");
  CHECK(second.next_page_token.empty());
  CHECK(ReasonOf(roles.Matrix(2, "garbage").status()) == "INVALID_PAGE_TOKEN");
}

TEST_CASE("average daily sales prefer the data hub and fall back to the ledger", "[matrix][stock]") {
  CHECK(SkuDailySales(60, std::nullopt) == SalesRate{60, 30, SalesSource::kLedger});
  CHECK(SkuDailySales(60, DatahubSales{0, 0}) == SalesRate{60, 30, SalesSource::kLedger});  // no day covered
  CHECK(SkuDailySales(60, DatahubSales{50, 10}) == SalesRate{50, 10, SalesSource::kDatahub});
  CHECK(SkuDailySales(60, DatahubSales{50, 10}).PerDay() == Approx(5.0));
  // A warehouse that shipped a third of the SKU's ledger sales gets a third of the data hub's rate.
  CHECK(WarehouseDailySales(20, 60, DatahubSales{50, 10}).PerDay() == Approx(5.0 / 3));
  // No ledger sales at all: the whole rate (an alert rather than a stock-out).
  CHECK(WarehouseDailySales(0, 0, DatahubSales{50, 10}).PerDay() == Approx(5.0));
  CHECK(WarehouseDailySales(20, 60, std::nullopt) == SalesRate{20, 30, SalesSource::kLedger});

  StockPosition p;
  p.level = {"sku-1", "default", 40, 0};
  p.safety = SafetyStockSetting{"sku-1", "default", SafetyStockMode::kDaysOfCover, 0, 7};
  p.units_sold = p.sku_units_sold = 30;  // the ledger: 1 a day, 7 days of cover = 7
  CHECK(SafetyStockOf(p) == 7);
  CHECK(*DaysOfCover(p) == Approx(40.0));
  p.datahub = DatahubSales{100, 10};  // the data hub: 10 a day, 7 days = 70 > 40 available
  CHECK(SafetyStockOf(p) == 70);
  CHECK(*DaysOfCover(p) == Approx(4.0));
  std::vector<StockAlert> alerts = EvaluateAlerts({p}, 0);
  REQUIRE(alerts.size() == 1);
  CHECK(alerts[0].below_safety_stock);
  CHECK(alerts[0].sales_source == SalesSource::kDatahub);
  CHECK(alerts[0].average_daily_sales == Approx(10.0));
}

TEST_CASE("the data hub's daily metrics must cover one UTC day with no negative count", "[matrix]") {
  DailyProductMetrics m;
  m.product_id = "prd_1";
  m.day_start = kNow;
  m.units_sold = 3;
  m.skus = {{"sku_1", 3, {"CNY", 300}, 0, 1}};
  CHECK(ValidateDailyMetrics(m, kNow + absl::Hours(24)).ok());
  CHECK(FieldOf(ValidateDailyMetrics(m, kNow + absl::Hours(48))) == "windowEnd");
  m.day_start = kNow + absl::Hours(1);
  CHECK(FieldOf(ValidateDailyMetrics(m, kNow + absl::Hours(25))) == "windowStart");
  m.day_start = kNow;
  m.skus[0].units_sold = -1;
  CHECK(FieldOf(ValidateDailyMetrics(m, kNow + absl::Hours(24))) == "skus[0].unitsSold");
  m.skus = {{"sku_1", 1, {}, 0, 0}, {"sku_1", 1, {}, 0, 0}};
  CHECK(FieldOf(ValidateDailyMetrics(m, kNow + absl::Hours(24))) == "skus[1].skuId");
}

TEST_CASE("cost prices: set on create and edit, in the price's currency, never in the shoppers' view", "[matrix]") {
  InMemoryProductStore store;
  FakeClock clock(kNow);
  RandomIdGenerator ids(clock);
  Catalog catalog(store, clock, ids);
  ListingCompliance compliance(store, clock);
  ProductEditor editor(store, compliance, clock, ids);
  const std::string category = catalog.CreateCategory("Tea", "", "").value().category_id;
  NewProduct request;
  request.title = "Longjing";
  request.category_id = category;
  NewSku sku;
  sku.sku_code = "LJ-250";
  sku.price = {"CNY", 12800};
  sku.cost_price = Money{"USD", 5000};
  request.skus = {sku};
  absl::StatusOr<Product> refused = catalog.CreateProduct(request);
  CHECK(ReasonOf(refused.status()) == "COST_CURRENCY_MISMATCH");
  CHECK(FieldOf(refused.status()) == "skus[0].costPrice.currency");

  request.skus[0].cost_price = Money{"CNY", 5000};
  Product created = catalog.CreateProduct(request).value();
  REQUIRE(created.skus[0].cost_price.has_value());
  CHECK(created.skus[0].cost_price->amount_minor == 5000);

  ProductEdit edit;
  edit.product_id = created.product_id;
  edit.expected_version = created.version;
  edit.cost_changes = {{created.skus[0].sku_id, {"CNY", -1}}};
  CHECK(FieldOf(editor.Update(edit).status()) == "costChanges[0].costPrice.amountMinor");
  edit.cost_changes = {{"sku_unknown", {"CNY", 1}}};
  CHECK(ReasonOf(editor.Update(edit).status()) == "SKU_NOT_FOUND");
  edit.cost_changes = {{created.skus[0].sku_id, {"CNY", 6000}}};
  Product edited = editor.Update(edit).value();
  CHECK(edited.version == created.version + 1);
  CHECK(editor.Get(created.product_id).value().product.skus[0].cost_price->amount_minor == 6000);

  REQUIRE(editor.ChangeStatus(created.product_id, LifecycleAction::kPublish, 0).ok());
  Product shown = catalog.GetProduct(created.product_id).value();
  CHECK_FALSE(shown.skus[0].cost_price.has_value());
  ProductPage listed = catalog.ListProducts(10, "", "", "").value();
  REQUIRE(listed.products.size() == 1);
  CHECK_FALSE(listed.products[0].skus[0].cost_price.has_value());

  REQUIRE(editor.ChangeStatus(created.product_id, LifecycleAction::kUnpublish, 0).ok());
  CHECK(ReasonOf(catalog.GetProduct(created.product_id).status()) == "PRODUCT_NOT_FOUND");
}

}  // namespace zhongtai::product
