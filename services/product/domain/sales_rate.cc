#include "services/product/domain/sales_rate.h"

namespace zhongtai::product {

const char* SalesSourceName(SalesSource source) { return source == SalesSource::kDatahub ? "datahub" : "ledger"; }

SalesRate SkuDailySales(int64_t sku_ledger_units, const std::optional<DatahubSales>& datahub) {
  if (datahub && datahub->days > 0) return {datahub->units, datahub->days, SalesSource::kDatahub};
  return {sku_ledger_units, kSalesWindowDays, SalesSource::kLedger};
}

SalesRate WarehouseDailySales(int64_t warehouse_ledger_units, int64_t sku_ledger_units,
                              const std::optional<DatahubSales>& datahub) {
  SalesRate sku = SkuDailySales(sku_ledger_units, datahub);
  if (sku.source == SalesSource::kLedger) return {warehouse_ledger_units, kSalesWindowDays, SalesSource::kLedger};
  if (sku_ledger_units <= 0) return sku;
  // rate × warehouse / sku, as one fraction.
  return {sku.units * warehouse_ledger_units, sku.days * sku_ledger_units, SalesSource::kDatahub};
}

}  // namespace zhongtai::product
