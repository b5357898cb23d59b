// PgProductStore, the catalogue half: categories, products, SKUs and their availability. The stock
// half (adjustments, reservations, the expiry sweep) is in pg_inventory_store.cc.
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"
#include "services/product/store/pg_catalogue_rows.h"
#include "services/product/store/pg_product_store.h"
#include "services/product/store/pg_stock_events.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg::TextArray;
using pg::TextArrayLiteral;
using pg_store::CheckBrandExists;
using pg_store::FromMicros;
using pg_store::InsertSalesAttributes;
using pg_store::IsUniqueViolation;
using pg_store::kIdArray;
using pg_store::LoadSalesAttributes;
using pg_store::Micros;

std::string LikePattern(const std::string& word) {
  std::string out = "%";
  for (char c : word) {
    if (c == '%' || c == '_' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('%');
  return out;
}

constexpr char kCategoryColumns[] = "category_id, name, COALESCE(parent_id, ''), zt_micros(created_at)";

Category ReadCategory(const pqxx::row& row) {
  Category c;
  c.category_id = row[0].as<std::string>();
  c.name = row[1].as<std::string>();
  c.parent_id = row[2].as<std::string>();
  c.created_at = FromMicros(row[3]);
  return c;
}

// Categories. The idempotent create looks up its request id first; names are unique (case-insensitive)
// among the children of one parent. $1 request id.
const std::string kCategoryByRequestSql =
    absl::StrCat("SELECT ", kCategoryColumns, " FROM categories WHERE request_id = $1");
// $1 category id.
constexpr char kCategoryExistsSql[] = "SELECT 1 FROM categories WHERE category_id = $1";
// $1 parent id ('' for a root category), $2 name.
constexpr char kSiblingNamedSql[] =
    "SELECT 1 FROM categories WHERE COALESCE(parent_id, '') = $1 AND lower(name) = lower($2)";
// $1 id, $2 name, $3 parent id ('' for none), $4 request id ('' for none), $5 created (Unix micros).
constexpr char kInsertCategorySql[] =
    "INSERT INTO categories (category_id, name, parent_id, request_id, created_at) "
    "VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, ''), zt_ts($5))";
// One page of categories by id: $1 the last id of the previous page ('' for the first), $2 the page size.
const std::string kCategoriesAfterSql = absl::StrCat("SELECT ", kCategoryColumns,
                                                     " FROM categories WHERE category_id > $1 "
                                                     "ORDER BY category_id LIMIT $2");

// Products with their SKUs, attributes and initial stock, created in one transaction. $1 request id.
constexpr char kProductByRequestSql[] = "SELECT product_id FROM products WHERE request_id = $1";
// $1 SKU code.
constexpr char kSkuCodeTakenSql[] = "SELECT 1 FROM skus WHERE sku_code = $1";
// $1 id, $2 title, $3 description, $4 category id, $5 request id ('' for none), $6 created (Unix micros),
// $7 subtitle, $8 brand id ('' for none), $9 images (text[]), $10 status; version 1.
constexpr char kInsertProductSql[] =
    "INSERT INTO products (product_id, title, description, category_id, request_id, created_at, subtitle, brand_id, "
    "images, status, version, updated_at) "
    "VALUES ($1, $2, $3, $4, NULLIF($5, ''), zt_ts($6), $7, NULLIF($8, ''), $9::text[], $10, 1, zt_ts($6))";
// $1 SKU id, $2 product id, $3 code, $4 spec, $5 currency, $6 price (minor units), $7 position in the product,
// $8 weight (grams), $9 fragile.
constexpr char kInsertSkuSql[] =
    "INSERT INTO skus (sku_id, product_id, sku_code, spec, price_currency, price_minor, position, weight_grams, "
    "fragile) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
// $1 SKU id, $2 attribute name, $3 value.
constexpr char kInsertSkuAttributeSql[] = "INSERT INTO sku_attributes (sku_id, name, value) VALUES ($1, $2, $3)";
// $1 warehouse id.
constexpr char kWarehouseExistsSql[] = "SELECT 1 FROM warehouses WHERE warehouse_id = $1";
// A new product's stock in one warehouse: $1 SKU id, $2 warehouse id, $3 on hand, $4 now (Unix micros).
constexpr char kInsertInitialStockSql[] =
    "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, $3, 0, zt_ts($4))";
// Its ledger row (only for a positive quantity): $1 SKU id, $2 warehouse id, $3 quantity, $4 request id, $5 now.
constexpr char kInsertInitialLedgerSql[] =
    "INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, "
    "reserved_after, request_id, reason, created_at) "
    "VALUES ($1, $2, 'initial', $3, 0, $3, 0, NULLIF($4, ''), 'initial stock', zt_ts($5)) RETURNING entry_id";

// One page of product ids, newest first: $1 the last id of the previous page ('' for the first), $2 a
// category id ('' for all; its subcategories count too), $3 text[] ILIKE patterns every title must
// match, $4 the page size, $5 true for published products only (what shoppers list).
constexpr char kListProductIdsSql[] =
    "WITH RECURSIVE cats AS ("
    "  SELECT category_id FROM categories WHERE category_id = $2"
    "  UNION SELECT c.category_id FROM categories c JOIN cats ON c.parent_id = cats.category_id) "
    "SELECT product_id FROM products "
    "WHERE ($1 = '' OR product_id < $1) "
    "  AND ($2 = '' OR category_id IN (SELECT category_id FROM cats)) "
    "  AND title ILIKE ALL ($3::text[]) "
    "  AND (NOT $5 OR status = 'published') "
    "ORDER BY product_id DESC LIMIT $4";

// SKUs with availability, product title and attributes, in one statement: by SKU ids, or (by_product) by product
// ids, $1 a text[] either way. The availability column is one of the two below.
constexpr char kSkuIdColumns[] = "SELECT s.sku_id, s.product_id, s.sku_code, s.spec, s.price_currency, s.price_minor, ";
// Over all warehouses (product detail: what the shop holds).
constexpr char kAvailableEverywhere[] =
    "COALESCE((SELECT SUM(on_hand - reserved) FROM stock st WHERE st.sku_id = s.sku_id), 0), ";
// In the warehouses a reservation for the region ($2 province, $3 city; '' any) could draw from: zt_warehouse_serves,
// the rule Reserve sources by (domain Serves()); without a region every active warehouse.
constexpr char kAvailableInRegion[] =
    "COALESCE((SELECT SUM(st.on_hand - st.reserved) FROM stock st JOIN warehouses w ON w.warehouse_id = st.warehouse_id"
    " WHERE st.sku_id = s.sku_id AND zt_warehouse_serves(w.active, w.regions, $2::text, $3::text)), 0), ";
constexpr char kSkuDetailColumns[] =
    "p.title, "
    "ARRAY(SELECT a.name FROM sku_attributes a WHERE a.sku_id = s.sku_id ORDER BY a.name), "
    "ARRAY(SELECT a.value FROM sku_attributes a WHERE a.sku_id = s.sku_id ORDER BY a.name), s.retired, p.status, "
    "s.weight_grams, s.fragile ";
constexpr char kSkuFrom[] = "FROM skus s JOIN products p ON p.product_id = s.product_id ";
// By SKU ids only (BatchGetSkus, for promotions scoped by brand or category): the product's brand ('' for none) and
// its category path, ids from the root to the product's category, walked up parent_id by primary key (a few rows per
// SKU; the depth bound only guards against a cycle, which the category edits never make).
constexpr char kSkuBrandAndCategoryPathColumns[] =
    ", COALESCE(p.brand_id, ''), "
    "ARRAY(WITH RECURSIVE up (category_id, parent_id, depth) AS ("
    "  SELECT c.category_id, c.parent_id, 0 FROM categories c WHERE c.category_id = p.category_id"
    "  UNION ALL SELECT c.category_id, c.parent_id, up.depth + 1 FROM categories c"
    "  JOIN up ON c.category_id = up.parent_id WHERE up.depth < 64) "
    "SELECT category_id FROM up ORDER BY depth DESC) ";
// BatchGetSkus: what an order could reserve.
const std::string kSkusBySkuSql =
    absl::StrCat(kSkuIdColumns, kAvailableInRegion, kSkuDetailColumns, kSkuBrandAndCategoryPathColumns, kSkuFrom,
                 "WHERE s.sku_id = ANY(", kIdArray, ") ORDER BY s.product_id, s.position");
const std::string kSkusByProductSql =
    absl::StrCat(kSkuIdColumns, kAvailableEverywhere, kSkuDetailColumns, kSkuFrom, "WHERE s.product_id = ANY(",
                 kIdArray, ") ORDER BY s.product_id, s.position");

// `ids` a text[] literal of product ids (by_product) or SKU ids; by SKU, availability is for the region.
std::vector<Sku> LoadSkus(pqxx::transaction_base& tx, bool by_product, const std::string& ids,
                          const ShippingRegion& region = {}) {
  pqxx::result rows = by_product ? pg::Exec(tx, kSkusByProductSql, ids)
                                 : pg::Exec(tx, kSkusBySkuSql, ids, region.province_code, region.city_code);
  std::vector<Sku> skus;
  for (const auto& row : rows) {
    Sku sku;
    sku.sku_id = row[0].as<std::string>();
    sku.product_id = row[1].as<std::string>();
    sku.sku_code = row[2].as<std::string>();
    sku.spec = row[3].as<std::string>();
    sku.price.currency = row[4].as<std::string>();
    sku.price.amount_minor = row[5].as<int64_t>();
    sku.available = row[6].as<int64_t>();
    sku.product_title = row[7].as<std::string>();
    std::vector<std::string> names = TextArray(row[8]), values = TextArray(row[9]);
    for (size_t i = 0; i < names.size() && i < values.size(); ++i) sku.attributes[names[i]] = values[i];
    sku.retired = row[10].as<bool>();
    ParseProductStatus(row[11].as<std::string>(), &sku.product_status);
    sku.weight_grams = row[12].as<int64_t>();
    sku.fragile = row[13].as<bool>();
    if (!by_product) {
      sku.brand_id = row[14].as<std::string>();
      sku.category_path = TextArray(row[15]);
    }
    skus.push_back(std::move(sku));
  }
  return skus;
}

const std::string kProductsSql = absl::StrCat(
    "SELECT product_id, title, description, category_id, zt_micros(created_at), subtitle, COALESCE(brand_id, ''), "
    "images, status, version, zt_micros(updated_at) FROM products "
    "WHERE product_id = ANY(",
    kIdArray, ")");

// Products by id, in the order of `ids`; missing ones are left out.
std::vector<Product> LoadProducts(pqxx::work& tx, const std::vector<std::string>& ids) {
  std::string literal = TextArrayLiteral(ids);
  pqxx::result rows = pg::Exec(tx, kProductsSql, literal);
  std::map<std::string, Product> by_id;
  for (const auto& row : rows) {
    Product p;
    p.product_id = row[0].as<std::string>();
    p.title = row[1].as<std::string>();
    p.description = row[2].as<std::string>();
    p.category_id = row[3].as<std::string>();
    p.created_at = FromMicros(row[4]);
    p.subtitle = row[5].as<std::string>();
    p.brand_id = row[6].as<std::string>();
    p.images = TextArray(row[7]);
    ParseProductStatus(row[8].as<std::string>(), &p.status);
    p.version = row[9].as<int64_t>();
    p.updated_at = FromMicros(row[10]);
    by_id[p.product_id] = std::move(p);
  }
  LoadSalesAttributes(tx, literal, by_id);
  for (auto& sku : LoadSkus(tx, true, literal)) {
    by_id[sku.product_id].skus.push_back(std::move(sku));
  }
  std::vector<Product> out;
  for (const auto& id : ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) out.push_back(std::move(it->second));
  }
  return out;
}

}  // namespace

