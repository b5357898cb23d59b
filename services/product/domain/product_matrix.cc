#include "services/product/domain/product_matrix.h"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/product/domain/cost_price.h"

namespace zhongtai::product {
namespace {

// How many of n products a "p%" rank admits: ceil(n × p / 100).
int64_t RankSlots(size_t n, int percent) { return (static_cast<int64_t>(n) * percent + 99) / 100; }

// in_top[i]: values[i] is positive, fewer than RankSlots(n) of the compared values are strictly higher, and at least
// one is strictly lower (a value every product shares ranks none of them). Only entries with compared[i] take part
// (and get an answer); n counts those.
std::vector<bool> TopRanks(const std::vector<int64_t>& values, const std::vector<bool>& compared, int percent) {
  std::vector<int64_t> pool;
  for (size_t i = 0; i < values.size(); ++i) {
    if (compared[i]) pool.push_back(values[i]);
  }
  std::sort(pool.begin(), pool.end());
  const int64_t slots = RankSlots(pool.size(), percent);
  std::vector<bool> out(values.size(), false);
  for (size_t i = 0; i < values.size(); ++i) {
    if (!compared[i] || values[i] <= 0) continue;
    const auto higher = pool.end() - std::upper_bound(pool.begin(), pool.end(), values[i]);
    const auto lower = std::lower_bound(pool.begin(), pool.end(), values[i]) - pool.begin();
    out[i] = higher < slots && lower > 0;
  }
  return out;
}

// The same from below over every product: fewer than RankSlots(n) strictly lower and at least one strictly higher.
std::vector<bool> BottomRanks(const std::vector<int64_t>& values, int percent) {
  std::vector<int64_t> pool = values;
  std::sort(pool.begin(), pool.end());
  const int64_t slots = RankSlots(pool.size(), percent);
  std::vector<bool> out(values.size(), false);
  for (size_t i = 0; i < values.size(); ++i) {
    const auto lower = std::lower_bound(pool.begin(), pool.end(), values[i]) - pool.begin();
    const auto higher = pool.end() - std::upper_bound(pool.begin(), pool.end(), values[i]);
    out[i] = lower < slots && higher > 0;
  }
  return out;
}

// "12.50%" from 1250 basis points.
std::string Percent(int64_t basis_points) {
  const int64_t magnitude = basis_points < 0 ? -basis_points : basis_points;
  const int64_t hundredths = magnitude % 100;
  return absl::StrCat(basis_points < 0 ? "-" : "", magnitude / 100, ".", hundredths < 10 ? "0" : "", hundredths, "%");
}

}  // namespace

const char* ProductRoleName(ProductRole role) {
  switch (role) {
    case ProductRole::kUnspecified: return "unspecified";
    case ProductRole::kTraffic: return "traffic";
    case ProductRole::kProfit: return "profit";
    case ProductRole::kImage: return "image";
    case ProductRole::kLongTail: return "long_tail";
  }
  return "unspecified";
}

bool ParseProductRole(const std::string& name, ProductRole* out) {
  for (ProductRole role : {ProductRole::kUnspecified, ProductRole::kTraffic, ProductRole::kProfit, ProductRole::kImage,
                           ProductRole::kLongTail}) {
    if (name == ProductRoleName(role)) {
      *out = role;
      return true;
    }
  }
  return false;
}

const char* LifecycleStageName(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return "new";
    case LifecycleStage::kGrowing: return "growing";
    case LifecycleStage::kMature: return "mature";
    case LifecycleStage::kDeclining: return "declining";
  }
  return "mature";
}

int64_t RateBasisPoints(int64_t part, int64_t whole) { return whole <= 0 ? 0 : part * 10000 / whole; }

std::optional<int64_t> ProductMarginBasisPoints(const std::vector<SkuFigures>& skus) {
  bool any_sold = false;
  for (const SkuFigures& sku : skus) {
    any_sold = any_sold || (sku.cost_price && sku.units_sold > 0);
  }
  int64_t margin = 0, revenue = 0;
  for (const SkuFigures& sku : skus) {
    if (!MarginBasisPoints(sku.price, sku.cost_price)) continue;
    const int64_t weight = any_sold ? sku.units_sold : 1;
    margin += (sku.price.amount_minor - sku.cost_price->amount_minor) * weight;
    revenue += sku.price.amount_minor * weight;
  }
  if (revenue <= 0) return std::nullopt;
  return margin * 10000 / revenue;
}

Money TopPrice(const std::vector<SkuFigures>& skus) {
  Money top;
  for (const SkuFigures& sku : skus) {
    if (!sku.retired && (top.currency.empty() || sku.price.amount_minor > top.amount_minor)) top = sku.price;
  }
  return top;
}

