// The product matrix (产品矩阵): each published product's role as the operator gave it (traffic 引流款, profit 利润款,
// image 形象款, long tail 长尾款), the role its figures suggest, and its lifecycle stage from its sales trend.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

enum class ProductRole { kUnspecified, kTraffic, kProfit, kImage, kLongTail };
const char* ProductRoleName(ProductRole role);  // "unspecified", "traffic", "profit", "image", "long_tail"
bool ParseProductRole(const std::string& name, ProductRole* out);

enum class LifecycleStage { kNew, kGrowing, kMature, kDeclining };
const char* LifecycleStageName(LifecycleStage stage);  // "new", "growing", "mature", "declining"

// The figures are taken over the last kMatrixWindowDays; the trend compares the last kTrendWindowDays with the
// kTrendWindowDays before them.
inline constexpr int kMatrixWindowDays = 30;
inline constexpr int kTrendWindowDays = 14;

// The thresholds of the suggestion and stage rules (ZT_PRODUCT_MATRIX_* settings). "Top p%" is a relative rank among
// the n products compared: a product is in it when its value is positive, fewer than ceil(n × p / 100) products have a
// strictly higher value (ties share the better rank) and at least one has a lower value (a value all products share
// ranks none of them high). "Bottom p%" likewise from below, zero included.
struct MatrixSettings {
  int traffic_top_percent = 20;          // traffic: unique visitors in the top p% ...
  int traffic_max_margin_percent = 20;   // ... and a margin of at most this
  int profit_min_margin_percent = 40;    // profit: a margin of at least this ...
  int profit_top_percent = 30;           // ... and conversion in the top p%
  int image_price_top_percent = 10;      // image: top SKU price in the top p% ...
  int image_volume_bottom_percent = 30;  // ... and units sold in the bottom p%
  int new_days = 30;                     // new: first published fewer than this many days ago
  int trend_percent = 20;  // growing: recent units above previous by more than p%; declining: below by more than p%
};

// A SKU's part in its product's figures.
struct SkuFigures {
  std::string sku_id;
  Money price;
  std::optional<Money> cost_price;
  int64_t units_sold = 0;  // over the window
  bool retired = false;
};

// One published product's figures over the window. With data hub metrics (from_datahub) every count is the data
// hub's; without them units come from the stock ledger and visitors, carts, buyers and returns are unknown (0).
struct ProductFigures {
  std::string product_id;
  std::string title;
  ProductRole role = ProductRole::kUnspecified;
  absl::Time listed_at;  // first publication
  bool from_datahub = false;
  int64_t unique_visitors = 0;
  int64_t add_to_cart_visitors = 0;
  int64_t buyers = 0;
  int64_t units_sold = 0;
  int64_t units_returned = 0;
  Money gmv;
  int64_t recent_units = 0;    // the last kTrendWindowDays
  int64_t previous_units = 0;  // the kTrendWindowDays before those
  std::vector<SkuFigures> skus;
};

// part / whole in basis points (10000 = 100%), rounded down; 0 when whole is 0.
int64_t RateBasisPoints(int64_t part, int64_t whole);
// Margin of the SKUs that have a cost: sum((price - cost) × w) / sum(price × w) with w the units sold, or w = 1 for
// each when none of them sold. nullopt when no SKU has a cost (or all are free).
std::optional<int64_t> ProductMarginBasisPoints(const std::vector<SkuFigures>& skus);
// The highest list price of the SKUs on sale (retired ones left out); zero money when none.
Money TopPrice(const std::vector<SkuFigures>& skus);

struct RoleSuggestion {
  ProductRole role = ProductRole::kLongTail;
  std::string reason;  // the rule that held, with the figures, for the operator
};

// A role for each product (in the order given), ranked against the others, by the first rule that holds:
//   traffic:   margin known and at most traffic_max_margin_percent, and unique visitors in the top
//              traffic_top_percent among the products with data hub metrics (without them: units sold among all);
//   profit:    margin at least profit_min_margin_percent, and conversion (buyers / visitors) in the top
//              profit_top_percent among the products with data hub metrics (without them: units sold among all);
//   image:     top SKU price in the top image_price_top_percent and units sold in the bottom
//              image_volume_bottom_percent, both among all;
//   long tail: the rest.
std::vector<RoleSuggestion> SuggestRoles(const std::vector<ProductFigures>& products, const MatrixSettings& settings);

// new: listed less than new_days before `now`; otherwise by recent against previous units: growing when above by more
// than trend_percent (or sales after none), declining when below by more than trend_percent or when neither window
// sold anything, mature in between.
LifecycleStage StageOf(const ProductFigures& product, absl::Time now, const MatrixSettings& settings);

struct MatrixEntry {
  ProductFigures figures;
  RoleSuggestion suggestion;
  LifecycleStage stage = LifecycleStage::kMature;
  std::optional<int64_t> margin_bp;
  Money top_price;
};

struct MatrixCell {
  ProductRole role = ProductRole::kUnspecified;
  LifecycleStage stage = LifecycleStage::kNew;
  int64_t products = 0;
  bool operator==(const MatrixCell& o) const { return role == o.role && stage == o.stage && products == o.products; }
};

struct MatrixReport {
  std::vector<MatrixCell> cells;        // non-empty (role given, stage) cells, by role then stage
  std::vector<MatrixEntry> mismatches;  // suggested role differs from the role given, by product id
  int64_t total_products = 0;
};

MatrixReport BuildMatrix(const std::vector<ProductFigures>& products, absl::Time now, const MatrixSettings& settings);

}  // namespace zhongtai::product
