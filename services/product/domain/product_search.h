// Shoppers' search and listing (GET /v1/products): checking the request into a query, opaque keyset page tokens,
// price bands, and the use case itself with its cache. Only published products are ever returned, whatever the
// store answers (ShopperView), and a product never carries more than ShopperView leaves in it.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/product/domain/listing_cache.h"
#include "services/product/domain/search_model.h"

namespace zhongtai::product {

inline constexpr int kDefaultSearchPageSize = 20;
inline constexpr int kMaxSearchPageSize = 100;
inline constexpr size_t kMaxSearchQueryBytes = 200;
inline constexpr size_t kMaxSearchTerms = 8;
inline constexpr size_t kMaxFilterValues = 20;
inline constexpr size_t kMaxFilterValueBytes = 200;
inline constexpr int kMaxPriceBands = 5;

// The request checked and normalized. INVALID_ARGUMENT naming the field (as the channel spells it): q
// (FIELD_TOO_LONG, INVALID_UTF8, TOO_MANY_SEARCH_TERMS), categoryId / brandId (FIELD_TOO_LONG, TOO_MANY_VALUES),
// attribute (INVALID_ATTRIBUTE_FILTER, TOO_MANY_VALUES), priceMin / priceMax (INVALID_PRICE_RANGE), sort
// (INVALID_SORT), pageSize (PAGE_SIZE_NEGATIVE), pageToken (INVALID_PAGE_TOKEN: not a token of this query and
// sort, e.g. the filters changed since, or not a token at all).
absl::StatusOr<SearchQuery> ParseSearchRequest(const SearchRequest& request);

const char* SearchSortName(SearchSort sort);

// The query without its page: two requests with the same one list the same products in the same order.
std::string QueryFingerprint(const SearchQuery& query);
// A token holds the cursor and the fingerprint of the query it continues.
std::string EncodeSearchPageToken(const SearchQuery& query, const SearchCursor& cursor);
absl::StatusOr<SearchCursor> DecodeSearchPageToken(const SearchQuery& query, const std::string& token);

// The widths a price band may have (1, 2 or 5 times a power of ten, at least one yuan), narrowest first, each with
// the widest span of prices (highest - lowest + 1) that kMaxPriceBands bands of it cover from a multiple of it at or
// below the lowest. The width for a range is the first that covers its span. As data, so that the store can count
// the bands in the same statement that finds the lowest and highest price (a store test checks they agree).
struct PriceBandWidth {
  int64_t width = 0;
  int64_t max_span = 0;
};
using PriceBandRule = std::vector<PriceBandWidth>;
const PriceBandRule& PriceBandWidths();

// Band edges for prices from `lowest` to `highest` (minor units): at most kMaxPriceBands bands of one round
// width (PriceBandWidths), the first starting at a multiple of it at or below `lowest`, the last ending above
// `highest`. Band i is [edges[i], edges[i + 1]).
std::vector<int64_t> PriceBandEdges(int64_t lowest, int64_t highest);

// Search over the store: implemented in store/pg_product_search.cc, faked in tests.
class ProductSearchStore {
 public:
  virtual ~ProductSearchStore() = default;
  // One snapshot: up to `limit` hits after query.after in the query's order (published products with something on
  // sale only), their products; with query.with_facets also the total, brand and attribute counts, and the price
  // bands of the width `bands` gives for the span of prices among the matches (as PriceBandEdges cuts them).
  virtual absl::StatusOr<SearchStoreResult> Search(const SearchQuery& query, int limit, const PriceBandRule& bands) = 0;
};

// The page's bytes as the API sends them (the domain does not know the wire format; the API gives this).
using ListingEncoder = std::function<std::string(const SearchResult& result)>;

class ProductSearch {
 public:
  // cache, encode: optional. With `encode` every page answered carries its encoded bytes (ListingPage::encoded),
  // encoded once when it is computed, so a cached page costs no encoding on any later request.
  ProductSearch(ProductSearchStore& store, ListingCache* cache = nullptr, ListingEncoder encode = nullptr);

  // The cached page, without touching the store (a caller may answer without blocking). When lookup.refresh is
  // true the page is past its TTL and this caller must call Refresh (on a thread that may block) or, if it cannot,
  // RefreshAbandoned; every other caller gets the stale page meanwhile.
  ListingCache::Lookup Cached(const SearchQuery& query);
  // With a cache, concurrent misses of one page wait for the first one's answer instead of each asking the store
  // (a hot page expiring under load would otherwise send every caller to the database at once); only an answer
  // started in the current generation is shared.
  absl::StatusOr<ListingPagePtr> Search(const SearchQuery& query);
  // The refresh a stale lookup asked for: the page asked of the store (joining a search of it already running) and
  // stored; when that fails the next stale lookup asks again.
  void Refresh(const SearchQuery& query);
  void RefreshAbandoned(const SearchQuery& query);

 private:
  struct Flight {
    uint64_t generation = 0;
    bool done = false;
    absl::StatusOr<ListingPagePtr> result;
    std::condition_variable finished;
  };
  absl::StatusOr<ListingPagePtr> AskStore(const SearchQuery& query, uint64_t generation);

  ProductSearchStore& store_;
  ListingCache* cache_;
  ListingEncoder encode_;
  std::mutex flights_mu_;
  std::map<std::string, std::shared_ptr<Flight>> flights_;
};

// The cache key of a query with its page.
std::string ListingCacheKey(const SearchQuery& query);

}  // namespace zhongtai::product
