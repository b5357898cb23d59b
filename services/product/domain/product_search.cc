#include "services/product/domain/product_search.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"
#include "services/product/domain/product_lifecycle.h"
#include "services/product/domain/search_text.h"

namespace zhongtai::product {
namespace {

constexpr char kTokenVersion[] = "s1";

struct SortName {
  SearchSort sort;
  const char* name;
};
constexpr SortName kSortNames[] = {{SearchSort::kRelevance, "relevance"},
                                   {SearchSort::kPriceAscending, "price_asc"},
                                   {SearchSort::kPriceDescending, "price_desc"},
                                   {SearchSort::kNewest, "newest"},
                                   {SearchSort::kSales, "sales"}};

// FNV-1a, 64 bits: the same on every replica and build (std::hash is not).
uint64_t StableHash(absl::string_view text) {
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

absl::StatusOr<std::vector<std::string>> FilterValues(const std::vector<std::string>& values,
                                                      const std::string& field) {
  if (values.size() > kMaxFilterValues) {
    return InvalidArgument(field, "TOO_MANY_VALUES", absl::StrCat("at most ", kMaxFilterValues, " values"));
  }
  std::set<std::string> distinct;
  for (const std::string& value : values) {
    if (value.empty() || value.size() > kMaxFilterValueBytes) {
      return InvalidArgument(field, "FIELD_TOO_LONG",
                             absl::StrCat(field, " values must be 1 to ", kMaxFilterValueBytes, " bytes"));
    }
    RETURN_IF_ERROR(Utf8Characters(value, field).status());
    distinct.insert(value);
  }
  return std::vector<std::string>(distinct.begin(), distinct.end());
}

absl::StatusOr<std::vector<AttributeFilter>> ParseAttributes(const std::vector<std::string>& raw) {
  ASSIGN_OR_RETURN(std::vector<std::string> values, FilterValues(raw, "attribute"));
  std::map<std::string, std::set<std::string>> by_name;
  for (const std::string& value : values) {
    size_t colon = value.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
      return InvalidArgument("attribute", "INVALID_ATTRIBUTE_FILTER",
                             absl::StrCat("attribute filter \"", value, "\" must be name:value, e.g. color:black"));
    }
    by_name[value.substr(0, colon)].insert(value.substr(colon + 1));
  }
  std::vector<AttributeFilter> out;
  for (auto& [name, set] : by_name) out.push_back({name, {set.begin(), set.end()}});
  return out;
}

absl::StatusOr<SearchSort> ParseSort(const std::string& sort, bool has_terms) {
  if (sort.empty()) return has_terms ? SearchSort::kRelevance : SearchSort::kNewest;
  for (const SortName& entry : kSortNames) {
    if (sort == entry.name) return entry.sort;
  }
  return InvalidArgument("sort", "INVALID_SORT", "sort must be relevance, price_asc, price_desc, newest or sales");
}

absl::Status InvalidToken(absl::string_view why) {
  return InvalidArgument("pageToken", "INVALID_PAGE_TOKEN",
                         absl::StrCat("pageToken ", why, "; ask for the first page again without it"));
}

}  // namespace

const char* SearchSortName(SearchSort sort) {
  for (const SortName& entry : kSortNames) {
    if (entry.sort == sort) return entry.name;
  }
  return "newest";
}

absl::StatusOr<SearchQuery> ParseSearchRequest(const SearchRequest& request) {
  SearchQuery query;
  if (request.q.size() > kMaxSearchQueryBytes) {
    return InvalidArgument("q", "FIELD_TOO_LONG", absl::StrCat("q is longer than ", kMaxSearchQueryBytes, " bytes"));
  }
  RETURN_IF_ERROR(Utf8Characters(request.q, "q").status());
  query.terms = SearchTokens(NormalizeSearchText(request.q));
  if (query.terms.size() > kMaxSearchTerms) {
    return InvalidArgument("q", "TOO_MANY_SEARCH_TERMS", absl::StrCat("at most ", kMaxSearchTerms, " words"));
  }
  std::set<std::string> grams;
  for (const std::string& term : query.terms) {
    for (std::string& gram : TermGrams(term)) grams.insert(std::move(gram));
  }
  query.grams.assign(grams.begin(), grams.end());

  if (request.category_id.size() > kMaxFilterValueBytes) {
    return InvalidArgument("categoryId", "FIELD_TOO_LONG", "categoryId is too long");
  }
  query.category_id = request.category_id;
  ASSIGN_OR_RETURN(query.brand_ids, FilterValues(request.brand_ids, "brandId"));
  ASSIGN_OR_RETURN(query.attributes, ParseAttributes(request.attributes));
  if (request.price_min && *request.price_min < 0) {
    return InvalidArgument("priceMin", "INVALID_PRICE_RANGE", "priceMin must not be negative");
  }
  if (request.price_max && *request.price_max < 0) {
    return InvalidArgument("priceMax", "INVALID_PRICE_RANGE", "priceMax must not be negative");
  }
  if (request.price_min && request.price_max && *request.price_min > *request.price_max) {
    return InvalidArgument("priceMax", "INVALID_PRICE_RANGE", "priceMax must not be below priceMin");
  }
  query.price_min = request.price_min;
  query.price_max = request.price_max;
  query.in_stock_only = request.in_stock_only;
  ASSIGN_OR_RETURN(query.sort, ParseSort(request.sort, !query.terms.empty()));

  if (request.page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  query.page_size = request.page_size == 0 ? kDefaultSearchPageSize : std::min(request.page_size, kMaxSearchPageSize);
  if (!request.page_token.empty()) {
    ASSIGN_OR_RETURN(SearchCursor cursor, DecodeSearchPageToken(query, request.page_token));
    query.after = std::move(cursor);
  }
  query.with_facets = !query.after.has_value();
  return query;
}

std::string QueryFingerprint(const SearchQuery& query) {
  std::vector<std::string> attributes;
  for (const AttributeFilter& filter : query.attributes) {
    attributes.push_back(absl::StrCat(filter.name, "=", absl::StrJoin(filter.values, "\x1f")));
  }
  std::string canonical = absl::StrJoin(
      {absl::StrJoin(query.terms, "\x1f"), query.category_id, absl::StrJoin(query.brand_ids, "\x1f"),
       query.price_min ? absl::StrCat(*query.price_min) : std::string("-"),
       query.price_max ? absl::StrCat(*query.price_max) : std::string("-"), absl::StrJoin(attributes, "\x1d"),
       std::string(query.in_stock_only ? "1" : "0"), std::string(SearchSortName(query.sort))},
      "\x1e");
  return absl::StrCat(absl::Hex(StableHash(canonical), absl::kZeroPad16));
}

std::string EncodeSearchPageToken(const SearchQuery& query, const SearchCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrJoin({std::string(kTokenVersion), std::string(SearchSortName(query.sort)),
                                                  absl::StrCat(cursor.key), QueryFingerprint(query), cursor.product_id},
                                                 "|"));
}

absl::StatusOr<SearchCursor> DecodeSearchPageToken(const SearchQuery& query, const std::string& token) {
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) return InvalidToken("is not a page token");
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('|', 4));
  SearchCursor cursor;
  if (parts.size() != 5 || parts[0] != kTokenVersion || !absl::SimpleAtoi(parts[2], &cursor.key) || parts[4].empty()) {
    return InvalidToken("is not a page token of this list");
  }
  if (parts[1] != SearchSortName(query.sort) || parts[3] != QueryFingerprint(query)) {
    return InvalidToken("belongs to another query (q, filters or sort changed)");
  }
  cursor.product_id = parts[4];
  return cursor;
}

