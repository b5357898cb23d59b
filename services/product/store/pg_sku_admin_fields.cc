// The SKU fields only admins see: cost prices (table sku_costs, written with the product's SKUs) and the ABC class of
// the last classification (sku_abc). Loaded onto products read for an admin, never by the shoppers' queries.
#include <map>
#include <utility>

#include "common/pg/arrays.h"
#include "services/product/store/pg_catalogue_rows.h"
#include "services/product/store/pg_stock_events.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product::pg_store {
namespace {

// $1 text[] of product ids.
constexpr char kAdminSkuFieldsSql[] = R"sql(
SELECT s.sku_id, c.cost_currency, c.cost_minor, COALESCE(a.abc_class, '')
FROM skus s
LEFT JOIN sku_costs c ON c.sku_id = s.sku_id
LEFT JOIN sku_abc a ON a.sku_id = s.sku_id
WHERE s.product_id = ANY($1::text[])
)sql";
// $1 SKU id, $2 currency, $3 cost (minor units), $4 now (Unix micros).
constexpr char kPutSkuCostSql[] = R"sql(
INSERT INTO sku_costs (sku_id, cost_currency, cost_minor, updated_at) VALUES ($1, $2, $3, zt_ts($4))
ON CONFLICT (sku_id) DO UPDATE SET cost_currency = excluded.cost_currency, cost_minor = excluded.cost_minor,
  updated_at = excluded.updated_at
WHERE (sku_costs.cost_currency, sku_costs.cost_minor) IS DISTINCT FROM (excluded.cost_currency, excluded.cost_minor)
RETURNING sku_id
)sql";

}  // namespace

void LoadAdminSkuFields(pqxx::work& tx, std::vector<Product>& products) {
  std::vector<std::string> ids;
  std::map<std::string, Sku*> by_sku;
  for (Product& product : products) {
    ids.push_back(product.product_id);
    for (Sku& sku : product.skus) by_sku[sku.sku_id] = &sku;
  }
  if (ids.empty()) return;
  for (const auto& row : tx.exec_params(kAdminSkuFieldsSql, pg::TextArrayLiteral(ids))) {
    auto it = by_sku.find(row[0].as<std::string>());
    if (it == by_sku.end()) continue;
    if (!row[1].is_null()) it->second->cost_price = Money{row[1].as<std::string>(), row[2].as<int64_t>()};
    const std::string abc = row[3].as<std::string>();
    it->second->abc_class = abc.empty() ? 0 : abc[0];
  }
}

absl::Status SaveSkuCosts(pqxx::work& tx, const Product& product, absl::Time now) {
  for (const Sku& sku : product.skus) {
    if (!sku.cost_price) continue;
    // A cost that changed (or is new) is a SkuCostChanged event for the data hub's margins; an unchanged one is not.
    if (tx.exec_params(kPutSkuCostSql, sku.sku_id, sku.cost_price->currency, sku.cost_price->amount_minor, Micros(now))
            .empty()) {
      continue;
    }
    RETURN_IF_ERROR(PublishSkuCostChanged(tx, product.product_id, sku.sku_id, sku.cost_price->currency,
                                          sku.cost_price->amount_minor, now));
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::product::pg_store
