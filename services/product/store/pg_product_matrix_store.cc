#include "services/product/store/pg_product_matrix_store.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg_store::FromMicros;
using pg_store::Micros;

// $1 product id, $2 role name, $3 now (Unix micros). Inserts nothing for a product that does not exist.
constexpr char kSetRoleSql[] = R"sql(
INSERT INTO product_roles (product_id, role, updated_at)
SELECT product_id, $2, zt_ts($3::bigint) FROM products WHERE product_id = $1
ON CONFLICT (product_id) DO UPDATE SET role = excluded.role, updated_at = excluded.updated_at
RETURNING 1
)sql";
// $1 product id: its role ('' when none), or no row for a product that does not exist.
constexpr char kRoleSql[] = R"sql(
SELECT COALESCE(r.role, '') FROM products p LEFT JOIN product_roles r ON r.product_id = p.product_id
WHERE p.product_id = $1
)sql";

// The matrix figures, all over published products; times are Unix micros, and every window ends now.
//
// Each product: title, role ('' for none), listed = its first publication.
constexpr char kPublishedProductsSql[] = R"sql(
SELECT p.product_id, p.title, COALESCE(r.role, ''),
       zt_micros(COALESCE((SELECT min(t.created_at) FROM product_transitions t
                           WHERE t.product_id = p.product_id AND t.to_status = 'published'), p.created_at))
FROM products p LEFT JOIN product_roles r ON r.product_id = p.product_id
WHERE p.status = 'published'
ORDER BY p.product_id
)sql";
// The data hub's days in the window ($1 start, $4 end), summed per product, with the units of the recent ($2 start)
// and previous ($3 start) trend windows; a product listed here takes every figure from the data hub.
constexpr char kDatahubTotalsSql[] = R"sql(
SELECT d.product_id, sum(d.unique_visitors)::bigint, sum(d.add_to_cart_visitors)::bigint, sum(d.buyers)::bigint,
       sum(d.units_sold)::bigint, sum(d.units_returned)::bigint, sum(d.gmv_minor)::bigint, min(d.gmv_currency),
       COALESCE(sum(d.units_sold) FILTER (WHERE d.day_start >= zt_ts($2::bigint)), 0)::bigint,
       COALESCE(sum(d.units_sold) FILTER (WHERE d.day_start >= zt_ts($3::bigint)
                                          AND d.day_start < zt_ts($2::bigint)), 0)::bigint
FROM datahub_product_daily d JOIN products p ON p.product_id = d.product_id AND p.status = 'published'
WHERE d.day_start >= zt_ts($1::bigint) AND d.day_start < zt_ts($4::bigint)
GROUP BY d.product_id
)sql";
// Every SKU of a published product: price, cost, retired, units sold in the window ($1 start, $2 end) by the ledger
// (what confirmations and outbound goods took off on hand) and by the data hub.
constexpr char kSkuFiguresSql[] = R"sql(
SELECT s.product_id, s.sku_id, s.price_currency, s.price_minor, c.cost_currency, c.cost_minor, s.retired,
       COALESCE((SELECT -sum(l.on_hand_delta) FROM stock_ledger l
                 WHERE l.sku_id = s.sku_id AND l.kind IN ('confirm', 'outbound')
                   AND l.created_at >= zt_ts($1::bigint) AND l.created_at < zt_ts($2::bigint)), 0)::bigint,
       COALESCE((SELECT sum(d.units_sold) FROM datahub_sku_daily d
                 WHERE d.sku_id = s.sku_id AND d.day_start >= zt_ts($1::bigint)
                   AND d.day_start < zt_ts($2::bigint)), 0)::bigint
FROM skus s JOIN products p ON p.product_id = s.product_id AND p.status = 'published'
LEFT JOIN sku_costs c ON c.sku_id = s.sku_id
ORDER BY s.product_id, s.position
)sql";
// The ledger's units per product in the recent ($1 start) and the previous ($2 start) trend window, up to $3.
constexpr char kLedgerTrendSql[] = R"sql(
SELECT s.product_id,
       COALESCE(-sum(l.on_hand_delta) FILTER (WHERE l.created_at >= zt_ts($1::bigint)), 0)::bigint,
       COALESCE(-sum(l.on_hand_delta) FILTER (WHERE l.created_at < zt_ts($1::bigint)), 0)::bigint
