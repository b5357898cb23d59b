// PgStockStore, ABC classification: revenue per SKU from the data hub's daily metrics (else the ledger's
// confirmations), and the stored classes.
#include <utility>

#include "common/pg/arrays.h"
#include "common/status/status.h"
#include "services/product/store/pg_stock_store.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg::TextArrayLiteral;
using pg_store::Micros;

// Every SKU's revenue since $1 (Unix micros): the GMV the data hub's ProductMetricsComputed events reported for it
// (what buyers paid, after promotions) when the hub reported any day of its product since then; else what its
// confirmed orders took off on hand, times its list price.
constexpr char kSkuRevenuesSql[] = R"sql(
SELECT s.sku_id,
       CASE WHEN EXISTS (SELECT FROM datahub_product_daily d
                         WHERE d.product_id = s.product_id AND d.day_start >= zt_ts($1::bigint))
            THEN COALESCE((SELECT sum(d.gmv_minor) FROM datahub_sku_daily d
                           WHERE d.sku_id = s.sku_id AND d.day_start >= zt_ts($1::bigint)), 0)::bigint
            ELSE COALESCE(sold.units, 0) * s.price_minor END
FROM skus s
LEFT JOIN (SELECT sku_id, -sum(on_hand_delta)::bigint AS units FROM stock_ledger
           WHERE kind = 'confirm' AND created_at >= zt_ts($1::bigint) GROUP BY sku_id) sold ON sold.sku_id = s.sku_id
)sql";
// Replaces the classes: $1 text[] SKU ids, $2 text[] their classes, $3 now (Unix micros). Upserts (so that two
// replicas classifying at once do not collide) and removes SKUs no longer listed.
constexpr char kSaveAbcSql[] = R"sql(
WITH given AS (
  SELECT g.sku_id, g.abc_class FROM unnest($1::text[], $2::text[]) AS g (sku_id, abc_class)
),
upsert AS (
  INSERT INTO sku_abc (sku_id, abc_class, classified_at)
  SELECT sku_id, abc_class, zt_ts($3::bigint) FROM given ORDER BY sku_id COLLATE "C"
  ON CONFLICT (sku_id) DO UPDATE SET abc_class = excluded.abc_class, classified_at = excluded.classified_at
)
DELETE FROM sku_abc WHERE sku_id NOT IN (SELECT sku_id FROM given)
)sql";

}  // namespace

absl::StatusOr<std::vector<SkuRevenue>> PgStockStore::SkuRevenues(absl::Time since) {
  std::vector<SkuRevenue> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const auto& row : tx.exec_params(kSkuRevenuesSql, Micros(since))) {
      out.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::Status PgStockStore::SaveAbcClasses(const std::vector<SkuClass>& classes, absl::Time now) {
  std::vector<std::string> ids, labels;
  for (const SkuClass& c : classes) {
    ids.push_back(c.sku_id);
    labels.push_back(std::string(1, c.abc_class));
  }
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kSaveAbcSql, TextArrayLiteral(ids), TextArrayLiteral(labels), Micros(now));
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product
