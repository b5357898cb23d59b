// What the data hub follows of the product center's stock and costs and the user center's points (migration 0007):
// the latest level per SKU and warehouse with its safety stock (stock_levels), cost prices over time
// (sku_cost_history) and one row per points ledger entry (points_facts). Written by the domain event consumer inside
// its inbox transaction (ingest/domain_events.cc); read by the daily report and the product metrics.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "common/pg/pool.h"

namespace zhongtai::datahub {

// A StockChanged (a movement: ledger_entry_id > 0) or a SafetyStockChanged (ledger_entry_id 0: the setting, with the
// level when it was set, which only fills a row the hub has no movement for).
struct StockLevelFact {
  std::string product_id;
  std::string sku_id;
  std::string warehouse_id;
  int64_t on_hand = 0;
  int64_t available = 0;
  int64_t ledger_entry_id = 0;
  std::optional<int64_t> safety_stock;
  std::optional<int32_t> safety_days_of_cover;
  std::optional<absl::Time> safety_updated_at;  // the setting's time; nullopt without a setting
  absl::Time occurred_at;
};

struct SkuCostFact {
  std::string product_id;
  std::string sku_id;
  std::string currency;
  int64_t cost_minor = 0;
  absl::Time effective_at;
};

struct PointsFact {
  std::string event_id;
  std::string kind;  // earn, redeem, release, return, reverse, expire
  int64_t delta = 0;
  absl::Time occurred_at;
};

class PgStockPointsStore {
 public:
  // Inside the consumer's inbox transaction. A level older (by ledger entry) than the one kept, or a setting older
  // than the one kept, changes nothing; the SKU's product is learned for sku_products.
  static void ApplyStockLevel(pqxx::work& tx, const StockLevelFact& fact);
  static void RecordCost(pqxx::work& tx, const SkuCostFact& fact);
  // A second record of the same event id changes nothing.
  static void RecordPoints(pqxx::work& tx, const PointsFact& fact);
};

}  // namespace zhongtai::datahub