FROM stock_ledger l
JOIN skus s ON s.sku_id = l.sku_id
JOIN products p ON p.product_id = s.product_id AND p.status = 'published'
WHERE l.kind IN ('confirm', 'outbound') AND l.created_at >= zt_ts($2::bigint) AND l.created_at < zt_ts($3::bigint)
GROUP BY s.product_id
)sql";

// A day's metrics: the product row unless a later computation of the day is stored. $1 product id, $2 day start,
// $3 visitors, $4 add-to-cart visitors, $5 buyers, $6 units sold, $7 GMV currency, $8 GMV (minor units),
// $9 units returned, $10 computed at, $11 event id (times as Unix micros). Returns a row when it wrote.
constexpr char kPutProductDaySql[] = R"sql(
INSERT INTO datahub_product_daily (product_id, day_start, unique_visitors, add_to_cart_visitors, buyers, units_sold,
                                   gmv_currency, gmv_minor, units_returned, computed_at, event_id)
VALUES ($1, zt_ts($2::bigint), $3, $4, $5, $6, $7, $8, $9, zt_ts($10::bigint), $11)
ON CONFLICT (product_id, day_start) DO UPDATE SET
  unique_visitors = excluded.unique_visitors, add_to_cart_visitors = excluded.add_to_cart_visitors,
  buyers = excluded.buyers, units_sold = excluded.units_sold, gmv_currency = excluded.gmv_currency,
  gmv_minor = excluded.gmv_minor, units_returned = excluded.units_returned, computed_at = excluded.computed_at,
  event_id = excluded.event_id
WHERE datahub_product_daily.computed_at <= excluded.computed_at
RETURNING 1
)sql";
// The SKU rows of the computation replace the day's previous ones: $1 product id, $2 day start (Unix micros).
constexpr char kDeleteSkuDaySql[] =
    "DELETE FROM datahub_sku_daily WHERE product_id = $1 AND day_start = zt_ts($2::bigint)";
// $1 SKU id, $2 day start, $3 product id, $4 units sold, $5 GMV currency, $6 GMV, $7 units returned,
// $8 add-to-cart visitors.
constexpr char kInsertSkuDaySql[] = R"sql(
INSERT INTO datahub_sku_daily (sku_id, day_start, product_id, units_sold, gmv_currency, gmv_minor, units_returned,
                               add_to_cart_visitors)
VALUES ($1, zt_ts($2::bigint), $3, $4, $5, $6, $7, $8)
ON CONFLICT (sku_id, day_start) DO UPDATE SET product_id = excluded.product_id, units_sold = excluded.units_sold,
  gmv_currency = excluded.gmv_currency, gmv_minor = excluded.gmv_minor, units_returned = excluded.units_returned,
  add_to_cart_visitors = excluded.add_to_cart_visitors
)sql";

struct HubTotals {
  int64_t visitors = 0, carts = 0, buyers = 0, units = 0, returned = 0, gmv = 0;
  std::string currency;
  int64_t recent = 0, previous = 0;
};

}  // namespace

namespace pg_store {

bool SaveDailyMetrics(pqxx::work& tx, const DailyProductMetrics& m) {
  const int64_t day = Micros(m.day_start);
  if (tx.exec_params(kPutProductDaySql, m.product_id, day, m.unique_visitors, m.add_to_cart_visitors, m.buyers,
                     m.units_sold, m.gmv.currency, m.gmv.amount_minor, m.units_returned, Micros(m.computed_at),
                     m.event_id)
          .empty()) {
    return false;
  }
  tx.exec_params(kDeleteSkuDaySql, m.product_id, day);
  for (const DailySkuMetrics& sku : m.skus) {
    tx.exec_params(kInsertSkuDaySql, sku.sku_id, day, m.product_id, sku.units_sold,
                   sku.gmv.currency.empty() ? m.gmv.currency : sku.gmv.currency, sku.gmv.amount_minor,
                   sku.units_returned, sku.add_to_cart_visitors);
  }
  return true;
}

}  // namespace pg_store

