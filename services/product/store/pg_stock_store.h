// StockStore over PostgreSQL, in three files by concern: pg_warehouse_store.cc (warehouses),
// pg_stock_operation_store.cc (inbound, outbound, transfer, stocktake, the ledger) and
// pg_safety_stock_store.cc (settings and the positions alerts are computed from), plus pg_abc_store.cc (revenue
// and ABC classes). Stock rows are locked
// in (sku id, warehouse id) byte order, as PgProductStore's reservations lock them.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/product/domain/stock_ports.h"

namespace zhongtai::product {

class PgStockStore : public StockStore {
 public:
  explicit PgStockStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<Warehouse> CreateWarehouse(const Warehouse& warehouse) override;
  absl::StatusOr<std::vector<Warehouse>> ListWarehouses(const std::string& after_id, int limit) override;
  absl::StatusOr<Warehouse> UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch,
                                            absl::Time now) override;
  absl::StatusOr<std::vector<StockLevel>> ApplyOperation(const StockOperation& op, absl::Time now) override;
  absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerQuery& query) override;
  absl::Status PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) override;
  absl::StatusOr<std::vector<StockPosition>> StockPositions(const std::string& warehouse_id, bool with_sales,
                                                            absl::Time sales_since) override;
  absl::StatusOr<std::vector<SkuRevenue>> SkuRevenues(absl::Time since) override;
  absl::Status SaveAbcClasses(const std::vector<SkuClass>& classes, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::product
