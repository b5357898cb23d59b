#include "services/product/store/pg_product_search.h"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "common/pg/arrays.h"
#include "common/status/status.h"
#include "services/product/store/pg_catalogue_rows.h"

namespace zhongtai::product {
namespace {

// The statements are put together from the fragments below, each filter only when the query has it, so that the
// planner sees exactly the conditions that apply (a GIN index is used only when its condition is there).
// Placeholders $0, $1 of a fragment become the statement's parameter numbers (absl::Substitute).

constexpr char kSnapshot[] = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

// Shoppers only ever see published products with something on sale.
constexpr char kShopperFilter[] = "ps.status = 'published' AND ps.min_price IS NOT NULL";
// Every term's grams are in the index (GIN), then every term really occurs in the text.
constexpr char kTermsFilter[] =
    "ps.grams @> $0::text[] AND NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS t (term) "
    "WHERE strpos(ps.search_text, t.term) = 0)";
constexpr char kCategoryFilter[] =
    "ps.category_id IN (WITH RECURSIVE subtree AS ("
    "SELECT category_id FROM categories WHERE category_id = $0 "
    "UNION ALL SELECT c.category_id FROM categories c JOIN subtree s ON c.parent_id = s.category_id) "
    "SELECT category_id FROM subtree)";
constexpr char kBrandFilter[] = "ps.brand_id = ANY($0::text[])";
constexpr char kPriceMinFilter[] = "ps.min_price >= $0::bigint";
constexpr char kPriceMaxFilter[] = "ps.min_price <= $0::bigint";
// One per attribute name: some SKU has one of the values asked for (name U+001F value).
constexpr char kAttributeFilter[] = "ps.attributes && $0::text[]";
constexpr char kInStockFilter[] = "ps.in_stock";

// Relevance: 2 for a term in the title, 1 for a term only in the subtitle or brand name, summed.
constexpr char kRelevanceRank[] =
    "(SELECT COALESCE(sum(CASE WHEN strpos(ps.title_text, t.term) > 0 THEN 2 ELSE 1 END), 0) "
    "FROM unnest($0::text[]) AS t (term))::bigint";

// $0 sort key expression, $1 filters, $2 cursor condition, $3 order, $4 limit.
constexpr char kPageSql[] =
    "SELECT product_id, sort_key FROM ("
    "SELECT ps.product_id, $0 AS sort_key FROM product_search ps WHERE $1) matched "
    "WHERE $2 ORDER BY $3 LIMIT $4";
constexpr char kTotalSql[] = "SELECT count(*), min(ps.min_price), max(ps.min_price) FROM product_search ps WHERE $0";
constexpr char kBrandFacetSql[] =
    "SELECT ps.brand_id, b.name, count(*) FROM product_search ps JOIN brands b ON b.brand_id = ps.brand_id "
    "WHERE $0 GROUP BY ps.brand_id, b.name ORDER BY count(*) DESC, ps.brand_id LIMIT 20";
constexpr char kAttributeFacetSql[] =
    "SELECT a.value, count(*) FROM product_search ps CROSS JOIN LATERAL unnest(ps.attributes) AS a (value) "
    "WHERE $0 GROUP BY a.value ORDER BY count(*) DESC, a.value LIMIT 100";
// Band i (1-based) is [edges[i], edges[i + 1]) (width_bucket with an array of thresholds).
constexpr char kPriceBandSql[] =
    "SELECT width_bucket(ps.min_price, $1::bigint[]), count(*) FROM product_search ps WHERE $0 GROUP BY 1";

constexpr char kAttributeSeparator = '\x1f';

class Params {
 public:
  std::string Add(std::string value) {
    values_.push_back(std::move(value));
    return absl::StrCat("$", values_.size());
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
};

std::string Filters(const SearchQuery& query, Params& params) {
  std::vector<std::string> filters = {kShopperFilter};
  if (!query.terms.empty()) {
    filters.push_back(absl::Substitute(kTermsFilter, params.Add(pg::TextArrayLiteral(query.grams)),
                                       params.Add(pg::TextArrayLiteral(query.terms))));
  }
  if (!query.category_id.empty()) {
    filters.push_back(absl::Substitute(kCategoryFilter, params.Add(query.category_id)));
  }
  if (!query.brand_ids.empty()) {
    filters.push_back(absl::Substitute(kBrandFilter, params.Add(pg::TextArrayLiteral(query.brand_ids))));
  }
  if (query.price_min) filters.push_back(absl::Substitute(kPriceMinFilter, params.Add(absl::StrCat(*query.price_min))));
  if (query.price_max) filters.push_back(absl::Substitute(kPriceMaxFilter, params.Add(absl::StrCat(*query.price_max))));
  for (const AttributeFilter& attribute : query.attributes) {
    std::vector<std::string> wanted;
    for (const std::string& value : attribute.values) {
      wanted.push_back(absl::StrCat(attribute.name, std::string(1, kAttributeSeparator), value));
    }
    filters.push_back(absl::Substitute(kAttributeFilter, params.Add(pg::TextArrayLiteral(wanted))));
  }
  if (query.in_stock_only) filters.push_back(kInStockFilter);
  return absl::StrJoin(filters, " AND ");
}

std::string PageSql(const SearchQuery& query, const std::string& filters, Params& params, int limit) {
  std::string key = "0::bigint";
  std::string order = "product_id DESC";
  std::string after_key_op = "<";
  switch (query.sort) {
    case SearchSort::kRelevance:
      key = query.terms.empty() ? "0::bigint"
                                : absl::Substitute(kRelevanceRank, params.Add(pg::TextArrayLiteral(query.terms)));
      order = "sort_key DESC, product_id DESC";
      break;
    case SearchSort::kPriceAscending:
      key = "ps.min_price";
      order = "sort_key ASC, product_id ASC";
      after_key_op = ">";
      break;
    case SearchSort::kPriceDescending:
      key = "ps.min_price";
      order = "sort_key DESC, product_id DESC";
      break;
    case SearchSort::kSales:
      key = "ps.sales";
      order = "sort_key DESC, product_id DESC";
      break;
    case SearchSort::kNewest: break;
  }
  std::string cursor = "true";
  if (query.after) {
    std::string id = params.Add(query.after->product_id);
    cursor = query.sort == SearchSort::kNewest
                 ? absl::StrCat("product_id < ", id)
                 : absl::StrCat("(sort_key, product_id) ", after_key_op, " (",
                                params.Add(absl::StrCat(query.after->key)), "::bigint, ", id, ")");
  }
  return absl::Substitute(kPageSql, key, filters, cursor, order, params.Add(absl::StrCat(limit)));
}

pqxx::result Exec(pqxx::work& tx, const std::string& sql, const Params& params) {
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params.values()));
}

void LoadFacets(pqxx::work& tx, const std::string& filters, const Params& params, const PriceBandRule& bands,
                SearchStoreResult& out) {
  pqxx::result totals = Exec(tx, absl::Substitute(kTotalSql, filters), params);
  out.total = totals[0][0].as<int64_t>();
  if (out.total == 0) return;
  for (const auto& row : Exec(tx, absl::Substitute(kBrandFacetSql, filters), params)) {
    out.facets.brands.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
  }
  std::map<std::string, std::vector<FacetCount>> by_name;
  for (const auto& row : Exec(tx, absl::Substitute(kAttributeFacetSql, filters), params)) {
    std::string pair = row[0].as<std::string>();
    size_t separator = pair.find(kAttributeSeparator);
    if (separator == std::string::npos) continue;
    std::string value = pair.substr(separator + 1);
    by_name[pair.substr(0, separator)].push_back({value, value, row[1].as<int64_t>()});
  }
  for (auto& [name, values] : by_name) out.facets.attributes.push_back({name, std::move(values)});

  std::vector<int64_t> edges = bands(totals[0][1].as<int64_t>(), totals[0][2].as<int64_t>());
  if (edges.size() < 2) return;
  Params band_params = params;
  std::string edges_param = band_params.Add(pg::BigintArrayLiteral(edges));
  std::map<int, int64_t> counts;
  for (const auto& row : Exec(tx, absl::Substitute(kPriceBandSql, filters, edges_param), band_params)) {
    counts[row[0].as<int>()] = row[1].as<int64_t>();
  }
  for (size_t i = 0; i + 1 < edges.size(); ++i) {
    auto it = counts.find(static_cast<int>(i) + 1);
    if (it != counts.end()) out.facets.price_bands.push_back({edges[i], edges[i + 1], it->second});
  }
}

}  // namespace

absl::StatusOr<SearchStoreResult> PgProductSearchStore::Search(const SearchQuery& query, int limit,
                                                               const PriceBandRule& bands) {
  SearchStoreResult out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out = SearchStoreResult();
    tx.exec(kSnapshot);
    Params params;
    std::string filters = Filters(query, params);
    Params page_params = params;
    std::vector<std::string> ids;
    for (const auto& row : Exec(tx, PageSql(query, filters, page_params, limit), page_params)) {
      out.hits.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
      ids.push_back(out.hits.back().product_id);
    }
    out.products = pg_store::LoadProductRows(tx, ids);
    if (query.with_facets) LoadFacets(tx, filters, params, bands, out);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::product
