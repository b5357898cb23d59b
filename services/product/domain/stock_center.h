// Warehouses and stock operations as the admin routes use them: validation, the store, and the cached
// product pages the stock changes make stale.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "services/product/domain/product_cache.h"
#include "services/product/domain/stock_ports.h"

namespace zhongtai::product {

struct WarehousePage {
  std::vector<Warehouse> warehouses;
  std::string next_page_token;
};

struct LedgerPage {
  std::vector<LedgerEntry> entries;
  std::string next_page_token;
};

struct AlertPage {
  std::vector<StockAlert> alerts;
  std::string next_page_token;
};

class StockCenter {
 public:
  // cache: optional; every stock movement forgets the cached products of its SKU.
  StockCenter(StockStore& store, Clock& clock, ProductCache* cache = nullptr, AbcThresholds abc = {});

  // INVALID_ARGUMENT (ValidateWarehouse()), ALREADY_EXISTS WAREHOUSE_EXISTS.
  absl::StatusOr<Warehouse> CreateWarehouse(Warehouse warehouse);
  // page_size 0: 100; at most 1000. INVALID_ARGUMENT INVALID_PAGE_TOKEN.
  absl::StatusOr<WarehousePage> ListWarehouses(int page_size, const std::string& page_token);
  absl::StatusOr<Warehouse> UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch);

  // Inbound, outbound, transfer or stocktake (ValidateOperation(), then StockStore::ApplyOperation()).
  absl::StatusOr<std::vector<StockLevel>> Apply(const StockOperation& op);
  // page_size 0: 50; at most 500. INVALID_ARGUMENT INVALID_PAGE_TOKEN / INVALID_TIME_RANGE.
  absl::StatusOr<LedgerPage> Ledger(LedgerQuery query, int page_size, const std::string& page_token);

  absl::Status SetSafetyStock(const SafetyStockSetting& setting);
  // Positions needing attention (EvaluateAlerts()), optionally of one warehouse; cover_days 0: only those
  // below their safety stock. page_size 0: 100; at most 1000.
  absl::StatusOr<AlertPage> Alerts(const std::string& warehouse_id, int cover_days, int page_size,
                                   const std::string& page_token);
  // How many stock rows are below their safety stock now (the zt_product_stock_below_safety gauge).
  absl::StatusOr<int64_t> CountBelowSafety();
  // Classifies every SKU by its revenue over the sales window (ClassifyAbc()) and stores the classes; run
  // daily. Returns how many SKUs are A.
  absl::StatusOr<int> ClassifyAbc();

 private:
  StockStore& store_;
  Clock& clock_;
  ProductCache* cache_;
  AbcThresholds abc_;
};

}  // namespace zhongtai::product
