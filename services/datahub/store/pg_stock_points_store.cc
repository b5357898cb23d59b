#include "services/datahub/store/pg_stock_points_store.h"

#include "common/pg/prepared.h"
#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

#define ZT_TS(n) "('epoch'::timestamptz + $" #n "::bigint * interval '1 microsecond')"

// $1 SKU, $2 warehouse, $3 product, $4 on hand, $5 available, $6 ledger entry (0: a setting's level), $7/$8 safety
// stock / days of cover (NULL: none), $9 whether a setting is given, $10 its time (micros), $11 the event's time.
// The level moves when the entry is later than the kept one (a setting's level fills only a row without a movement);
// the setting when it is later than the kept one.
constexpr char kApplyStockLevelSql[] =
    "INSERT INTO stock_levels AS s (sku_id, warehouse_id, product_id, on_hand, available, ledger_entry_id,"
    " safety_stock, safety_days_of_cover, safety_updated_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::boolean THEN " ZT_TS(10) " END, " ZT_TS(11) ")"
    " ON CONFLICT (sku_id, warehouse_id) DO UPDATE SET"
    " product_id = excluded.product_id,"
    " on_hand = CASE WHEN excluded.ledger_entry_id > s.ledger_entry_id"
    "   OR (s.ledger_entry_id = 0 AND excluded.ledger_entry_id = 0) THEN excluded.on_hand ELSE s.on_hand END,"
    " available = CASE WHEN excluded.ledger_entry_id > s.ledger_entry_id"
    "   OR (s.ledger_entry_id = 0 AND excluded.ledger_entry_id = 0) THEN excluded.available ELSE s.available END,"
    " ledger_entry_id = GREATEST(s.ledger_entry_id, excluded.ledger_entry_id),"
    " safety_stock = CASE WHEN excluded.safety_updated_at > COALESCE(s.safety_updated_at, '-infinity')"
    "   THEN excluded.safety_stock ELSE s.safety_stock END,"
    " safety_days_of_cover = CASE WHEN excluded.safety_updated_at > COALESCE(s.safety_updated_at, '-infinity')"
    "   THEN excluded.safety_days_of_cover ELSE s.safety_days_of_cover END,"
    " safety_updated_at = GREATEST(s.safety_updated_at, excluded.safety_updated_at),"
    " updated_at = GREATEST(s.updated_at, excluded.updated_at)";

// The first product seen for a SKU stays (sku_products, migration 0006).
constexpr char kLearnSkuProductSql[] =
    "INSERT INTO sku_products (sku_id, product_id) SELECT $1::text, $2::text WHERE $2::text <> ''"
    " ON CONFLICT (sku_id) DO NOTHING";

// $1 SKU, $2 effective (micros), $3 product, $4 currency, $5 cost.
constexpr char kRecordCostSql[] =
    "INSERT INTO sku_cost_history (sku_id, effective_at, product_id, currency, cost_minor)"
    " VALUES ($1, " ZT_TS(2) ", $3, $4, $5)"
    " ON CONFLICT (sku_id, effective_at) DO UPDATE SET currency = excluded.currency, cost_minor = excluded.cost_minor";

constexpr char kRecordPointsSql[] =
    "INSERT INTO points_facts (event_id, kind, delta, occurred_at) VALUES ($1, $2, $3, " ZT_TS(4) ")"
    " ON CONFLICT (event_id) DO NOTHING";

#undef ZT_TS

}  // namespace

void PgStockPointsStore::ApplyStockLevel(pqxx::work& tx, const StockLevelFact& fact) {
  const bool has_setting = fact.safety_updated_at.has_value();
  pg::Exec(tx, kApplyStockLevelSql, fact.sku_id, fact.warehouse_id, fact.product_id, fact.on_hand, fact.available,
           fact.ledger_entry_id, fact.safety_stock, fact.safety_days_of_cover, has_setting,
           has_setting ? pg::Micros(*fact.safety_updated_at) : int64_t{0}, pg::Micros(fact.occurred_at));
  pg::Exec(tx, kLearnSkuProductSql, fact.sku_id, fact.product_id);
}

void PgStockPointsStore::RecordCost(pqxx::work& tx, const SkuCostFact& fact) {
  pg::Exec(tx, kRecordCostSql, fact.sku_id, pg::Micros(fact.effective_at), fact.product_id, fact.currency,
           fact.cost_minor);
  pg::Exec(tx, kLearnSkuProductSql, fact.sku_id, fact.product_id);
}

void PgStockPointsStore::RecordPoints(pqxx::work& tx, const PointsFact& fact) {
  pg::Exec(tx, kRecordPointsSql, fact.event_id, fact.kind, fact.delta, pg::Micros(fact.occurred_at));
}

}  // namespace zhongtai::datahub
