// PgProductStore, the catalogue part (CatalogueStore): brands, category moves, product edits and lifecycle with
// their history and outbox events, and the Advertising Law word list.
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/ids/ids.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/product/domain/category_tree.h"
#include "services/product/domain/product_editor.h"
#include "services/product/store/pg_catalogue_rows.h"
#include "services/product/store/pg_product_store.h"
#include "services/product/store/pg_store_util.h"
#include "zhongtai/product/v1/events.pb.h"

namespace zhongtai::product {
namespace {

using pg::TextArray;
using pg::TextArrayLiteral;
using pg_store::FromMicros;
using pg_store::IsUniqueViolation;
using pg_store::LoadProductRows;
using pg_store::Micros;

// Brands. Names are unique regardless of case (index brands_name).
constexpr char kBrandColumns[] = "brand_id, name, logo_url, description, zt_micros(created_at), zt_micros(updated_at)";
// $1 request id.
const std::string kBrandByRequestSql = absl::StrCat("SELECT ", kBrandColumns, " FROM brands WHERE request_id = $1");
// Another brand with the name: $1 name, $2 the brand's own id ('' for a new one).
constexpr char kBrandNamedSql[] = "SELECT 1 FROM brands WHERE lower(name) = lower($1) AND brand_id <> $2";
// $1 id, $2 name, $3 logo URL, $4 description, $5 request id ('' for none), $6 now (Unix micros).
constexpr char kInsertBrandSql[] =
    "INSERT INTO brands (brand_id, name, logo_url, description, request_id, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4, NULLIF($5, ''), zt_ts($6), zt_ts($6))";
// Only the fields flagged change: $1 id, $2/$3 name, $4/$5 logo URL, $6/$7 description (flag, value), $8 now.
const std::string kUpdateBrandSql = absl::StrCat(
    "UPDATE brands SET name = CASE WHEN $2 THEN $3 ELSE name END, "
    "logo_url = CASE WHEN $4 THEN $5 ELSE logo_url END, "
    "description = CASE WHEN $6 THEN $7 ELSE description END, updated_at = zt_ts($8) "
    "WHERE brand_id = $1 RETURNING ",
    kBrandColumns);
// $1 the last id of the previous page ('' for the first), $2 the page size.
const std::string kBrandsAfterSql =
    absl::StrCat("SELECT ", kBrandColumns, " FROM brands WHERE brand_id > $1 ORDER BY brand_id LIMIT $2");
// $1 brand id.
constexpr char kBrandExistsSql[] = "SELECT 1 FROM brands WHERE brand_id = $1";

// Category moves hold the table against concurrent moves (and inserts) until commit, so that the cycle check
// sees the tree the update lands on. Reads go on.
constexpr char kLockCategoriesSql[] = "LOCK TABLE categories IN SHARE ROW EXCLUSIVE MODE";
constexpr char kCategoryParentsSql[] = "SELECT category_id, COALESCE(parent_id, '') FROM categories";
// $1 id.
constexpr char kCategoryRowSql[] =
    "SELECT category_id, name, COALESCE(parent_id, ''), zt_micros(created_at) FROM categories WHERE category_id = $1";
// A sibling with the name: $1 parent ('' for the top level), $2 name, $3 the category's own id.
constexpr char kSiblingNamedSql[] =
    "SELECT 1 FROM categories WHERE COALESCE(parent_id, '') = $1 AND lower(name) = lower($2) AND category_id <> $3";
// $1 id, $2 name, $3 parent ('' for the top level).
constexpr char kUpdateCategorySql[] =
    "UPDATE categories SET name = $2, parent_id = NULLIF($3, '') WHERE category_id = $1";

// Products. An edit locks the row, compares versions, then writes version + 1. $1 product id.
constexpr char kLockProductSql[] = "SELECT version FROM products WHERE product_id = $1 FOR UPDATE";
// $1 id, $2 title, $3 subtitle, $4 description, $5 category, $6 brand ('' for none), $7 images (text[]),
// $8 status, $9 new version, $10 now (Unix micros).
constexpr char kUpdateProductSql[] =
    "UPDATE products SET title = $2, subtitle = $3, description = $4, category_id = $5, brand_id = NULLIF($6, ''), "
    "images = $7::text[], status = $8, version = $9, updated_at = zt_ts($10) WHERE product_id = $1";
// $1 category id.
constexpr char kCategoryExistsSql[] = "SELECT 1 FROM categories WHERE category_id = $1";
// The SKUs the product has so far: $1 product id.
constexpr char kProductSkuIdsSql[] = "SELECT sku_id FROM skus WHERE product_id = $1";
// $1 product id.
constexpr char kDeleteSalesAttributesSql[] = "DELETE FROM product_sales_attributes WHERE product_id = $1";
// $1 product id, $2 position, $3 name, $4 values (text[]).
constexpr char kInsertSalesAttributeSql[] =
    "INSERT INTO product_sales_attributes (product_id, position, name, \"values\") VALUES ($1, $2, $3, $4::text[])";
// $1 text[] of product ids.
const std::string kSalesAttributesSql =
    absl::StrCat("SELECT product_id, name, \"values\" FROM product_sales_attributes WHERE product_id = ANY(",
                 pg_store::kIdArray, ") ORDER BY product_id, position");
// An existing SKU's price, retirement and shipping: $1 SKU id, $2 currency, $3 price (minor units), $4 retired,
// $5 weight (grams), $6 fragile.
constexpr char kUpdateSkuSql[] =
    "UPDATE skus SET price_currency = $2, price_minor = $3, retired = $4, weight_grams = $5, fragile = $6 "
    "WHERE sku_id = $1";
// $1 SKU code.
constexpr char kSkuCodeTakenSql[] = "SELECT 1 FROM skus WHERE sku_code = $1";
// A SKU added by an edit, after the product's others: $1 SKU id, $2 product id, $3 code, $4 spec, $5 currency,
// $6 price (minor units), $7 weight (grams), $8 fragile.
constexpr char kInsertAddedSkuSql[] =
    "INSERT INTO skus (sku_id, product_id, sku_code, spec, price_currency, price_minor, position, weight_grams, "
    "fragile) "
    "SELECT $1, $2, $3, $4, $5, $6, COALESCE(MAX(position), -1) + 1, $7, $8 FROM skus WHERE product_id = $2";
// $1 SKU id, $2 attribute name, $3 value.
constexpr char kInsertSkuAttributeSql[] = "INSERT INTO sku_attributes (sku_id, name, value) VALUES ($1, $2, $3)";
// Its (empty) stock row, so that it shows in its warehouse: $1 SKU id, $2 warehouse, $3 now.
constexpr char kInsertEmptyStockSql[] =
    "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, 0, 0, zt_ts($3)) "
    "ON CONFLICT DO NOTHING";
// $1 product id, $2 from, $3 to, $4 version after, $5 at (Unix micros).
constexpr char kInsertTransitionSql[] =
    "INSERT INTO product_transitions (product_id, from_status, to_status, version, created_at) "
    "VALUES ($1, $2, $3, $4, zt_ts($5))";
// $1 product id.
constexpr char kTransitionsSql[] =
    "SELECT from_status, to_status, version, zt_micros(created_at) FROM product_transitions WHERE product_id = $1 "
    "ORDER BY entry_id";

// The word list: versions only grow; a replacement locks the version table so two replacements get distinct
// versions.
constexpr char kWordsVersionSql[] = "SELECT COALESCE(MAX(version), 0) FROM compliance_word_lists";
constexpr char kLockWordListsSql[] = "LOCK TABLE compliance_word_lists IN EXCLUSIVE MODE";
// $1 version.
constexpr char kWordListSql[] = "SELECT zt_micros(created_at) FROM compliance_word_lists WHERE version = $1";
// $1 version.
constexpr char kWordsSql[] =
    "SELECT term, category, severity FROM compliance_words WHERE version = $1 ORDER BY position";
// $1 version, $2 now (Unix micros).
constexpr char kInsertWordListSql[] = "INSERT INTO compliance_word_lists (version, created_at) VALUES ($1, zt_ts($2))";
// $1 version, $2 terms, $3 categories, $4 severities (text[] each, in list order).
constexpr char kInsertWordsSql[] =
    "INSERT INTO compliance_words (version, position, term, category, severity) "
    "SELECT $1, w.ord - 1, w.term, w.category, w.severity "
    "FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS w (term, category, severity, ord)";

// Price rules; an open end of a window is NULL. $1 SKU id.
constexpr char kSkuCurrencySql[] = "SELECT price_currency, product_id FROM skus WHERE sku_id = $1 FOR UPDATE";
constexpr char kDeletePriceRulesSql[] = "DELETE FROM sku_price_rules WHERE sku_id = $1";
// $1 SKU id, $2 position, $3 label, $4 tier ('' for every buyer), $5 amount (minor units), $6 valid from and $7 valid
// to (Unix micros; $8 / $9 false for an open end), $10 now.
constexpr char kInsertPriceRuleSql[] =
    "INSERT INTO sku_price_rules (sku_id, position, label, tier, amount_minor, valid_from, valid_to, updated_at) "
    "VALUES ($1, $2, $3, NULLIF($4, ''), $5, CASE WHEN $8 THEN zt_ts($6) END, CASE WHEN $9 THEN zt_ts($7) END, "
    "zt_ts($10))";
// $1 text[] of SKU ids.
const std::string kPriceRulesSql = absl::StrCat(
    "SELECT r.sku_id, r.label, COALESCE(r.tier, ''), r.amount_minor, zt_micros(r.valid_from), "
    "zt_micros(r.valid_to), s.price_currency FROM sku_price_rules r JOIN skus s ON s.sku_id = r.sku_id "
    "WHERE r.sku_id = ANY(",
    pg_store::kIdArray, ") ORDER BY r.sku_id, r.position");

constexpr char kProductEventStream[] = "zt.events.product";

Brand ReadBrand(const pqxx::row& row) {
  Brand b;
  b.brand_id = row[0].as<std::string>();
  b.name = row[1].as<std::string>();
  b.logo_url = row[2].as<std::string>();
  b.description = row[3].as<std::string>();
  b.created_at = FromMicros(row[4]);
  b.updated_at = FromMicros(row[5]);
  return b;
}

absl::Status Publish(pqxx::work& tx, const ProductEvent& event) {
  using proto::SetMoney;
  using proto::ToTimestamp;
  events::Event out;
  out.key = event.product_id;
  out.occurred_at = event.at;
  std::string id = absl::StrCat(event.product_id, ":", event.version, ":");
  auto fill = [&](const google::protobuf::Message& message, const std::string& kind) {
    out.id = id + kind;
    out.type = message.GetDescriptor()->full_name();
    out.payload = message.SerializeAsString();
  };
  switch (event.type) {
    case ProductEvent::Type::kUpdated: {
      v1::ProductUpdated m;
      m.set_product_id(event.product_id);
      m.set_version(event.version);
      for (const auto& field : event.changed_fields) m.add_changed_fields(field);
      *m.mutable_occur_time() = ToTimestamp(event.at);
      fill(m, "updated");
      break;
    }
    case ProductEvent::Type::kPriceChanged: {
      v1::PriceChanged m;
      m.set_product_id(event.product_id);
      m.set_sku_id(event.sku_id);
      SetMoney(m.mutable_old_price(), event.currency, event.old_amount_minor);
      SetMoney(m.mutable_new_price(), event.currency, event.new_amount_minor);
      m.set_version(event.version);
      *m.mutable_occur_time() = ToTimestamp(event.at);
      fill(m, "price:" + event.sku_id);
      break;
    }
    case ProductEvent::Type::kPublished: {
      v1::ProductPublished m;
      m.set_product_id(event.product_id);
      m.set_version(event.version);
      *m.mutable_occur_time() = ToTimestamp(event.at);
      fill(m, "published");
      break;
    }
    case ProductEvent::Type::kUnpublished: {
      v1::ProductUnpublished m;
      m.set_product_id(event.product_id);
      m.set_version(event.version);
      *m.mutable_occur_time() = ToTimestamp(event.at);
      fill(m, "unpublished");
      break;
    }
    case ProductEvent::Type::kPriceRulesChanged: {
      v1::SkuPriceRulesChanged m;
      m.set_product_id(event.product_id);
      m.set_sku_id(event.sku_id);
      *m.mutable_occur_time() = ToTimestamp(event.at);
      // No version (price rules do not change the product): a fresh id keeps successive changes apart.
      out.id = ids::NewId("evt_", event.at);
      out.type = m.GetDescriptor()->full_name();
      out.payload = m.SerializeAsString();
      break;
    }
    case ProductEvent::Type::kArchived: {
      v1::ProductArchived m;
      m.set_product_id(event.product_id);
      m.set_version(event.version);
      *m.mutable_occur_time() = ToTimestamp(event.at);
      fill(m, "archived");
      break;
    }
  }
  return events::AppendToOutbox(tx, kProductEventStream, out);
}

}  // namespace

namespace pg_store {

void LoadSalesAttributes(pqxx::work& tx, const std::string& product_ids, std::map<std::string, Product>& by_id) {
  for (const auto& row : pg::Exec(tx, kSalesAttributesSql, product_ids)) {
    auto it = by_id.find(row[0].as<std::string>());
    if (it == by_id.end()) continue;
    it->second.sales_attributes.push_back({row[1].as<std::string>(), TextArray(row[2])});
  }
}

void InsertSalesAttributes(pqxx::work& tx, const Product& product) {
  tx.exec_params(kDeleteSalesAttributesSql, product.product_id);
  int position = 0;
  for (const SalesAttribute& attribute : product.sales_attributes) {
    tx.exec_params(kInsertSalesAttributeSql, product.product_id, position++, attribute.name,
                   TextArrayLiteral(attribute.values));
  }
}

absl::Status CheckBrandExists(pqxx::work& tx, const std::string& brand_id) {
  if (brand_id.empty() || !tx.exec_params(kBrandExistsSql, brand_id).empty()) return absl::OkStatus();
  return NotFound("BRAND_NOT_FOUND", "brand does not exist");
}

}  // namespace pg_store

absl::StatusOr<Brand> PgProductStore::CreateBrand(const Brand& brand, const std::string& request_id) {
  auto find_by_request = [&](pqxx::work& tx) -> std::optional<Brand> {
    if (request_id.empty()) return std::nullopt;
    pqxx::result rows = tx.exec_params(kBrandByRequestSql, request_id);
    if (rows.empty()) return std::nullopt;
    return ReadBrand(rows[0]);
  };
  Brand result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (auto existing = find_by_request(tx)) {
      result = *existing;
      return absl::OkStatus();
    }
    if (!tx.exec_params(kBrandNamedSql, brand.name, "").empty()) {
      return AlreadyExists("BRAND_EXISTS", "a brand has this name");
    }
    tx.exec_params(kInsertBrandSql, brand.brand_id, brand.name, brand.logo_url, brand.description, request_id,
                   Micros(brand.created_at));
    result = brand;
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    // A concurrent call with the same request id or name won the race.
    std::optional<Brand> existing;
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
      existing = find_by_request(tx);
      return absl::OkStatus();
    }));
    if (existing) return *existing;
    return AlreadyExists("BRAND_EXISTS", "a brand has this name");
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<Brand> PgProductStore::UpdateBrand(const std::string& brand_id, const BrandChange& change,
                                                  absl::Time now) {
  Brand result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (change.name && !tx.exec_params(kBrandNamedSql, *change.name, brand_id).empty()) {
      return AlreadyExists("BRAND_EXISTS", "a brand has this name");
    }
    pqxx::result rows = tx.exec_params(kUpdateBrandSql, brand_id, change.name.has_value(), change.name.value_or(""),
                                       change.logo_url.has_value(), change.logo_url.value_or(""),
                                       change.description.has_value(), change.description.value_or(""), Micros(now));
    if (rows.empty()) return NotFound("BRAND_NOT_FOUND", "brand does not exist");
    result = ReadBrand(rows[0]);
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) return AlreadyExists("BRAND_EXISTS", "a brand has this name");
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<std::vector<Brand>> PgProductStore::ListBrands(const std::string& after_id, int limit) {
  std::vector<Brand> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(kBrandsAfterSql, after_id, limit)) out.push_back(ReadBrand(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Category> PgProductStore::UpdateCategory(const std::string& category_id,
                                                        const std::optional<std::string>& name,
                                                        const std::optional<std::string>& parent_id) {
  Category result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec0(kLockCategoriesSql);
    pqxx::result rows = tx.exec_params(kCategoryRowSql, category_id);
    if (rows.empty()) return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
    result.category_id = rows[0][0].as<std::string>();
    result.name = rows[0][1].as<std::string>();
    result.parent_id = rows[0][2].as<std::string>();
    result.created_at = FromMicros(rows[0][3]);
    if (parent_id) {
      std::map<std::string, std::string> parents;
      for (const auto& row : tx.exec(kCategoryParentsSql)) parents[row[0].as<std::string>()] = row[1].as<std::string>();
      RETURN_IF_ERROR(CheckCategoryMove(parents, category_id, *parent_id));
      result.parent_id = *parent_id;
    }
    if (name) result.name = *name;
    if (!tx.exec_params(kSiblingNamedSql, result.parent_id, result.name, category_id).empty()) {
      return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
    }
    tx.exec_params(kUpdateCategorySql, category_id, result.name, result.parent_id);
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) {
    return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<Product> PgProductStore::GetProductForAdmin(const std::string& product_id) {
  std::vector<Product> found;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    found = LoadProductRows(tx, {product_id});
    pg_store::LoadAdminSkuFields(tx, found);
    return absl::OkStatus();
  }));
  if (found.empty()) return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
  return std::move(found[0]);
}

