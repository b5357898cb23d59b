#include "services/product/tests/in_memory_stock_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

InMemoryStockStore::InMemoryStockStore() {
  warehouses_[kDefaultWarehouse] = {kDefaultWarehouse, "Default central warehouse", WarehouseType::kCentral};
}

absl::StatusOr<Warehouse> InMemoryStockStore::CreateWarehouse(const Warehouse& warehouse) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!warehouses_.emplace(warehouse.warehouse_id, warehouse).second) {
    return AlreadyExists("WAREHOUSE_EXISTS", absl::StrCat("warehouse ", warehouse.warehouse_id, " already exists"));
  }
  return warehouse;
}

absl::StatusOr<std::vector<Warehouse>> InMemoryStockStore::ListWarehouses(const std::string& after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Warehouse> out;
  for (auto it = warehouses_.upper_bound(after_id); it != warehouses_.end() && static_cast<int>(out.size()) < limit;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<Warehouse> InMemoryStockStore::UpdateWarehouse(const std::string& warehouse_id,
                                                              const WarehousePatch& patch, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = warehouses_.find(warehouse_id);
  if (it == warehouses_.end()) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  ASSIGN_OR_RETURN(it->second, ApplyPatch(it->second, patch, now));
  return it->second;
}

absl::StatusOr<std::vector<StockLevel>> InMemoryStockStore::ApplyOperation(const StockOperation& op, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string fingerprint = absl::StrCat(StockOperationName(op.kind), "|", op.sku_id, "|", op.warehouse_id, "|",
                                               op.to_warehouse_id, "|", op.quantity);
  if (!op.request_id.empty()) {
    auto it = requests_.find(op.request_id);
    if (it != requests_.end()) {
      if (it->second.first != fingerprint) return FailedPrecondition("REQUEST_ID_REUSED", "request id reused");
      return it->second.second;
    }
  }
  for (const std::string* w : {&op.warehouse_id, &op.to_warehouse_id}) {
    if (!w->empty() && !warehouses_.count(*w)) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  }
  StockLevel from = stock_[{op.sku_id, op.warehouse_id}];
  StockLevel to = op.to_warehouse_id.empty() ? StockLevel{} : stock_[{op.sku_id, op.to_warehouse_id}];
  ASSIGN_OR_RETURN(std::vector<StockMovement> movements, PlanOperation(op, from, to));
  std::vector<StockLevel> out;
  for (const StockMovement& m : movements) {
    StockLevel& level = stock_[{m.sku_id, m.warehouse_id}];
    level.sku_id = m.sku_id;
    level.warehouse_id = m.warehouse_id;
    level.on_hand += m.on_hand_delta;
    LedgerEntry e;
    e.entry_id = static_cast<int64_t>(ledger_.size()) + 1;
    e.sku_id = m.sku_id;
    e.warehouse_id = m.warehouse_id;
    e.kind = m.kind;
    e.on_hand_delta = m.on_hand_delta;
    e.on_hand_after = level.on_hand;
    e.reserved_after = level.reserved;
    e.reference = op.reference;
    e.request_id = op.request_id;
    e.reason = op.reason;
    e.actor = op.actor;
    e.created_at = now;
    ledger_.push_back(e);
    out.push_back(level);
  }
  if (!op.request_id.empty()) requests_[op.request_id] = {fingerprint, out};
  return out;
}

absl::StatusOr<std::vector<LedgerEntry>> InMemoryStockStore::ListLedger(const LedgerQuery& query) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<LedgerEntry> out;
  for (auto it = ledger_.rbegin(); it != ledger_.rend() && static_cast<int>(out.size()) < query.limit; ++it) {
    if (!query.sku_id.empty() && it->sku_id != query.sku_id) continue;
    if (!query.warehouse_id.empty() && it->warehouse_id != query.warehouse_id) continue;
    if (it->created_at < query.from || it->created_at >= query.to) continue;
    if (query.before_entry_id != 0 && it->entry_id >= query.before_entry_id) continue;
    out.push_back(*it);
  }
  return out;
}

absl::Status InMemoryStockStore::PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!warehouses_.count(setting.warehouse_id)) return NotFound("WAREHOUSE_NOT_FOUND", "warehouse does not exist");
  StockLevel& level = stock_[{setting.sku_id, setting.warehouse_id}];
  level.sku_id = setting.sku_id;
  level.warehouse_id = setting.warehouse_id;
  safety_[{setting.sku_id, setting.warehouse_id}] = setting;
  return absl::OkStatus();
}

absl::StatusOr<std::vector<StockPosition>> InMemoryStockStore::StockPositions(const std::string& warehouse_id,
                                                                              bool with_sales, absl::Time since) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<StockPosition> out;
  for (const auto& [key, level] : stock_) {
    if (!warehouse_id.empty() && key.second != warehouse_id) continue;
    StockPosition p;
    p.level = level;
    auto s = safety_.find(key);
    if (s != safety_.end()) p.safety = s->second;
    for (const LedgerEntry& e : ledger_) {
      if (e.sku_id == key.first && e.warehouse_id == key.second && e.created_at >= since &&
          (e.kind == "outbound" || e.kind == "confirm")) {
        p.units_sold -= e.on_hand_delta;
      }
    }
    if (p.safety || (with_sales && p.units_sold > 0)) out.push_back(p);
  }
  return out;
}

}  // namespace zhongtai::product
