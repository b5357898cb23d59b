// Safety stock per SKU per warehouse and the low-stock alerts it raises.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/product/domain/model.h"
#include "services/product/domain/sales_rate.h"

namespace zhongtai::product {

inline constexpr int kMaxDaysOfCover = 365;

enum class SafetyStockMode { kFixed, kDaysOfCover };
const char* SafetyStockModeName(SafetyStockMode mode);  // "fixed", "days_of_cover"

struct SafetyStockSetting {
  std::string sku_id;
  std::string warehouse_id;
  SafetyStockMode mode = SafetyStockMode::kFixed;
  int64_t quantity = 0;   // fixed: the safety stock itself
  int days_of_cover = 0;  // days_of_cover: the safety stock is this many days of average sales
};

// Fields as in the API: skuId, warehouseId, quantity, daysOfCover. INVALID_ARGUMENT FIELD_REQUIRED,
// INVALID_WAREHOUSE_ID, QUANTITY_NEGATIVE, QUANTITY_TOO_LARGE, DAYS_OF_COVER_OUT_OF_RANGE (1 to 365).
absl::Status ValidateSafetyStock(const SafetyStockSetting& setting);

// One stock row with what the alert needs: its level, its setting if any, and its sales in the window.
struct StockPosition {
  StockLevel level;
  std::optional<SafetyStockSetting> safety;
  int64_t units_sold = 0;      // the ledger's, in this warehouse over kSalesWindowDays
  char abc_class = 0;          // 'A', 'B', 'C' from the last classification; 0 before the first
  int64_t sku_units_sold = 0;  // the ledger's, of the SKU over all warehouses (the warehouse's share of the data hub's)
  std::optional<DatahubSales> datahub;  // the data hub's figures of the SKU in the window, when it has any
};

// The position's average daily sales: WarehouseDailySales (sales_rate.h), so the data hub's figures when present.
SalesRate SalesRateOf(const StockPosition& position);
// The safety stock of a position: the fixed quantity, or ceil(days × average daily sales); 0 without a setting.
int64_t SafetyStockOf(const StockPosition& position);
// Days the available stock lasts at the average daily sales; nullopt when nothing sold (it lasts forever).
std::optional<double> DaysOfCover(const StockPosition& position);

struct StockAlert {
  StockPosition position;
  int64_t safety_stock = 0;
  double average_daily_sales = 0;
  SalesSource sales_source = SalesSource::kLedger;
  std::optional<double> days_of_cover;
  bool below_safety_stock = false;  // available < safety stock
  bool under_cover_days = false;    // days of cover < the days asked for
};

// The positions that need attention: available stock below the safety stock, or (when cover_days > 0)
// lasting fewer than cover_days at the current sales. Ordered most urgent first: below safety stock before
// short of cover, then A before B before C SKUs (unclassified last), then the fewest days of cover, then the
// largest shortfall, then (sku, warehouse).
std::vector<StockAlert> EvaluateAlerts(const std::vector<StockPosition>& positions, int cover_days);

}  // namespace zhongtai::product
