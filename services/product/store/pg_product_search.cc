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

// A text query's first page and facets come from one materialized scan of its matches (kFirstPageSql): enough work
// memory that it does not spill to disk.
constexpr char kSnapshot[] = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL work_mem = '64MB'";

// Shoppers only ever see published products with something on sale.
constexpr char kShopperFilter[] = "ps.status = 'published' AND ps.min_price IS NOT NULL";
// Every term's grams are in the index (GIN); then each term (kTermFilter, one per term, inline rather than a
// subquery per row) really occurs in the text.
constexpr char kGramsFilter[] = "ps.grams @> $0::text[]";
constexpr char kTermFilter[] = "strpos(ps.search_text, $0) > 0";
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

// Relevance: 2 for a term in the title, 1 for a term only in the subtitle or brand name (every term occurs somewhere:
// the filter), summed over the terms; one kTermRank per term, added.
constexpr char kTermRank[] = "CASE WHEN strpos(ps.title_text, $0) > 0 THEN 2 ELSE 1 END";

// A later page: $0 sort key expression, $1 filters, $2 cursor condition, $3 order, $4 limit. Without a text query the
// order is an index's (product_search_newest, _price, _sales), so the scan stops after the page.
constexpr char kPageSql[] =
    "SELECT product_id, sort_key FROM ("
    "SELECT ps.product_id, $0 AS sort_key FROM product_search ps WHERE $1) matched "
    "WHERE $2 ORDER BY $3 LIMIT $4";

// A first page of a text query and its facets from one scan of the matches (the bigram index finds them; scanning
// them once instead of five times is what counts): kind 'p' the page's hits in order (value product id, n
// sort key), 't' the total (n) with the lowest (m) and highest (x) price, 'b' the 20 brands with most matches (value
// brand id, label name, n count), 'a' the 100 commonest attribute pairs (value name U+001F value, n count), 'r' the
// price bands with matches (pos band number from 0, m its lower edge, x its width, n count), the band width being the
// first of PriceBandWidths (arrays $6 widths, $7 the spans they cover) that covers the matches' span.
// $0 sort key, $1 filters, $2 order, $3 limit, $4 widths parameter, $5 spans parameter.
constexpr char kFirstPageSql[] = R"sql(
WITH matched AS MATERIALIZED (
  SELECT ps.product_id, $0 AS sort_key, ps.brand_id, ps.min_price, ps.attributes FROM product_search ps WHERE $1),
totals AS (SELECT count(*) AS n, min(min_price) AS lowest, max(min_price) AS highest FROM matched),
band AS (
  SELECT w.width, (t.lowest / w.width) * w.width AS start FROM totals t
  CROSS JOIN LATERAL (SELECT c.width FROM unnest($4::bigint[], $5::bigint[]) AS c (width, max_span)
                      WHERE c.max_span >= t.highest - t.lowest + 1 ORDER BY c.width LIMIT 1) w)
SELECT kind, pos, value, label, n, m, x FROM (
  SELECT 'p' AS kind, row_number() OVER () AS pos, product_id AS value, NULL::text AS label, sort_key AS n,
         NULL::bigint AS m, NULL::bigint AS x
  FROM (SELECT product_id, sort_key FROM matched ORDER BY $2 LIMIT $3) page
  UNION ALL
  SELECT 't', 0, NULL, NULL, n, lowest, highest FROM totals
  UNION ALL
  SELECT 'b', row_number() OVER (), brand_id, name, n, NULL, NULL FROM (
    SELECT m.brand_id, b.name, count(*) AS n FROM matched m JOIN brands b ON b.brand_id = m.brand_id
    GROUP BY m.brand_id, b.name ORDER BY count(*) DESC, m.brand_id LIMIT 20) brands
  UNION ALL
  SELECT 'a', row_number() OVER (), value, NULL, n, NULL, NULL FROM (
    SELECT a.value, count(*) AS n FROM matched m CROSS JOIN LATERAL unnest(m.attributes) AS a (value)
    GROUP BY a.value ORDER BY count(*) DESC, a.value LIMIT 100) attributes
  UNION ALL
  SELECT 'r', (m.min_price - band.start) / band.width, NULL, NULL, count(*), min(band.start), min(band.width)
  FROM matched m CROSS JOIN band GROUP BY 2
) answer
ORDER BY kind, pos)sql";

// Without a text query a listing's matches are a large share of the catalogue (a category, the whole shop): there
// separate statements do better than one materialized set (the page from an index with LIMIT, each count a scan that
// PostgreSQL may run in parallel; a 100,000-row set took longer to materialize than the scans it saved).
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
    filters.push_back(absl::Substitute(kGramsFilter, params.Add(pg::TextArrayLiteral(query.grams))));
    for (const std::string& term : query.terms) filters.push_back(absl::Substitute(kTermFilter, params.Add(term)));
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

