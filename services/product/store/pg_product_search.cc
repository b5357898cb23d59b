#include "services/product/store/pg_product_search.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/substitute.h"
#include "common/pg/arrays.h"
#include "common/status/status.h"
#include "services/product/domain/search_text.h"
#include "services/product/store/pg_catalogue_rows.h"

namespace zhongtai::product {
namespace {

// The statements are put together from the fragments below, each filter only when the query has it, so that the
// planner sees exactly the conditions that apply (a GIN index is used only when its condition is there).
// Placeholders $0, $1 of a fragment become the statement's parameter numbers (absl::Substitute).
//
// A search is few round trips: the transaction's settings (one), the category's subtree when asked (one), on a first
// page the facets with the estimate of the matches (one; with the page too when the sample holds every match), the
// page (one: the top rank's page, and every match ranked only when that does not fill it), and the page's products
// (the product loader's statements). Each statement is a named prepared statement per shape (the text, which depends
// only on which filters, how many words and which sort a query has): parsed once per connection, planned for its
// values on every call (plan_cache_mode below).

// One snapshot for the page, its products and the facets, with enough work memory that the facet sample never
// spills. Custom plans only: a statement's best plan depends on its values (a word in one product of six walks the
// price index for a price-sorted page, a rare one reads its few matches from the grams index), which a generic plan
// of the shape cannot know; the prepared statements save the parsing, not the planning.
// No JIT: a search's statements are short, and compiling one (when a plan's cost passes jit_above_cost) takes tens of
// milliseconds, more than the search.
constexpr char kSnapshot[] =
    "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL work_mem = '64MB'; "
    "SET LOCAL plan_cache_mode = force_custom_plan; SET LOCAL jit = off";
// A text query always has the grams index to find its matches with. Asked for a sample (kFacetSql's LIMIT) of a
// common word's matches, the planner may instead pick a sequential scan that checks every row's grams until it has
// enough (q=手 on 100,000 products: 37 ms of scan where the index's bitmap reads 1,001 rows in a few); this rules that
// out for the transaction. Every other statement of a search uses an index anyway. Sent with kSnapshot.
constexpr char kTextQueryPlan[] = "SET LOCAL enable_seqscan = off";

// Shoppers only ever see published products with something on sale.
constexpr char kShopperFilter[] = "ps.status = 'published' AND ps.min_price IS NOT NULL";
// Every term's grams are in the index (GIN). A term of one or two characters occurs in the text exactly when its one
// gram does (grams are cut per whitespace-separated token and the text is the tokens joined by single spaces), so
// only a longer term, whose bigrams may all be there but not in a row, is also looked for in the text (kTermFilter).
constexpr char kGramsFilter[] = "ps.grams @> $0::text[]";
constexpr char kTermFilter[] = "strpos(ps.search_text, $0) > 0";
// A category with its whole subtree, read first (kSubtreeSql) and passed as a list: the planner then knows the
// categories' share of the catalogue from its statistics and may use the category index, where a subquery in the
// filter is a guess (half the table) and a hash join over a sequential scan.
constexpr char kSubtreeSql[] =
    "WITH RECURSIVE subtree AS ("
    "SELECT category_id FROM categories WHERE category_id = $1 "
    "UNION ALL SELECT c.category_id FROM categories c JOIN subtree s ON c.parent_id = s.category_id) "
    "SELECT category_id FROM subtree";
constexpr char kCategoryFilter[] = "ps.category_id = ANY($0::text[])";
constexpr char kBrandFilter[] = "ps.brand_id = ANY($0::text[])";
constexpr char kPriceMinFilter[] = "ps.min_price >= $0::bigint";
constexpr char kPriceMaxFilter[] = "ps.min_price <= $0::bigint";
// One per attribute name: some SKU has one of the values asked for (name U+001F value).
constexpr char kAttributeFilter[] = "ps.attributes && $0::text[]";
constexpr char kInStockFilter[] = "ps.in_stock";

// Relevance: 2 for a term in the title, 1 for a term only in the subtitle or brand name (every term occurs somewhere:
// the filter), summed over the terms; one kTermRank per term, added.
constexpr char kTermRank[] = "CASE WHEN strpos(ps.title_text, $0) > 0 THEN 2 ELSE 1 END";
// The top rank (2 per term): every term in the title; one per term.
constexpr char kTitleTermFilter[] = "strpos(ps.title_text, $0) > 0";

// The page statements answer rows of the columns kind, pos (the row's place among its kind), value, label, and three
// numbers n, m, x whose meaning depends on the kind (below).

// A page: $0 sort key expression, $1 filters, $2 cursor condition, $3 order, $4 limit. Sorted by price, newest or
// sales the order is an index's (product_search_price, _sales, the primary key), so the scan may stop after the page
// when matches are many (the planner's choice, against the bitmap index and a sort when they are few). Ranked by
// relevance every match is ranked and sorted: kTopTierSql first. Answered as kind 'g' (value product id, n sort key).
constexpr char kPageSql[] =
    "SELECT product_id, sort_key FROM ("
    "SELECT ps.product_id, $0 AS sort_key FROM product_search ps WHERE $1) matched "
    "WHERE $2 ORDER BY $3 LIMIT $4";

// Ranked by relevance, a page usually lies wholly within the top rank (every term in the title), and within one rank
// the order is the newest first, the primary key's: $0 the top rank, $1 the filters with every term in the title, $2
// the cursor condition, $3 the limit. Walking the primary key backwards stops after the page instead of ranking every
// match (q=手机 on 100,000 products: 272 rows read, where ranking reads all 8,339 matches). Only when the top rank does
// not fill the page does kPageSql rank every match (the same statement, gated on the top rank's count: kPageRows);
// the answer is the same either way. Answered as kind 'q'.
constexpr char kTopTierSql[] =
    "SELECT ps.product_id, $0::bigint AS sort_key FROM product_search ps WHERE $1 AND $2 "
    "ORDER BY ps.product_id DESC LIMIT $3";

// The rows of a page query ($1) as answer rows of kind $0, only when $2 (a condition PostgreSQL evaluates once, before
// running the query: a gate that skips it entirely when false).
constexpr char kPageRows[] =
    "SELECT '$0'::text AS kind, row_number() OVER () AS pos, product_id AS value, NULL::text AS label, sort_key AS n, "
    "NULL::bigint AS m, NULL::bigint AS x FROM ($1) page WHERE $2";

// The facets of a first page, counted over a sample (brands counted before their names are joined, attribute pairs
// unnested in the select list: each a fraction of the CPU of joining every sampled row or of a function scan per row,
// measured at 4.1-4.3 against 3.6 ms of the whole statement for 手机 on 100,000 products): the first $1 matches the
// scan finds (the sample's size plus one, to tell whether there are more), so the read is bounded however many products
// match (q=手机 on 100,000 products: 1,001 rows where counting all reads 8,339; the whole catalogue: 1,001 rows instead
// of 100,000). When fewer than $1 match, the sample is every match and the counts are exact; else the store scales
// them. Kinds: 't' the sample's size (n) with its lowest (m) and highest (x) price, and in value, when the sample is
// full, the planner's estimate of every match ($7: the query of kEstimateSql for zt_search_estimate, migration 0019:
// planned, never run); 'b' the 20 brands with most matches (value brand id, label name, n count), 'a' the 100 commonest
// attribute pairs (value name U+001F value, n count), 'r' the price bands with matches (pos band number from 0, m its
// lower edge, x its width, n count), the band width being the first of PriceBandWidths (arrays $2 widths, $3 the spans
// they cover) that covers the sample's span of prices, and 'p' the page (value product id, n sort key) in its order ($4
// sort key, $5 order, $6 limit) when the sample holds every match, which makes a query with few matches this one
// statement (with more the page is kPageStatementSql's). $0 filters.
constexpr char kFacetSql[] = R"sql(
WITH matched AS MATERIALIZED (
  SELECT ps.product_id, $4 AS sort_key, ps.brand_id, ps.min_price, ps.attributes FROM product_search ps
  WHERE $0 LIMIT $1),
totals AS (SELECT count(*) AS n, min(min_price) AS lowest, max(min_price) AS highest FROM matched),
band AS (
  SELECT w.width, (t.lowest / w.width) * w.width AS start FROM totals t
  CROSS JOIN LATERAL (SELECT c.width FROM unnest($2::bigint[], $3::bigint[]) AS c (width, max_span)
                      WHERE c.max_span >= t.highest - t.lowest + 1 ORDER BY c.width LIMIT 1) w)
SELECT kind, pos, value, label, n, m, x FROM (
  SELECT 't' AS kind, 0::bigint AS pos, CASE WHEN n >= $1 THEN zt_search_estimate($7)::text END AS value,
         NULL::text AS label, n, lowest AS m, highest AS x
  FROM totals
  UNION ALL
  SELECT 'p', row_number() OVER (), product_id, NULL, sort_key, NULL, NULL
  FROM (SELECT product_id, sort_key FROM matched ORDER BY $5 LIMIT $6) page
  WHERE (SELECT n FROM totals) < $1
  UNION ALL
  SELECT 'b', row_number() OVER (), brand_id, name, n, NULL, NULL FROM (
    SELECT c.brand_id, b.name, c.n FROM (
      SELECT brand_id, count(*) AS n FROM matched WHERE brand_id IS NOT NULL GROUP BY brand_id) c
    JOIN brands b ON b.brand_id = c.brand_id ORDER BY c.n DESC, c.brand_id LIMIT 20) brands
  UNION ALL
  SELECT 'a', row_number() OVER (), value, NULL, n, NULL, NULL FROM (
    SELECT value, count(*) AS n FROM (SELECT unnest(m.attributes) AS value FROM matched m) pairs
    GROUP BY value ORDER BY count(*) DESC, value LIMIT 100) attributes
  UNION ALL
  SELECT 'r', (m.min_price - band.start) / band.width, NULL, NULL, count(*), min(band.start), min(band.width)
  FROM matched m CROSS JOIN band GROUP BY 2
) answer
ORDER BY kind, pos)sql";

// A page from the index (a later page, or a first page with more matches than the facet sample): $0 the common table
// expressions ("WITH ..." or nothing), $1 the page's rows (kPageRows).
constexpr char kPageStatementSql[] = "$0SELECT kind, pos, value, label, n, m, x FROM ($1) answer ORDER BY kind, pos";

// The query whose row count the planner estimates for a first page with more matches than the sample: the filters
// without the text checks of long terms (the planner cannot estimate strpos and would guess a third; their grams
// stand for them), with the values written in (it is planned on its own, inside zt_search_estimate).
constexpr char kEstimateSql[] = "SELECT 1 FROM product_search ps WHERE $0";

constexpr char kAttributeSeparator = '\x1f';

// A statement's parameters as it is put together: Add gives the placeholder of a value ($n), or with `quoting` the
// value itself as a quoted literal (for the estimate's query, which is planned apart from its statement).
class Params {
 public:
  explicit Params(const pqxx::transaction_base* quoting = nullptr) : quoting_(quoting) {}
  std::string Add(std::string value) {
    if (quoting_ != nullptr) return quoting_->quote(value);
    values_.push_back(std::move(value));
    return absl::StrCat("$", values_.size());
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  const pqxx::transaction_base* quoting_;
  std::vector<std::string> values_;
};

bool NeedsTextCheck(const std::string& term) {
  absl::StatusOr<std::vector<std::string>> characters = Utf8Characters(term, "q");
  return !characters.ok() || characters->size() > 2;
}

enum class FilterUse { kMatch, kEstimate };

// `subtree`: the category with its descendants when the query has a category.
std::string Filters(const SearchQuery& query, const std::vector<std::string>& subtree, Params& params,
                    FilterUse use = FilterUse::kMatch) {
  std::vector<std::string> filters = {kShopperFilter};
  if (!query.terms.empty()) {
    filters.push_back(absl::Substitute(kGramsFilter, params.Add(pg::TextArrayLiteral(query.grams))));
    for (const std::string& term : query.terms) {
      if (use == FilterUse::kMatch && NeedsTextCheck(term)) {
        filters.push_back(absl::Substitute(kTermFilter, params.Add(term)));
      }
    }
  }
  if (!query.category_id.empty()) {
    filters.push_back(absl::Substitute(kCategoryFilter, params.Add(pg::TextArrayLiteral(subtree))));
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

// The rank of a product with every term in its title (kTermRank).
int64_t TopRank(const SearchQuery& query) { return 2 * static_cast<int64_t>(query.terms.size()); }

// The top rank's page, when the query is ranked by relevance and its cursor (if any) is within the top rank.
std::optional<std::string> TopTierSql(const SearchQuery& query, const std::string& filters, Params& params, int limit) {
  if (query.sort != SearchSort::kRelevance || query.terms.empty()) return std::nullopt;
  if (query.after && query.after->key != TopRank(query)) return std::nullopt;
  std::vector<std::string> in_title = {filters};
  for (const std::string& term : query.terms) in_title.push_back(absl::Substitute(kTitleTermFilter, params.Add(term)));
  std::string cursor = query.after ? absl::StrCat("ps.product_id < ", params.Add(query.after->product_id)) : "true";
  return absl::Substitute(kTopTierSql, TopRank(query), absl::StrJoin(in_title, " AND "), cursor,
                          params.Add(absl::StrCat(limit)));
}

// A page read from the index (not from the facet sample), as answer rows: the top rank's ('q') when the query may use
// it, and every match ranked ('g') only when there is no top rank page or it does not fill the page.
struct IndexPage {
  std::string ctes;  // the common table expressions the rows use ("" for none)
  std::string rows;  // UNION ALL of kPageRows
};

IndexPage IndexPageRows(const SearchQuery& query, const std::string& filters, Params& params, int limit) {
  IndexPage out;
  std::string ranked_gate = "true";
  if (std::optional<std::string> top = TopTierSql(query, filters, params, limit)) {
    out.ctes = absl::StrCat("top AS (", *top, ")");
    out.rows =
        absl::StrCat(absl::Substitute(kPageRows, "q", "SELECT product_id, sort_key FROM top", "true"), "\nUNION ALL\n");
    ranked_gate = absl::StrCat("(SELECT count(*) FROM top) < ", params.Add(absl::StrCat(limit)));
  }
  absl::StrAppend(&out.rows, absl::Substitute(kPageRows, "g", PageSql(query, filters, params, limit), ranked_gate));
  return out;
}

// The hits of an index page's rows: the top rank's when they fill the page, else every match ranked.
std::vector<SearchHit> IndexPageHits(std::vector<SearchHit> top, std::vector<SearchHit> ranked, int limit) {
  return static_cast<int>(top.size()) >= limit ? std::move(top) : std::move(ranked);
}

// Statements run as named prepared statements, one per distinct text (a shape: which filters, how many words, which
// sort), numbered as first seen, so that each connection parses a shape once (libpqxx prepares a name on a
// connection on its first use there). Past kMaxPreparedShapes distinct texts (each connection would keep every one
// it ran) a statement runs unnamed.
constexpr size_t kMaxPreparedShapes = 256;

std::optional<std::string> PreparedName(const std::string& sql) {
  static std::mutex mu;
  static auto* names = new std::map<std::string, std::string>();
  std::lock_guard<std::mutex> lock(mu);
  auto it = names->find(sql);
  if (it != names->end()) return it->second;
  if (names->size() >= kMaxPreparedShapes) return std::nullopt;
  std::string name = absl::StrCat("product_search_", names->size() + 1);
  names->emplace(sql, name);
  return name;
}

pqxx::result Exec(pqxx::work& tx, const std::string& sql, const Params& params, bool prepared) {
  if (prepared) {
    if (std::optional<std::string> name = PreparedName(sql)) {
      tx.conn().prepare(*name, sql);
      return tx.exec_prepared(*name, pqxx::prepare::make_dynamic_params(params.values()));
    }
  }
  return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(params.values()));
}

// What one statement answered (kFacetSql or kPageStatementSql).
struct Answer {
  int64_t sampled = 0;
  std::optional<int64_t> estimate;
  std::vector<SearchHit> sample_page;  // 'p'
  std::vector<SearchHit> top_page;     // 'q'
  std::vector<SearchHit> ranked_page;  // 'g'
  SearchFacets facets;
};

Answer ReadAnswer(const pqxx::result& rows) {
  Answer out;
  std::map<std::string, std::vector<FacetCount>> attributes;
  for (const auto& row : rows) {
    std::string kind = row[0].as<std::string>();
    int64_t n = row[4].as<int64_t>();
    if (kind == "t") {
      out.sampled = n;
      int64_t estimate = 0;
      if (!row[2].is_null() && absl::SimpleAtoi(row[2].as<std::string>(), &estimate)) out.estimate = estimate;
    } else if (kind == "p") {
      out.sample_page.push_back({row[2].as<std::string>(), n});
    } else if (kind == "q") {
      out.top_page.push_back({row[2].as<std::string>(), n});
    } else if (kind == "g") {
      out.ranked_page.push_back({row[2].as<std::string>(), n});
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
  return out;
}

int64_t Scaled(int64_t count, double factor) { return std::max<int64_t>(1, std::llround(count * factor)); }

}  // namespace

absl::StatusOr<SearchStoreResult> PgProductSearchStore::Search(const SearchQuery& query, int limit,
                                                               const PriceBandRule& bands) {
  SearchStoreResult out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out = SearchStoreResult();
    tx.exec(query.terms.empty() ? std::string(kSnapshot) : absl::StrCat(kSnapshot, "; ", kTextQueryPlan));
    std::vector<std::string> subtree;
    if (!query.category_id.empty()) {
      Params subtree_params;
      subtree_params.Add(query.category_id);
      for (const auto& row : Exec(tx, kSubtreeSql, subtree_params, prepare_)) {
        subtree.push_back(row[0].as<std::string>());
      }
    }
    Params filter_params;  // the filters' values: the first parameters of every statement
    const std::string filters = Filters(query, subtree, filter_params);
    // The page from the index: the top rank's when it fills the page, else every match ranked, in one statement.
    auto index_page = [&]() -> std::vector<SearchHit> {
      Params params = filter_params;
      IndexPage page = IndexPageRows(query, filters, params, limit);
      std::string sql = absl::Substitute(kPageStatementSql,
                                         page.ctes.empty() ? "" : absl::StrCat("WITH ", page.ctes, "\n"), page.rows);
      Answer answer = ReadAnswer(Exec(tx, sql, params, prepare_));
      return IndexPageHits(std::move(answer.top_page), std::move(answer.ranked_page), limit);
    };

    if (query.with_facets) {
      // The facet sample first, with the page when the sample holds every match.
      std::vector<int64_t> widths;
      std::vector<int64_t> spans;
      for (const PriceBandWidth& band : bands) {
        widths.push_back(band.width);
        spans.push_back(band.max_span);
      }
      Params params = filter_params;
      std::string sample = params.Add(absl::StrCat(facet_sample_ + 1));
      std::string width_list = params.Add(pg::BigintArrayLiteral(widths));
      std::string span_list = params.Add(pg::BigintArrayLiteral(spans));
      SortOrder sort = SortOf(query, params);
      std::string page_limit = params.Add(absl::StrCat(limit));
      Params literals(&tx);
      std::string estimate =
          params.Add(absl::Substitute(kEstimateSql, Filters(query, subtree, literals, FilterUse::kEstimate)));
      std::string sql = absl::Substitute(kFacetSql, filters, sample, width_list, span_list, sort.key, sort.order,
                                         page_limit, estimate);
      Answer answer = ReadAnswer(Exec(tx, sql, params, prepare_));
      out.facets = std::move(answer.facets);
      out.total = answer.sampled;
      if (answer.sampled <= facet_sample_) {
        out.hits = std::move(answer.sample_page);
      } else {
        // More match than the sample: the total is the planner's estimate (at least what was seen) and every count
        // is the sample's, scaled to it; the page comes from the index.
        out.hits = index_page();
        out.total = std::max(answer.sampled, answer.estimate.value_or(0));
        out.estimated = true;
        double factor = static_cast<double>(out.total) / static_cast<double>(answer.sampled);
        for (FacetCount& brand : out.facets.brands) brand.count = Scaled(brand.count, factor);
        for (AttributeFacet& attribute : out.facets.attributes) {
          for (FacetCount& value : attribute.values) value.count = Scaled(value.count, factor);
        }
        for (PriceBand& band : out.facets.price_bands) band.count = Scaled(band.count, factor);
      }
    } else {
      out.hits = index_page();
    }
    std::vector<std::string> ids;
    for (const SearchHit& hit : out.hits) ids.push_back(hit.product_id);
    out.products = pg_store::LoadProductRows(tx, ids);
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::product