std::vector<RoleSuggestion> SuggestRoles(const std::vector<ProductFigures>& products, const MatrixSettings& s) {
  const size_t n = products.size();
  std::vector<int64_t> visitors(n), conversion(n), units(n), price(n);
  std::vector<bool> with_hub(n), everyone(n, true);
  std::vector<std::optional<int64_t>> margin(n);
  for (size_t i = 0; i < n; ++i) {
    const ProductFigures& p = products[i];
    visitors[i] = p.unique_visitors;
    conversion[i] = RateBasisPoints(p.buyers, p.unique_visitors);
    units[i] = p.units_sold;
    price[i] = TopPrice(p.skus).amount_minor;
    with_hub[i] = p.from_datahub;
    margin[i] = ProductMarginBasisPoints(p.skus);
  }
  const std::vector<bool> top_visitors = TopRanks(visitors, with_hub, s.traffic_top_percent);
  const std::vector<bool> top_units_for_traffic = TopRanks(units, everyone, s.traffic_top_percent);
  const std::vector<bool> top_conversion = TopRanks(conversion, with_hub, s.profit_top_percent);
  const std::vector<bool> top_units_for_profit = TopRanks(units, everyone, s.profit_top_percent);
  const std::vector<bool> top_price = TopRanks(price, everyone, s.image_price_top_percent);
  const std::vector<bool> bottom_units = BottomRanks(units, s.image_volume_bottom_percent);

  std::vector<RoleSuggestion> out(n);
  for (size_t i = 0; i < n; ++i) {
    const bool hub = products[i].from_datahub;
    const bool traffic_rank = hub ? top_visitors[i] : top_units_for_traffic[i];
    const bool profit_rank = hub ? top_conversion[i] : top_units_for_profit[i];
    RoleSuggestion& r = out[i];
    if (margin[i] && *margin[i] <= s.traffic_max_margin_percent * 100 && traffic_rank) {
      r.role = ProductRole::kTraffic;
      r.reason = absl::StrCat(hub ? "unique visitors" : "units sold (no data hub metrics)", " in the top ",
                              s.traffic_top_percent, "% and margin ", Percent(*margin[i]), " at most ",
                              s.traffic_max_margin_percent, "%");
    } else if (margin[i] && *margin[i] >= s.profit_min_margin_percent * 100 && profit_rank) {
      r.role = ProductRole::kProfit;
      r.reason = absl::StrCat(
          "margin ", Percent(*margin[i]), " at least ", s.profit_min_margin_percent, "% and ",
          hub ? absl::StrCat("conversion ", Percent(conversion[i])) : std::string("units sold (no data hub metrics)"),
          " in the top ", s.profit_top_percent, "%");
    } else if (top_price[i] && bottom_units[i]) {
      r.role = ProductRole::kImage;
      r.reason = absl::StrCat("price in the top ", s.image_price_top_percent, "% and units sold (", units[i],
                              ") in the bottom ", s.image_volume_bottom_percent, "%");
    } else {
      r.role = ProductRole::kLongTail;
      r.reason = "no traffic, profit or image rule holds";
    }
  }
  return out;
}

LifecycleStage StageOf(const ProductFigures& p, absl::Time now, const MatrixSettings& s) {
  if (now - p.listed_at < absl::Hours(24) * s.new_days) return LifecycleStage::kNew;
  const int64_t recent = p.recent_units, previous = p.previous_units;
  if (recent == 0 && previous == 0) return LifecycleStage::kDeclining;
  // In integers: recent > previous × (1 + p/100) <=> recent × 100 > previous × (100 + p).
  if (recent * 100 > previous * (100 + s.trend_percent)) return LifecycleStage::kGrowing;
  if (recent * 100 < previous * (100 - s.trend_percent)) return LifecycleStage::kDeclining;
  return LifecycleStage::kMature;
}

MatrixReport BuildMatrix(const std::vector<ProductFigures>& products, absl::Time now, const MatrixSettings& s) {
  MatrixReport report;
  report.total_products = static_cast<int64_t>(products.size());
  std::vector<RoleSuggestion> suggestions = SuggestRoles(products, s);
  std::map<std::pair<ProductRole, LifecycleStage>, int64_t> counts;
  for (size_t i = 0; i < products.size(); ++i) {
    const LifecycleStage stage = StageOf(products[i], now, s);
    ++counts[{products[i].role, stage}];
    if (suggestions[i].role == products[i].role) continue;
    MatrixEntry entry;
    entry.figures = products[i];
    entry.suggestion = std::move(suggestions[i]);
    entry.stage = stage;
    entry.margin_bp = ProductMarginBasisPoints(products[i].skus);
    entry.top_price = TopPrice(products[i].skus);
    report.mismatches.push_back(std::move(entry));
  }
  for (const auto& [key, count] : counts) report.cells.push_back({key.first, key.second, count});
  std::sort(report.mismatches.begin(), report.mismatches.end(),
            [](const MatrixEntry& a, const MatrixEntry& b) { return a.figures.product_id < b.figures.product_id; });
  return report;
}

}  // namespace zhongtai::product
