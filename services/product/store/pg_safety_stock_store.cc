// PgStockStore, safety stock: the settings, and the stock positions the alerts are computed from (level,
// setting, units sold over the window from the ledger's confirmations and outbound movements, and the data hub's
// daily metrics of the SKU when it has any).
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/store/pg_stock_events.h"
#include "services/product/store/pg_stock_store.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg_store::Micros;

// $1 SKU id.
constexpr char kSkuExistsSql[] = "SELECT 1 FROM skus WHERE sku_id = $1";
// $1 warehouse id.
constexpr char kWarehouseExistsSql[] = "SELECT 1 FROM warehouses WHERE warehouse_id = $1";
// $1 SKU id, $2 warehouse id, $3 now (Unix micros).
constexpr char kEnsureStockRowSql[] =
    "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, 0, 0, zt_ts($3)) "
    "ON CONFLICT (sku_id, warehouse_id) DO NOTHING";
// $1 SKU id, $2 warehouse id, $3 mode, $4 quantity, $5 days of cover, $6 now (Unix micros).
constexpr char kPutSafetyStockSql[] =
    "INSERT INTO safety_stock (sku_id, warehouse_id, mode, quantity, days_of_cover, updated_at) "
    "VALUES ($1, $2, $3, $4, $5, zt_ts($6)) ON CONFLICT (sku_id, warehouse_id) DO UPDATE "
    "SET mode = excluded.mode, quantity = excluded.quantity, days_of_cover = excluded.days_of_cover, "
    "updated_at = excluded.updated_at";
// Positions: stock rows with a setting, or (when $3) with sales since $2 (Unix micros); $1 warehouse id ('' any).
// Units sold are what confirmations and outbound movements took off on hand, in the warehouse and over all of them;
// with the data hub's days of the SKU's product since $2 and the units it reported for the SKU (SkuDailySales prefers
// those).
constexpr char kStockPositionsSql[] = R"sql(
WITH sold AS (
  SELECT l.sku_id, l.warehouse_id, -sum(l.on_hand_delta)::bigint AS units
  FROM stock_ledger l
  WHERE l.kind IN ('confirm', 'outbound') AND l.created_at >= zt_ts($2::bigint)
    AND ($1::text = '' OR l.warehouse_id = $1::text)
    AND ($3::boolean OR EXISTS (SELECT FROM safety_stock s WHERE s.sku_id = l.sku_id AND s.warehouse_id = l.warehouse_id))
  GROUP BY l.sku_id, l.warehouse_id
)
SELECT st.sku_id, st.warehouse_id, st.on_hand, st.reserved, ss.mode, COALESCE(ss.quantity, 0),
       COALESCE(ss.days_of_cover, 0), COALESCE(so.units, 0), COALESCE(abc.abc_class, ''),
       COALESCE((SELECT -sum(l.on_hand_delta) FROM stock_ledger l
                 WHERE l.sku_id = st.sku_id AND l.kind IN ('confirm', 'outbound')
                   AND l.created_at >= zt_ts($2::bigint)), 0)::bigint,
       (SELECT count(*) FROM datahub_product_daily d JOIN skus k ON k.product_id = d.product_id
        WHERE k.sku_id = st.sku_id AND d.day_start >= zt_ts($2::bigint))::int,
       COALESCE((SELECT sum(d.units_sold) FROM datahub_sku_daily d
                 WHERE d.sku_id = st.sku_id AND d.day_start >= zt_ts($2::bigint)), 0)::bigint
FROM stock st
LEFT JOIN sku_abc abc ON abc.sku_id = st.sku_id
LEFT JOIN safety_stock ss ON ss.sku_id = st.sku_id AND ss.warehouse_id = st.warehouse_id
LEFT JOIN sold so ON so.sku_id = st.sku_id AND so.warehouse_id = st.warehouse_id
WHERE ($1::text = '' OR st.warehouse_id = $1::text) AND (ss.sku_id IS NOT NULL OR ($3::boolean AND so.units > 0))
)sql";

}  // namespace

absl::Status PgStockStore::PutSafetyStock(const SafetyStockSetting& setting, absl::Time now) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (tx.exec_params(kSkuExistsSql, setting.sku_id).empty()) {
      return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", setting.sku_id, " does not exist"));
    }
    if (tx.exec_params(kWarehouseExistsSql, setting.warehouse_id).empty()) {
      return NotFound("WAREHOUSE_NOT_FOUND", absl::StrCat("warehouse ", setting.warehouse_id, " does not exist"));
    }
    // A setting for a warehouse the SKU has no stock in yet alerts at once: give it its (empty) row.
    tx.exec_params(kEnsureStockRowSql, setting.sku_id, setting.warehouse_id, Micros(now));
    tx.exec_params(kPutSafetyStockSql, setting.sku_id, setting.warehouse_id,
                   std::string(SafetyStockModeName(setting.mode)), setting.quantity, setting.days_of_cover,
                   Micros(now));
    // The data hub's low-stock report follows the setting (SafetyStockChanged, pg_stock_events.h).
    return pg_store::PublishSafetyStockChanged(tx, setting.sku_id, setting.warehouse_id, now);
  });
}

absl::StatusOr<std::vector<StockPosition>> PgStockStore::StockPositions(const std::string& warehouse_id,
                                                                        bool with_sales, absl::Time sales_since) {
  std::vector<StockPosition> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const auto& row : tx.exec_params(kStockPositionsSql, warehouse_id, Micros(sales_since), with_sales)) {
      StockPosition p;
      p.level = {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>(), row[3].as<int64_t>()};
      if (!row[4].is_null()) {
        SafetyStockSetting s;
        s.sku_id = p.level.sku_id;
        s.warehouse_id = p.level.warehouse_id;
        s.mode = row[4].as<std::string>() == "fixed" ? SafetyStockMode::kFixed : SafetyStockMode::kDaysOfCover;
        s.quantity = row[5].as<int64_t>();
        s.days_of_cover = row[6].as<int>();
        p.safety = s;
      }
      p.units_sold = row[7].as<int64_t>();
      const std::string abc = row[8].as<std::string>();
      p.abc_class = abc.empty() ? 0 : abc[0];
      p.sku_units_sold = row[9].as<int64_t>();
      if (const int days = row[10].as<int>(); days > 0) p.datahub = DatahubSales{row[11].as<int64_t>(), days};
      out.push_back(std::move(p));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::product
