// A StockStore in memory for API tests: the same contract as PgStockStore under one mutex. Its stock rows are
// its own (it does not see InMemoryProductStore's), and every SKU id is taken to exist.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "services/product/domain/stock_ports.h"

namespace zhongtai::product {

class InMemoryStockStore : public StockStore {
 public:
  InMemoryStockStore();
  absl::StatusOr<Warehouse> CreateWarehouse(const Warehouse& warehouse) override;
  absl::StatusOr<std::vector<Warehouse>> ListWarehouses(const std::string& after_id, int limit) override;
  absl::StatusOr<Warehouse> UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch,
                                            absl::Time now) override;
  absl::StatusOr<std::vector<StockLevel>> ApplyOperation(const StockOperation& op, absl::Time now) override;
  absl::StatusOr<std::vector<LedgerEntry>> ListLedger(const LedgerQuery& query) override;
  absl::Status PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) override;
  absl::StatusOr<std::vector<StockPosition>> StockPositions(const std::string& warehouse_id, bool with_sales,
                                                            absl::Time sales_since) override;

 private:
  std::mutex mu_;
  std::map<std::string, Warehouse> warehouses_;
  std::map<std::pair<std::string, std::string>, StockLevel> stock_;  // (sku, warehouse)
  std::map<std::pair<std::string, std::string>, SafetyStockSetting> safety_;
  std::map<std::string, std::pair<std::string, std::vector<StockLevel>>> requests_;  // id -> (operation, levels)
  std::vector<LedgerEntry> ledger_;
};

}  // namespace zhongtai::product
