#include "services/product/domain/safety_stock.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "absl/strings/ascii.h"
#include "common/status/status.h"
#include "services/product/domain/abc_classification.h"
#include "services/product/domain/stock_ledger.h"
#include "services/product/domain/warehouses.h"

namespace zhongtai::product {

const char* SafetyStockModeName(SafetyStockMode mode) {
  return mode == SafetyStockMode::kFixed ? "fixed" : "days_of_cover";
}

absl::Status ValidateSafetyStock(const SafetyStockSetting& setting) {
  if (absl::StripAsciiWhitespace(setting.sku_id).empty()) {
    return InvalidArgument("skuId", "FIELD_REQUIRED", "skuId is required");
  }
  RETURN_IF_ERROR(ValidateWarehouseId(setting.warehouse_id, "warehouseId"));
  if (setting.mode == SafetyStockMode::kFixed) {
    if (setting.quantity < 0) return InvalidArgument("quantity", "QUANTITY_NEGATIVE", "quantity is 0 or more");
    if (setting.quantity > kMaxStockQuantity) {
      return InvalidArgument("quantity", "QUANTITY_TOO_LARGE", "quantity must be at most 1e9");
    }
  } else if (setting.days_of_cover < 1 || setting.days_of_cover > kMaxDaysOfCover) {
    return InvalidArgument("daysOfCover", "DAYS_OF_COVER_OUT_OF_RANGE", "days of cover is 1 to 365");
  }
  return absl::OkStatus();
}

SalesRate SalesRateOf(const StockPosition& position) {
  return WarehouseDailySales(position.units_sold, position.sku_units_sold, position.datahub);
}

int64_t SafetyStockOf(const StockPosition& position) {
  if (!position.safety) return 0;
  if (position.safety->mode == SafetyStockMode::kFixed) return position.safety->quantity;
  // Integer arithmetic: ceil(days × units / rate days) without floating-point rounding.
  const SalesRate rate = SalesRateOf(position);
  const int64_t numerator = static_cast<int64_t>(position.safety->days_of_cover) * rate.units;
  return (numerator + rate.days - 1) / rate.days;
}

std::optional<double> DaysOfCover(const StockPosition& position) {
  const SalesRate rate = SalesRateOf(position);
  if (rate.units <= 0) return std::nullopt;
  return static_cast<double>(std::max<int64_t>(0, position.level.available())) / rate.PerDay();
}

std::vector<StockAlert> EvaluateAlerts(const std::vector<StockPosition>& positions, int cover_days) {
  std::vector<StockAlert> out;
  for (const StockPosition& p : positions) {
    StockAlert alert;
    alert.position = p;
    alert.safety_stock = SafetyStockOf(p);
    const SalesRate rate = SalesRateOf(p);
    alert.average_daily_sales = rate.PerDay();
    alert.sales_source = rate.source;
    alert.days_of_cover = DaysOfCover(p);
    alert.below_safety_stock = p.safety.has_value() && p.level.available() < alert.safety_stock;
    alert.under_cover_days = cover_days > 0 && alert.days_of_cover && *alert.days_of_cover < cover_days;
    if (alert.below_safety_stock || alert.under_cover_days) out.push_back(std::move(alert));
  }
  auto key = [](const StockAlert& a) {
    return std::make_tuple(!a.below_safety_stock, AbcRank(a.position.abc_class), a.days_of_cover.value_or(1e18),
                           -(a.safety_stock - a.position.level.available()), a.position.level.sku_id,
                           a.position.level.warehouse_id);
  };
  std::sort(out.begin(), out.end(), [&](const StockAlert& a, const StockAlert& b) { return key(a) < key(b); });
  return out;
}

}  // namespace zhongtai::product