const PriceBandRule& PriceBandWidths() {
  static const PriceBandRule* const kWidths = [] {
    auto* widths = new PriceBandRule;
    // A band may start below the lowest price by less than its width, so kMaxPriceBands bands cover a span of
    // (kMaxPriceBands - 1) widths wherever the lowest price falls.
    for (int64_t power = 100; power <= 100'000'000'000'000'000; power *= 10) {
      for (int64_t multiple : {1, 2, 5}) {
        widths->push_back({multiple * power, (kMaxPriceBands - 1) * multiple * power});
      }
    }
    return widths;
  }();
  return *kWidths;
}

std::vector<int64_t> PriceBandEdges(int64_t lowest, int64_t highest) {
  if (highest < lowest) std::swap(lowest, highest);
  int64_t span = highest - lowest + 1;
  int64_t width = PriceBandWidths().back().width;
  for (const PriceBandWidth& candidate : PriceBandWidths()) {
    if (span <= candidate.max_span) {
      width = candidate.width;
      break;
    }
  }
  std::vector<int64_t> edges;
  int64_t edge = (lowest / width) * width;
  edges.push_back(edge);
  while (edge <= highest) {
    edge += width;
    edges.push_back(edge);
  }
  return edges;
}

std::string ListingCacheKey(const SearchQuery& query) {
  return absl::StrCat(QueryFingerprint(query), "|", query.page_size, "|",
                      query.after ? absl::StrCat(query.after->key, "|", query.after->product_id) : std::string("-"));
}