// The sort key expression and the order of a query ("sort_key" and "product_id" being the selected columns).
struct SortOrder {
  std::string key = "0::bigint";
  std::string order = "product_id DESC";
  std::string after_key_op = "<";
};

SortOrder SortOf(const SearchQuery& query, Params& params) {
  SortOrder sort;
  switch (query.sort) {
    case SearchSort::kRelevance:
      if (!query.terms.empty()) {
        std::vector<std::string> ranks;
        for (const std::string& term : query.terms) ranks.push_back(absl::Substitute(kTermRank, params.Add(term)));
        sort.key = absl::StrCat("(", absl::StrJoin(ranks, " + "), ")::bigint");
      }
      sort.order = "sort_key DESC, product_id DESC";
      break;
    case SearchSort::kPriceAscending:
      sort.key = "ps.min_price";
      sort.order = "sort_key ASC, product_id ASC";
      sort.after_key_op = ">";
      break;
    case SearchSort::kPriceDescending:
      sort.key = "ps.min_price";
      sort.order = "sort_key DESC, product_id DESC";
      break;
    case SearchSort::kSales:
      sort.key = "ps.sales";
      sort.order = "sort_key DESC, product_id DESC";
      break;
    case SearchSort::kNewest: break;
  }
  return sort;
}

std::string PageSql(const SearchQuery& query, const std::string& filters, Params& params, int limit) {
  SortOrder sort = SortOf(query, params);
  std::string cursor = "true";
  if (query.after) {
    std::string id = params.Add(query.after->product_id);
    cursor = query.sort == SearchSort::kNewest
                 ? absl::StrCat("product_id < ", id)
                 : absl::StrCat("(sort_key, product_id) ", sort.after_key_op, " (",
                                params.Add(absl::StrCat(query.after->key)), "::bigint, ", id, ")");
  }
  return absl::Substitute(kPageSql, sort.key, filters, cursor, sort.order, params.Add(absl::StrCat(limit)));
}

std::string FirstPageSql(const SearchQuery& query, const std::string& filters, Params& params, int limit,
                         const PriceBandRule& bands) {
  SortOrder sort = SortOf(query, params);
  std::vector<int64_t> widths;
  std::vector<int64_t> spans;
  for (const PriceBandWidth& band : bands) {
    widths.push_back(band.width);
    spans.push_back(band.max_span);
  }
  return absl::Substitute(kFirstPageSql, sort.key, filters, sort.order, params.Add(absl::StrCat(limit)),
                          params.Add(pg::BigintArrayLiteral(widths)), params.Add(pg::BigintArrayLiteral(spans)));
}

pqxx::result Exec(pqxx::work& tx, const std::string& sql, const Params& params) {
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params.values()));
}

void LoadFacets(pqxx::work& tx, const std::string& filters, const Params& params, SearchStoreResult& out) {
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

  std::vector<int64_t> edges = PriceBandEdges(totals[0][1].as<int64_t>(), totals[0][2].as<int64_t>());
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

void ReadFirstPage(const pqxx::result& rows, SearchStoreResult& out) {
  std::map<std::string, std::vector<FacetCount>> attributes;
  for (const auto& row : rows) {
    std::string kind = row[0].as<std::string>();
    int64_t n = row[4].as<int64_t>();
    if (kind == "p") {
      out.hits.push_back({row[2].as<std::string>(), n});
    } else if (kind == "t") {
      out.total = n;
    } else if (kind == "b") {
      out.facets.brands.push_back({row[2].as<std::string>(), row[3].as<std::string>(), n});
    } else if (kind == "a") {
      std::string pair = row[2].as<std::string>();
      size_t separator = pair.find(kAttributeSeparator);
      if (separator == std::string::npos) continue;
      std::string value = pair.substr(separator + 1);
      attributes[pair.substr(0, separator)].push_back({value, value, n});
    } else if (kind == "r") {
      int64_t from = row[5].as<int64_t>() + row[1].as<int64_t>() * row[6].as<int64_t>();
      out.facets.price_bands.push_back({from, from + row[6].as<int64_t>(), n});
    }
  }
  for (auto& [name, values] : attributes) out.facets.attributes.push_back({name, std::move(values)});
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
    if (query.with_facets && !query.terms.empty()) {
      ReadFirstPage(Exec(tx, FirstPageSql(query, filters, params, limit, bands), params), out);
    } else {
      Params page_params = params;
      for (const auto& row : Exec(tx, PageSql(query, filters, page_params, limit), page_params)) {
        out.hits.push_back({row[0].as<std::string>(), row[1].as<int64_t>()});
      }
      if (query.with_facets) LoadFacets(tx, filters, params, out);
    }
    std::vector<std::string> ids;
    for (const SearchHit& hit : out.hits) ids.push_back(hit.product_id);
    out.products = pg_store::LoadProductRows(tx, ids);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::product
