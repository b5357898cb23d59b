// What warehouses and stock operations need from storage. Implementation: store/pg_stock_store.h.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/product/domain/abc_classification.h"
#include "services/product/domain/model.h"
#include "services/product/domain/safety_stock.h"
#include "services/product/domain/stock_ledger.h"
#include "services/product/domain/warehouses.h"

namespace zhongtai::product {

// Every method is one transaction. Errors carry reasons: NOT_FOUND WAREHOUSE_NOT_FOUND / SKU_NOT_FOUND,
// ALREADY_EXISTS WAREHOUSE_EXISTS, FAILED_PRECONDITION REQUEST_ID_REUSED and those of PlanOperation().
class StockStore {
 public:
  virtual ~StockStore() = default;

  virtual absl::StatusOr<Warehouse> CreateWarehouse(const Warehouse& warehouse) = 0;
  // Ordered by id, after `after_id`, at most `limit`.
  virtual absl::StatusOr<std::vector<Warehouse>> ListWarehouses(const std::string& after_id, int limit) = 0;
  // Locks the warehouse, applies ApplyPatch() and saves the result.
  virtual absl::StatusOr<Warehouse> UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch,
                                                    absl::Time now) = 0;

  // Locks the stock rows the operation touches (in (sku id, warehouse id) byte order, creating a missing row
  // of a known warehouse), applies PlanOperation() and writes one ledger row per movement. Returns the
  // levels after it, in the order of the movements. A request id seen before returns the levels its
  // movements left (REQUEST_ID_REUSED when it was another operation).
  virtual absl::StatusOr<std::vector<StockLevel>> ApplyOperation(const StockOperation& op, absl::Time now) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerQuery& query) = 0;

  // Inserts or replaces the setting of one SKU in one warehouse.
  virtual absl::Status PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) = 0;
  // Stock rows that have a safety stock setting or (with_sales) sold since `sales_since`, with units sold
  // since then; optionally of one warehouse.
  virtual absl::StatusOr<std::vector<StockPosition>> StockPositions(const std::string& warehouse_id, bool with_sales,
                                                                    absl::Time sales_since) = 0;

  // Revenue of every SKU since `since`: the data hub's GMV of it when the hub reported its product since then, else
  // units confirmed times its list price.
  virtual absl::StatusOr<std::vector<SkuRevenue>> SkuRevenues(absl::Time since) = 0;
  // Replaces the stored classes with `classes`.
  virtual absl::Status SaveAbcClasses(const std::vector<SkuClass>& classes, absl::Time now) = 0;
};

}  // namespace zhongtai::product