namespace pg_store {
std::vector<Product> LoadProductRows(pqxx::work& tx, const std::vector<std::string>& ids) {
  return LoadProducts(tx, ids);
}
}  // namespace pg_store

absl::StatusOr<Category> PgProductStore::CreateCategory(const Category& category, const std::string& request_id) {
  auto find_by_request = [&](pqxx::work& tx) -> std::optional<Category> {
    if (request_id.empty()) return std::nullopt;
    pqxx::result rows = tx.exec_params(kCategoryByRequestSql, request_id);
    if (rows.empty()) return std::nullopt;
    return ReadCategory(rows[0]);
  };
  Category result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (auto existing = find_by_request(tx)) {
      result = *existing;
      return absl::OkStatus();
    }
    if (!category.parent_id.empty() && tx.exec_params(kCategoryExistsSql, category.parent_id).empty()) {
      return NotFound("CATEGORY_NOT_FOUND", "parent category does not exist");
    }
    if (!tx.exec_params(kSiblingNamedSql, category.parent_id, category.name).empty()) {
      return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
    }
    tx.exec_params(kInsertCategorySql, category.category_id, category.name, category.parent_id, request_id,
                   Micros(category.created_at));
    result = category;
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    // A concurrent call with the same request id or name won the race.
    std::optional<Category> existing;
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
      existing = find_by_request(tx);
      return absl::OkStatus();
    }));
    if (existing) return *existing;
    return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<std::vector<Category>> PgProductStore::ListCategories(const std::string& after_id, int limit) {
  std::vector<Category> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(kCategoriesAfterSql, after_id, limit)) {
      out.push_back(ReadCategory(row));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Product> PgProductStore::CreateProduct(const Product& product, const std::vector<InitialStock>& stock,
                                                      const std::string& request_id, absl::Time now) {
  auto find_by_request = [&](pqxx::work& tx) -> std::optional<Product> {
    if (request_id.empty()) return std::nullopt;
    pqxx::result rows = tx.exec_params(kProductByRequestSql, request_id);
    if (rows.empty()) return std::nullopt;
    std::vector<Product> found = LoadProducts(tx, {rows[0][0].as<std::string>()});
    pg_store::LoadAdminSkuFields(tx, found);
    if (found.empty()) return std::nullopt;
    return found[0];
  };
  Product result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (auto existing = find_by_request(tx)) {
      result = *existing;
      return absl::OkStatus();
    }
    if (tx.exec_params(kCategoryExistsSql, product.category_id).empty()) {
      return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
    }
    RETURN_IF_ERROR(CheckBrandExists(tx, product.brand_id));
    for (const auto& sku : product.skus) {
      if (!tx.exec_params(kSkuCodeTakenSql, sku.sku_code).empty()) {
        return AlreadyExists("SKU_CODE_EXISTS", absl::StrCat("sku code ", sku.sku_code, " is taken"));
      }
    }
    tx.exec_params(kInsertProductSql, product.product_id, product.title, product.description, product.category_id,
                   request_id, Micros(product.created_at), product.subtitle, product.brand_id,
                   TextArrayLiteral(product.images), ProductStatusName(product.status));
    InsertSalesAttributes(tx, product);
    int position = 0;
    for (const auto& sku : product.skus) {
      tx.exec_params(kInsertSkuSql, sku.sku_id, product.product_id, sku.sku_code, sku.spec, sku.price.currency,
                     sku.price.amount_minor, position++, sku.weight_grams, sku.fragile);
      for (const auto& [name, value] : sku.attributes) {
        tx.exec_params(kInsertSkuAttributeSql, sku.sku_id, name, value);
      }
    }
    std::vector<int64_t> entries;
    for (const auto& s : stock) {
      // Warehouses and stock: initial stock goes into a warehouse that exists.
      if (tx.exec_params(kWarehouseExistsSql, s.warehouse_id).empty()) {
        return NotFound("WAREHOUSE_NOT_FOUND", absl::StrCat("warehouse ", s.warehouse_id, " does not exist"));
      }
      tx.exec_params(kInsertInitialStockSql, s.sku_id, s.warehouse_id, s.quantity, Micros(now));
      if (s.quantity > 0) {
        entries.push_back(
            tx.exec_params(kInsertInitialLedgerSql, s.sku_id, s.warehouse_id, s.quantity, request_id, Micros(now))[0][0]
                .as<int64_t>());
      }
    }
    // The initial stock is the first movement of each row: StockChanged (pg_stock_events.h).
    RETURN_IF_ERROR(pg_store::PublishStockMovements(tx, entries));
    // Cost prices: the response goes to the admin who created the product, so it carries them (and ABC classes).
    RETURN_IF_ERROR(pg_store::SaveSkuCosts(tx, product, now));
    std::vector<Product> created = LoadProducts(tx, {product.product_id});
    pg_store::LoadAdminSkuFields(tx, created);
    result = std::move(created.at(0));
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    std::optional<Product> existing;
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
      existing = find_by_request(tx);
      return absl::OkStatus();
    }));
    if (existing) return *existing;
    return AlreadyExists("SKU_CODE_EXISTS", "a sku code is taken");
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<Product> PgProductStore::GetProduct(const std::string& product_id) {
  std::vector<Product> found;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    found = LoadProducts(tx, {product_id});
    return absl::OkStatus();
  }));
  if (found.empty()) return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
  return std::move(found[0]);
}

absl::StatusOr<std::vector<Product>> PgProductStore::ListProducts(const ProductQuery& query) {
  std::vector<std::string> patterns;
  for (const auto& word : query.title_words) patterns.push_back(LikePattern(word));
  std::vector<Product> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    std::vector<std::string> ids;
    for (const auto& row : tx.exec_params(kListProductIdsSql, query.after_product_id, query.category_id,
                                          TextArrayLiteral(patterns), query.page_size, query.published_only)) {
      ids.push_back(row[0].as<std::string>());
    }
    out = LoadProducts(tx, ids);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<Sku>> PgProductStore::GetSkus(const std::vector<std::string>& sku_ids,
                                                         const ShippingRegion& region) {
  std::vector<Sku> out;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    out = LoadSkus(tx, false, TextArrayLiteral(sku_ids), region);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::product