absl::StatusOr<std::vector<ProductTransition>> PgProductStore::ListTransitions(const std::string& product_id) {
  std::vector<ProductTransition> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(kTransitionsSql, product_id)) {
      ProductTransition t;
      ParseProductStatus(row[0].as<std::string>(), &t.from);
      ParseProductStatus(row[1].as<std::string>(), &t.to);
      t.version = row[2].as<int64_t>();
      t.at = FromMicros(row[3]);
      out.push_back(t);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Product> PgProductStore::SaveProduct(const Product& updated, int64_t expected_version,
                                                    const std::optional<ProductTransition>& transition,
                                                    const std::vector<ProductEvent>& events) {
  Product result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result locked = tx.exec_params(kLockProductSql, updated.product_id);
    if (locked.empty()) return NotFound("PRODUCT_NOT_FOUND", "product does not exist");
    int64_t current = locked[0][0].as<int64_t>();
    if (current != expected_version) return VersionConflict(expected_version, current);
    if (tx.exec_params(kCategoryExistsSql, updated.category_id).empty()) {
      return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
    }
    RETURN_IF_ERROR(pg_store::CheckBrandExists(tx, updated.brand_id));
    int64_t version = expected_version + 1;
    int64_t now = Micros(updated.updated_at);
    tx.exec_params(kUpdateProductSql, updated.product_id, updated.title, updated.subtitle, updated.description,
                   updated.category_id, updated.brand_id, TextArrayLiteral(updated.images),
                   ProductStatusName(updated.status), version, now);
    pg_store::InsertSalesAttributes(tx, updated);
    std::set<std::string> stored;
    for (const auto& row : tx.exec_params(kProductSkuIdsSql, updated.product_id)) {
      stored.insert(row[0].as<std::string>());
    }
    for (const Sku& sku : updated.skus) {
      if (stored.count(sku.sku_id)) {
        tx.exec_params(kUpdateSkuSql, sku.sku_id, sku.price.currency, sku.price.amount_minor, sku.retired,
                       sku.weight_grams, sku.fragile);
        continue;
      }
      if (!tx.exec_params(kSkuCodeTakenSql, sku.sku_code).empty()) {
        return AlreadyExists("SKU_CODE_EXISTS", absl::StrCat("sku code ", sku.sku_code, " is taken"));
      }
      tx.exec_params(kInsertAddedSkuSql, sku.sku_id, updated.product_id, sku.sku_code, sku.spec, sku.price.currency,
                     sku.price.amount_minor, sku.weight_grams, sku.fragile);
      for (const auto& [name, value] : sku.attributes) tx.exec_params(kInsertSkuAttributeSql, sku.sku_id, name, value);
      tx.exec_params(kInsertEmptyStockSql, sku.sku_id, kDefaultWarehouse, now);
    }
    RETURN_IF_ERROR(pg_store::SaveSkuCosts(tx, updated, updated.updated_at));
    if (transition) {
      tx.exec_params(kInsertTransitionSql, updated.product_id, ProductStatusName(transition->from),
                     ProductStatusName(transition->to), transition->version, Micros(transition->at));
    }
    for (const ProductEvent& event : events) RETURN_IF_ERROR(Publish(tx, event));
    std::vector<Product> saved = LoadProductRows(tx, {updated.product_id});
    pg_store::LoadAdminSkuFields(tx, saved);
    result = std::move(saved.at(0));
    return absl::OkStatus();
  });
  if (IsUniqueViolation(status)) return AlreadyExists("SKU_CODE_EXISTS", "a sku code is taken");
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<std::vector<PriceRule>> PgProductStore::ReplacePriceRules(const std::string& sku_id,
                                                                         const std::vector<PriceRule>& rules,
                                                                         const ProductEvent& event) {
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result sku = tx.exec_params(kSkuCurrencySql, sku_id);
    if (sku.empty()) return NotFound("SKU_NOT_FOUND", "sku does not exist");
    for (size_t i = 0; i < rules.size(); ++i) {
      if (rules[i].currency != sku[0][0].as<std::string>()) {
        return InvalidArgument(absl::StrCat("rules[", i, "].price.currency"), "CURRENCY_MISMATCH",
                               "a rule's price is in the SKU's list price currency");
      }
    }
    tx.exec_params(kDeletePriceRulesSql, sku_id);
    int position = 0;
    for (const PriceRule& rule : rules) {
      bool has_from = rule.valid_from != absl::InfinitePast(), has_to = rule.valid_to != absl::InfiniteFuture();
      tx.exec_params(kInsertPriceRuleSql, sku_id, position++, rule.label, rule.tier ? MemberTierName(*rule.tier) : "",
                     rule.amount_minor, has_from ? Micros(rule.valid_from) : 0, has_to ? Micros(rule.valid_to) : 0,
                     has_from, has_to, Micros(event.at));
    }
    ProductEvent changed = event;
    changed.product_id = sku[0][1].as<std::string>();
    return Publish(tx, changed);
  }));
  return rules;
}

