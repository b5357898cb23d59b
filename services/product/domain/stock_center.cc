#include "services/product/domain/stock_center.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/catalog.h"

namespace zhongtai::product {
namespace {

int ClampPageSize(int requested, int fallback, int max) {
  if (requested <= 0) return fallback;
  return std::min(requested, max);
}

}  // namespace

StockCenter::StockCenter(StockStore& store, Clock& clock, ProductCache* cache, AbcThresholds abc)
    : store_(store), clock_(clock), cache_(cache), abc_(abc) {}

absl::StatusOr<Warehouse> StockCenter::CreateWarehouse(Warehouse warehouse) {
  warehouse.name = std::string(absl::StripAsciiWhitespace(warehouse.name));
  RETURN_IF_ERROR(ValidateWarehouse(warehouse, "warehouse."));
  warehouse.created_at = warehouse.updated_at = clock_.Now();
  return store_.CreateWarehouse(warehouse);
}

absl::StatusOr<WarehousePage> StockCenter::ListWarehouses(int page_size, const std::string& page_token) {
  const int size = ClampPageSize(page_size, 100, 1000);
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, DecodePageToken("w", page_token));
  }
  ASSIGN_OR_RETURN(std::vector<Warehouse> warehouses, store_.ListWarehouses(after, size + 1));
  WarehousePage page;
  if (static_cast<int>(warehouses.size()) > size) {
    warehouses.resize(size);
    page.next_page_token = EncodePageToken("w", warehouses.back().warehouse_id);
  }
  page.warehouses = std::move(warehouses);
  return page;
}

absl::StatusOr<Warehouse> StockCenter::UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch) {
  RETURN_IF_ERROR(ValidateWarehouseId(warehouse_id, "warehouseId"));
  return store_.UpdateWarehouse(warehouse_id, patch, clock_.Now());
}

absl::StatusOr<std::vector<StockLevel>> StockCenter::Apply(const StockOperation& op) {
  RETURN_IF_ERROR(ValidateOperation(op));
  absl::StatusOr<std::vector<StockLevel>> levels = store_.ApplyOperation(op, clock_.Now());
  if (levels.ok() && cache_ != nullptr) cache_->InvalidateSkus({op.sku_id});
  return levels;
}

absl::StatusOr<LedgerPage> StockCenter::Ledger(LedgerQuery query, int page_size, const std::string& page_token) {
  if (query.from >= query.to) {
    return InvalidArgument("startTime", "INVALID_TIME_RANGE", "the start time must be before the end time");
  }
  RETURN_IF_ERROR(ValidateWarehouseId(query.warehouse_id, "warehouseId", true));
  query.limit = ClampPageSize(page_size, 50, 500) + 1;
  query.before_entry_id = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(query.before_entry_id, DecodeNumberToken("l", page_token));
  }
  ASSIGN_OR_RETURN(std::vector<LedgerEntry> entries, store_.ListLedger(query));
  LedgerPage page;
  if (static_cast<int>(entries.size()) >= query.limit) {
    entries.resize(query.limit - 1);
    page.next_page_token = EncodePageToken("l", std::to_string(entries.back().entry_id));
  }
  page.entries = std::move(entries);
  return page;
}

absl::Status StockCenter::SetSafetyStock(const SafetyStockSetting& setting) {
  RETURN_IF_ERROR(ValidateSafetyStock(setting));
  return store_.PutSafetyStock(setting, clock_.Now());
}

absl::StatusOr<AlertPage> StockCenter::Alerts(const std::string& warehouse_id, int cover_days, int page_size,
                                              const std::string& page_token) {
  RETURN_IF_ERROR(ValidateWarehouseId(warehouse_id, "warehouseId", true));
  if (cover_days < 0 || cover_days > kMaxDaysOfCover) {
    return InvalidArgument("coverDays", "DAYS_OF_COVER_OUT_OF_RANGE", "cover days is 0 (off) to 365");
  }
  const int size = ClampPageSize(page_size, 100, 1000);
  int64_t offset = 0;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(offset, DecodeNumberToken("a", page_token));
  }
  ASSIGN_OR_RETURN(
      std::vector<StockPosition> positions,
      store_.StockPositions(warehouse_id, cover_days > 0, clock_.Now() - absl::Hours(24 * kSalesWindowDays)));
  // The alerts are ranked, not listed by a key, so a page is an offset into the ranking of this moment.
  std::vector<StockAlert> all = EvaluateAlerts(positions, cover_days);
  AlertPage page;
  for (size_t i = offset; i < all.size() && static_cast<int>(page.alerts.size()) < size; ++i) {
    page.alerts.push_back(std::move(all[i]));
  }
  if (offset + static_cast<int64_t>(page.alerts.size()) < static_cast<int64_t>(all.size())) {
    page.next_page_token = EncodePageToken("a", std::to_string(offset + page.alerts.size()));
  }
  return page;
}

absl::StatusOr<int64_t> StockCenter::CountBelowSafety() {
  ASSIGN_OR_RETURN(std::vector<StockPosition> positions,
                   store_.StockPositions("", false, clock_.Now() - absl::Hours(24 * kSalesWindowDays)));
  int64_t below = 0;
  for (const StockAlert& alert : EvaluateAlerts(positions, 0)) below += alert.below_safety_stock ? 1 : 0;
  return below;
}

absl::StatusOr<int> StockCenter::ClassifyAbc() {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::vector<SkuRevenue> revenues, store_.SkuRevenues(now - absl::Hours(24 * kSalesWindowDays)));
  std::vector<SkuClass> classes = product::ClassifyAbc(std::move(revenues), abc_);
  RETURN_IF_ERROR(store_.SaveAbcClasses(classes, now));
  int a = 0;
  for (const SkuClass& c : classes) a += c.abc_class == 'A' ? 1 : 0;
  return a;
}

}  // namespace zhongtai::product
