// The product center's stock events (zhongtai.product.v1.StockChanged, SafetyStockChanged, SkuCostChanged), appended
// to the outbox (stream zt.events.product) inside the transaction that wrote the change. Internal to store/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"

namespace zhongtai::product::pg_store {

inline constexpr char kProductEventStream[] = "zt.events.product";

// One StockChanged per ledger row of `entry_ids` whose on-hand delta is not zero (one statement for all of them, none
// when `entry_ids` is empty), with the SKU's product, the level after and the warehouse's safety stock setting.
absl::Status PublishStockMovements(pqxx::work& tx, const std::vector<int64_t>& entry_ids);

// The entry ids of a bigint[] column as PostgreSQL prints it ("{1,2}", NULL for none).
std::vector<int64_t> EntryIds(const pqxx::field& field);

// SafetyStockChanged for the setting just written on (sku, warehouse), with the level of that stock row.
absl::Status PublishSafetyStockChanged(pqxx::work& tx, const std::string& sku_id, const std::string& warehouse_id,
                                       absl::Time now);

// SkuCostChanged for one SKU's new cost price.
absl::Status PublishSkuCostChanged(pqxx::work& tx, const std::string& product_id, const std::string& sku_id,
                                   const std::string& currency, int64_t cost_minor, absl::Time now);

}  // namespace zhongtai::product::pg_store