absl::Status PgProductMatrixStore::SetRole(const std::string& product_id, ProductRole role, absl::Time now) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (tx.exec_params(kSetRoleSql, product_id, std::string(ProductRoleName(role)), Micros(now)).empty()) {
      return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<ProductRole> PgProductMatrixStore::GetRole(const std::string& product_id) {
  ProductRole role = ProductRole::kUnspecified;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(kRoleSql, product_id);
    if (rows.empty()) return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
    role = ProductRole::kUnspecified;
    ParseProductRole(rows[0][0].as<std::string>(), &role);
    return absl::OkStatus();
  }));
  return role;
}

absl::StatusOr<std::vector<ProductFigures>> PgProductMatrixStore::PublishedProductFigures(absl::Time now) {
  const absl::Duration day = absl::Hours(24);
  const int64_t window_start = Micros(now - day * kMatrixWindowDays);
  const int64_t recent_start = Micros(now - day * kTrendWindowDays);
  const int64_t previous_start = Micros(now - day * (2 * kTrendWindowDays));
  const int64_t end = Micros(now);
  std::vector<ProductFigures> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    std::map<std::string, size_t> index;
    for (const auto& row : tx.exec(kPublishedProductsSql)) {
      ProductFigures p;
      p.product_id = row[0].as<std::string>();
      p.title = row[1].as<std::string>();
      ParseProductRole(row[2].as<std::string>(), &p.role);
      p.listed_at = FromMicros(row[3]);
      index[p.product_id] = out.size();
      out.push_back(std::move(p));
    }
    std::map<std::string, HubTotals> hub;
    for (const auto& row : tx.exec_params(kDatahubTotalsSql, window_start, recent_start, previous_start, end)) {
      HubTotals& t = hub[row[0].as<std::string>()];
      t.visitors = row[1].as<int64_t>();
      t.carts = row[2].as<int64_t>();
      t.buyers = row[3].as<int64_t>();
      t.units = row[4].as<int64_t>();
      t.returned = row[5].as<int64_t>();
      t.gmv = row[6].as<int64_t>();
      t.currency = row[7].as<std::string>();
      t.recent = row[8].as<int64_t>();
      t.previous = row[9].as<int64_t>();
    }
    for (const auto& row : tx.exec_params(kSkuFiguresSql, window_start, end)) {
      auto it = index.find(row[0].as<std::string>());
      if (it == index.end()) continue;  // published since the first statement
      ProductFigures& p = out[it->second];
      const bool from_hub = hub.count(p.product_id) > 0;
      SkuFigures sku;
      sku.sku_id = row[1].as<std::string>();
      sku.price = {row[2].as<std::string>(), row[3].as<int64_t>()};
      if (!row[4].is_null()) sku.cost_price = Money{row[4].as<std::string>(), row[5].as<int64_t>()};
      sku.retired = row[6].as<bool>();
      sku.units_sold = from_hub ? row[8].as<int64_t>() : row[7].as<int64_t>();
      if (!from_hub) {
        // The ledger knows units only: GMV at list price.
        p.units_sold += sku.units_sold;
        if (p.gmv.currency.empty()) p.gmv.currency = sku.price.currency;
        if (p.gmv.currency == sku.price.currency) p.gmv.amount_minor += sku.units_sold * sku.price.amount_minor;
      }
      p.skus.push_back(std::move(sku));
    }
    for (const auto& [product_id, t] : hub) {
      auto it = index.find(product_id);
      if (it == index.end()) continue;
      ProductFigures& p = out[it->second];
      p.from_datahub = true;
      p.unique_visitors = t.visitors;
      p.add_to_cart_visitors = t.carts;
      p.buyers = t.buyers;
      p.units_sold = t.units;
      p.units_returned = t.returned;
      p.gmv = {t.currency, t.gmv};
      p.recent_units = t.recent;
      p.previous_units = t.previous;
    }
    for (const auto& row : tx.exec_params(kLedgerTrendSql, recent_start, previous_start, end)) {
      auto it = index.find(row[0].as<std::string>());
      if (it == index.end() || out[it->second].from_datahub) continue;
      out[it->second].recent_units = row[1].as<int64_t>();
      out[it->second].previous_units = row[2].as<int64_t>();
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<bool> PgProductMatrixStore::SaveDailyMetrics(const DailyProductMetrics& metrics) {
  bool saved = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    saved = pg_store::SaveDailyMetrics(tx, metrics);
    return absl::OkStatus();
  }));
  return saved;
}

}  // namespace zhongtai::product