ProductSearch::ProductSearch(ProductSearchStore& store, ListingCache* cache, ListingEncoder encode)
    : store_(store), cache_(cache), encode_(std::move(encode)) {}

ListingCache::Lookup ProductSearch::Cached(const SearchQuery& query) {
  if (cache_ == nullptr) return {};
  return cache_->Get(ListingCacheKey(query));
}

absl::StatusOr<ListingPagePtr> ProductSearch::Search(const SearchQuery& query) {
  if (cache_ == nullptr) return AskStore(query, 0);
  std::string key = ListingCacheKey(query);
  uint64_t generation = cache_->generation();
  std::shared_ptr<Flight> flight;
  {
    std::unique_lock<std::mutex> lock(flights_mu_);
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second->generation == generation) {
      std::shared_ptr<Flight> joined = it->second;
      joined->finished.wait(lock, [&] { return joined->done; });
      return joined->result;
    }
    flight = std::make_shared<Flight>();
    flight->generation = generation;
    flights_[key] = flight;
  }
  absl::StatusOr<ListingPagePtr> result = AskStore(query, generation);
  {
    std::lock_guard<std::mutex> lock(flights_mu_);
    flight->result = result;
    flight->done = true;
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second == flight) flights_.erase(it);
  }
  flight->finished.notify_all();
  return result;
}

void ProductSearch::Refresh(const SearchQuery& query) {
  if (!Search(query).ok()) RefreshAbandoned(query);
}

void ProductSearch::RefreshAbandoned(const SearchQuery& query) {
  if (cache_ != nullptr) cache_->RefreshAbandoned(ListingCacheKey(query));
}

absl::StatusOr<ListingPagePtr> ProductSearch::AskStore(const SearchQuery& query, uint64_t generation) {
  // One more than the page tells whether a next page exists.
  ASSIGN_OR_RETURN(SearchStoreResult found, store_.Search(query, query.page_size + 1, PriceBandWidths()));
  auto page = std::make_shared<ListingPage>();
  SearchResult& result = page->result;
  bool more = static_cast<int>(found.hits.size()) > query.page_size;
  if (more) {
    found.hits.resize(query.page_size);
    const SearchHit& last = found.hits.back();
    result.next_page_token = EncodeSearchPageToken(query, {last.sort_key, last.product_id});
  }
  std::set<std::string> on_page;
  for (const SearchHit& hit : found.hits) on_page.insert(hit.product_id);
  for (Product& product : found.products) {
    if (on_page.count(product.product_id) == 0) continue;
    // The store selects published products; a product unpublished between its queries is still left out here.
    if (std::optional<Product> shown = ShopperView(std::move(product))) result.products.push_back(std::move(*shown));
  }
  result.facets = std::move(found.facets);
  result.total = found.total;
  result.counts_estimated = found.estimated;
  if (encode_) page->encoded = encode_(result);
  ListingPagePtr shared = std::move(page);
  if (cache_ != nullptr) cache_->Put(ListingCacheKey(query), generation, shared);
  return shared;
}

}  // namespace zhongtai::product