absl::StatusOr<std::map<std::string, std::vector<PriceRule>>> PgProductStore::GetPriceRules(
    const std::vector<std::string>& sku_ids) {
  std::map<std::string, std::vector<PriceRule>> out;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    out.clear();
    for (const auto& row : pg::Exec(tx, kPriceRulesSql, TextArrayLiteral(sku_ids))) {
      PriceRule rule;
      rule.label = row[1].as<std::string>();
      std::string tier = row[2].as<std::string>();
      for (MemberTier t : {MemberTier::kNormal, MemberTier::kSilver, MemberTier::kGold, MemberTier::kDiamond}) {
        if (tier == MemberTierName(t)) rule.tier = t;
      }
      rule.amount_minor = row[3].as<int64_t>();
      rule.currency = row[6].as<std::string>();
      if (!row[4].is_null()) rule.valid_from = FromMicros(row[4]);
      if (!row[5].is_null()) rule.valid_to = FromMicros(row[5]);
      out[row[0].as<std::string>()].push_back(rule);
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<ComplianceWordList> PgProductStore::GetComplianceWords() {
  ComplianceWordList list;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    list = ComplianceWordList{};
    list.version = tx.exec(kWordsVersionSql)[0][0].as<int64_t>();
    if (list.version == 0) return absl::OkStatus();
    list.updated_at = FromMicros(tx.exec_params(kWordListSql, list.version)[0][0]);
    for (const auto& row : tx.exec_params(kWordsSql, list.version)) {
      ComplianceWord word;
      word.term = row[0].as<std::string>();
      word.category = row[1].as<std::string>();
      word.severity = row[2].as<std::string>() == "warn" ? ComplianceSeverity::kWarn : ComplianceSeverity::kBlock;
      list.words.push_back(std::move(word));
    }
    return absl::OkStatus();
  }));
  return list;
}

absl::StatusOr<int64_t> PgProductStore::ComplianceWordsVersion() {
  int64_t version = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    version = pg::Exec(tx, kWordsVersionSql)[0][0].as<int64_t>();
    return absl::OkStatus();
  }));
  return version;
}

absl::StatusOr<ComplianceWordList> PgProductStore::ReplaceComplianceWords(const std::vector<ComplianceWord>& words,
                                                                          absl::Time now) {
  ComplianceWordList list;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    tx.exec0(kLockWordListsSql);
    list.version = tx.exec(kWordsVersionSql)[0][0].as<int64_t>() + 1;
    list.words = words;
    list.updated_at = now;
    std::vector<std::string> terms, categories, severities;
    for (const ComplianceWord& word : words) {
      terms.push_back(word.term);
      categories.push_back(word.category);
      severities.push_back(ComplianceSeverityName(word.severity));
    }
    tx.exec_params(kInsertWordListSql, list.version, Micros(now));
    tx.exec_params(kInsertWordsSql, list.version, TextArrayLiteral(terms), TextArrayLiteral(categories),
                   TextArrayLiteral(severities));
    return absl::OkStatus();
  }));
  return list;
}

}  // namespace zhongtai::product
