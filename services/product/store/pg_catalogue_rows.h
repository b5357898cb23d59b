// The catalogue's rows that both halves of the product store touch: sales attributes and the brand check (in
// pg_catalogue_store.cc), and whole products with their SKUs (in pg_catalog_store.cc). Internal to store/.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"
#include "services/product/domain/model.h"

namespace zhongtai::product::pg_store {

// Fills the sales attributes of the products in `by_id`; `product_ids` is a text[] literal of their ids.
void LoadSalesAttributes(pqxx::work& tx, const std::string& product_ids, std::map<std::string, Product>& by_id);
// Inserts the product's sales attributes (after deleting any it had).
void InsertSalesAttributes(pqxx::work& tx, const Product& product);
// OK for "" (no brand) or a brand that exists; NOT_FOUND BRAND_NOT_FOUND otherwise.
absl::Status CheckBrandExists(pqxx::work& tx, const std::string& brand_id);

// Products by id with their SKUs (retired ones too), in the order of `ids`; missing ones are left out.
std::vector<Product> LoadProductRows(pqxx::work& tx, const std::vector<std::string>& ids);

// Admin reads only (pg_sku_admin_fields.cc): fills the SKUs' cost prices and ABC classes.
void LoadAdminSkuFields(pqxx::work& tx, std::vector<Product>& products);
// Writes the cost price of each SKU that has one (the others keep theirs), with a SkuCostChanged event for each one
// that changed.
absl::Status SaveSkuCosts(pqxx::work& tx, const Product& product, absl::Time now);

}  // namespace zhongtai::product::pg_store
