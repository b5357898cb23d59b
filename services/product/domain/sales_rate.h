// Average daily sales of a SKU, the one answer every rule asks for (safety stock, days of cover): the data hub's
// daily product metrics when it has any for the window, else the stock ledger (order confirmations and outbound goods).
#pragma once

#include <cstdint>
#include <optional>

namespace zhongtai::product {

// Average daily sales are taken over this many days (the ledger's window; the data hub's days within it).
inline constexpr int kSalesWindowDays = 30;

// What the data hub reported for a SKU within the window: units sold, over the days its product has metrics for (a
// day's SKU figures leave out SKUs without activity, so the product's days are the days covered).
struct DatahubSales {
  int64_t units = 0;
  int days = 0;
};

enum class SalesSource { kDatahub, kLedger };
const char* SalesSourceName(SalesSource source);  // "datahub", "ledger"

// units / days, kept as a fraction so that ceil(days of cover × rate) stays exact in integers.
struct SalesRate {
  int64_t units = 0;
  int64_t days = kSalesWindowDays;  // always > 0
  SalesSource source = SalesSource::kLedger;
  double PerDay() const { return static_cast<double>(units) / static_cast<double>(days); }
  bool operator==(const SalesRate& o) const { return units == o.units && days == o.days && source == o.source; }
};

// The SKU's average daily sales: the data hub's units over its days when it covers at least one day of the window,
// otherwise the ledger's units over kSalesWindowDays.
SalesRate SkuDailySales(int64_t sku_ledger_units, const std::optional<DatahubSales>& datahub);

// One warehouse's part of it: the SKU's rate times the warehouse's share of the SKU's ledger sales in the window (the
// data hub does not know warehouses). When the ledger shows no sales of the SKU at all, the warehouse gets the whole
// rate: assuming it sells there errs towards an alert rather than a stock-out. Without data hub figures this is just
// the warehouse's ledger units over kSalesWindowDays.
SalesRate WarehouseDailySales(int64_t warehouse_ledger_units, int64_t sku_ledger_units,
                              const std::optional<DatahubSales>& datahub);

}  // namespace zhongtai::product
