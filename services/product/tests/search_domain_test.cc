// Shoppers' search without a database: how text is cut (so 手机 finds 华为手机), how a request is checked (the field
// named), page tokens, price bands, and the listing cache with its generations.
#include <atomic>
#include <catch2/catch.hpp>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/clock/clock.h"
#include "common/status/status.h"
#include "services/product/domain/listing_cache.h"
#include "services/product/domain/product_search.h"
#include "services/product/domain/search_text.h"

namespace zhongtai::product {
namespace {

bool Contains(const std::vector<std::string>& all, const std::vector<std::string>& some) {
  std::set<std::string> set(all.begin(), all.end());
  for (const std::string& s : some) {
    if (set.count(s) == 0) return false;
  }
  return true;
}

TEST_CASE("a two-character Chinese query needs only grams that a longer title holds", "[search]") {
  std::vector<std::string> title = IndexGrams(NormalizeSearchText("华为手机 Mate 60"));
  CHECK(TermGrams("手机") == std::vector<std::string>{"手机"});
  CHECK(Contains(title, TermGrams("手机")));
  CHECK(Contains(title, TermGrams("华为手机")));
  CHECK(Contains(title, TermGrams("机")));  // one character: its unigram
  CHECK(Contains(title, TermGrams("mate")));
  CHECK_FALSE(Contains(title, TermGrams("手表")));
  CHECK_FALSE(Contains(title, TermGrams("苹果")));
}

TEST_CASE("search text is cut at whitespace only and lower-cased in ASCII only", "[search]") {
  CHECK(NormalizeSearchText("  Huawei\t华为\u3000Mate60  ") == "huawei 华为 mate60");
  CHECK(NormalizeSearchText("ÄB") == "Äb");  // what lower(x COLLATE "C") does too
  CHECK(SearchTokens("a b a  c") == std::vector<std::string>{"a", "b", "c"});
  CHECK(IndexGrams("ab") == std::vector<std::string>{"a", "ab", "b"});
  CHECK(Utf8Characters("手机", "q")->size() == 2);
  absl::Status bad = Utf8Characters(std::string("\xE6\x89", 2), "q").status();
  CHECK(FieldOf(bad) == "q");
  CHECK(ReasonOf(bad) == "INVALID_UTF8");
}

TEST_CASE("every search parameter is checked and a bad one is named", "[search]") {
  auto reject = [](SearchRequest request, const std::string& field, const std::string& reason) {
    absl::StatusOr<SearchQuery> parsed = ParseSearchRequest(request);
    REQUIRE_FALSE(parsed.ok());
    CHECK(parsed.status().code() == absl::StatusCode::kInvalidArgument);
    CHECK(FieldOf(parsed.status()) == field);
    CHECK(ReasonOf(parsed.status()) == reason);
  };
  SearchRequest r;
  r.q = std::string(201, 'a');
  reject(r, "q", "FIELD_TOO_LONG");
  r.q = "a b c d e f g h i";
  reject(r, "q", "TOO_MANY_SEARCH_TERMS");
  r = {};
  r.q = std::string("\xFF", 1);
  reject(r, "q", "INVALID_UTF8");
  r = {};
  r.brand_ids.assign(21, "b");
  for (int i = 0; i < 21; ++i) r.brand_ids[i] += std::to_string(i);
  reject(r, "brandId", "TOO_MANY_VALUES");
  r = {};
  r.brand_ids = {""};
  reject(r, "brandId", "FIELD_TOO_LONG");
  r = {};
  r.attributes = {"color"};
  reject(r, "attribute", "INVALID_ATTRIBUTE_FILTER");
  r.attributes = {":black"};
  reject(r, "attribute", "INVALID_ATTRIBUTE_FILTER");
  r.attributes = {"color:"};
  reject(r, "attribute", "INVALID_ATTRIBUTE_FILTER");
  r = {};
  r.price_min = -1;
  reject(r, "priceMin", "INVALID_PRICE_RANGE");
  r = {};
  r.price_max = -1;
  reject(r, "priceMax", "INVALID_PRICE_RANGE");
  r.price_min = 500;
  r.price_max = 100;
  reject(r, "priceMax", "INVALID_PRICE_RANGE");
  r = {};
  r.sort = "cheapest";
  reject(r, "sort", "INVALID_SORT");
  r = {};
  r.page_size = -1;
  reject(r, "pageSize", "PAGE_SIZE_NEGATIVE");
  r = {};
  r.page_token = "%%%";
  reject(r, "pageToken", "INVALID_PAGE_TOKEN");
  r.page_token = "bm90IGEgdG9rZW4";  // "not a token"
  reject(r, "pageToken", "INVALID_PAGE_TOKEN");
}

TEST_CASE("a query is normalized: terms, sorted filters, default sort and page size", "[search]") {
  SearchRequest r;
  r.q = "  华为 Mate  华为 ";
  r.brand_ids = {"b2", "b1", "b2"};
  r.attributes = {"color:white", "memory:256G", "color:black"};
  r.page_size = 500;
  absl::StatusOr<SearchQuery> q = ParseSearchRequest(r);
  REQUIRE(q.ok());
  CHECK(q->terms == std::vector<std::string>{"华为", "mate"});
  CHECK(q->brand_ids == std::vector<std::string>{"b1", "b2"});
  REQUIRE(q->attributes.size() == 2);
  CHECK(q->attributes[0].name == "color");
  CHECK(q->attributes[0].values == std::vector<std::string>{"black", "white"});
  CHECK(q->sort == SearchSort::kRelevance);
  CHECK(q->page_size == kMaxSearchPageSize);
  CHECK(q->with_facets);
  r.q = "";
  r.page_size = 0;
  q = ParseSearchRequest(r);
  CHECK(q->sort == SearchSort::kNewest);
  CHECK(q->page_size == kDefaultSearchPageSize);
}

TEST_CASE("a page token continues its own query only", "[search]") {
  SearchRequest r;
  r.q = "手机";
  r.sort = "price_asc";
  r.price_max = 500000;
  SearchQuery query = *ParseSearchRequest(r);
  std::string token = EncodeSearchPageToken(query, {199900, "p_42"});

  r.page_token = token;
  absl::StatusOr<SearchQuery> next = ParseSearchRequest(r);
  REQUIRE(next.ok());
  REQUIRE(next->after.has_value());
  CHECK(next->after->key == 199900);
  CHECK(next->after->product_id == "p_42");
  CHECK_FALSE(next->with_facets);
  // The same filters written differently are the same query.
  r.q = " 手机 ";
  CHECK(ParseSearchRequest(r).ok());

  auto stale = [&](SearchRequest changed) {
    changed.page_token = token;
    absl::StatusOr<SearchQuery> parsed = ParseSearchRequest(changed);
    REQUIRE_FALSE(parsed.ok());
    CHECK(FieldOf(parsed.status()) == "pageToken");
    CHECK(ReasonOf(parsed.status()) == "INVALID_PAGE_TOKEN");
  };
  SearchRequest other = r;
  other.sort = "price_desc";
  stale(other);
  other = r;
  other.q = "电脑";
  stale(other);
  other = r;
  other.price_max = 600000;
  stale(other);
  other = r;
  other.in_stock_only = true;
  stale(other);
  other = r;
  other.brand_ids = {"b1"};
  stale(other);
}

TEST_CASE("price bands have one round width, cover the range and are at most five", "[search]") {
  CHECK(PriceBandEdges(1999, 1999) == std::vector<int64_t>{1900, 2000});
  CHECK(PriceBandEdges(0, 100000) == std::vector<int64_t>{0, 50000, 100000, 150000});
  for (auto [low, high] : std::vector<std::pair<int64_t, int64_t>>{
           {1, 99}, {100, 100}, {1999, 899900}, {12345, 67890}, {0, 999999999}, {500, 501}}) {
    std::vector<int64_t> edges = PriceBandEdges(low, high);
    INFO(low << " " << high);
    REQUIRE(edges.size() >= 2);
    CHECK(edges.size() <= kMaxPriceBands + 1);
    CHECK(edges.front() <= low);
    CHECK(edges.back() > high);
    int64_t width = edges[1] - edges[0];
    std::string digits = std::to_string(width);
    CHECK((digits[0] == '1' || digits[0] == '2' || digits[0] == '5'));
    CHECK(digits.find_first_not_of('0', 1) == std::string::npos);
    CHECK(width >= 100);
    for (size_t i = 1; i < edges.size(); ++i) CHECK(edges[i] - edges[i - 1] == width);
  }
}

Product Published(const std::string& id, ProductStatus status = ProductStatus::kPublished) {
  Product p;
  p.product_id = id;
  p.title = id;
  p.status = status;
  Sku sku;
  sku.sku_id = id + "-s";
  sku.product_id = id;
  sku.price = {"CNY", 100};
  sku.product_status = status;
  p.skus.push_back(sku);
  return p;
}

// Answers from a fixed list; `during_search` runs inside Search, as a concurrent change would.
class FakeSearchStore : public ProductSearchStore {
 public:
  absl::StatusOr<SearchStoreResult> Search(const SearchQuery& query, int limit, const PriceBandRule&) override {
    ++calls;
    if (during_search) during_search();
    SearchStoreResult out;
    for (const Product& p : products) {
      if (query.after && p.product_id >= query.after->product_id) continue;
      if (static_cast<int>(out.hits.size()) == limit) break;
      out.hits.push_back({p.product_id, 0});
      out.products.push_back(p);
    }
    out.total = static_cast<int64_t>(products.size());
    return out;
  }
  std::vector<Product> products;
  std::function<void()> during_search;
  std::atomic<int> calls{0};  // SlowSearchStore's released callers count at once
};

TEST_CASE("listing pages: keyset pages, shopper view only, cache served until the catalogue changes",
          "[search][cache]") {
  FakeClock clock;
  ListingCache cache(clock, absl::Seconds(10));
  cache.SetLive(true);
  FakeSearchStore store;
  store.products = {Published("p5"), Published("p4", ProductStatus::kUnpublished), Published("p3"), Published("p2"),
                    Published("p1")};
  ProductSearch search(store, &cache);
  SearchRequest r;
  r.page_size = 2;
  SearchQuery first = *ParseSearchRequest(r);

  absl::StatusOr<ListingPagePtr> page = search.Search(first);
  REQUIRE(page.ok());
  // p4 is not published: even if a store returned it, a shopper does not see it.
  REQUIRE((*page)->result.products.size() == 1);
  CHECK((*page)->result.products[0].product_id == "p5");
  REQUIRE_FALSE((*page)->result.next_page_token.empty());
  r.page_token = (*page)->result.next_page_token;
  absl::StatusOr<ListingPagePtr> second = search.Search(*ParseSearchRequest(r));
  REQUIRE(second.ok());
  REQUIRE((*second)->result.products.size() == 2);
  CHECK((*second)->result.products[0].product_id == "p3");
  CHECK((*second)->result.products[1].product_id == "p2");

  // Repeated: from memory, until a change is heard.
  int calls = store.calls;
  REQUIRE(search.Cached(first).page != nullptr);
  CHECK(search.Cached(first).page->result.products[0].product_id == "p5");
  CHECK_FALSE(search.Cached(first).refresh);
  CHECK(store.calls == calls);
  cache.Invalidate();
  CHECK(search.Cached(first).page == nullptr);

  // A change heard while the store was answering: that answer is not kept (it may predate the change).
  store.during_search = [&] { cache.Invalidate(); };
  REQUIRE(search.Search(first).ok());
  CHECK(search.Cached(first).page == nullptr);
  store.during_search = nullptr;
  REQUIRE(search.Search(first).ok());
  CHECK(search.Cached(first).page != nullptr);

  // Not listening: nothing served, nothing kept, and nothing from before comes back.
  cache.SetLive(false);
  CHECK(search.Cached(first).page == nullptr);
  REQUIRE(search.Search(first).ok());
  cache.SetLive(true);
  CHECK(search.Cached(first).page == nullptr);

  // Past two TTLs (the TTL and the stale window) an entry is gone: the TTL bounds the stock counts shown.
  REQUIRE(search.Search(first).ok());
  clock.Advance(absl::Seconds(21));
  CHECK(search.Cached(first).page == nullptr);
}

TEST_CASE("a page past its TTL is served stale while exactly one caller refreshes it, never after a change",
          "[search][cache]") {
  FakeClock clock;
  ListingCache cache(clock, absl::Seconds(10));
  cache.SetLive(true);
  FakeSearchStore store;
  store.products = {Published("p2"), Published("p1")};
  ProductSearch search(store, &cache,
                       [](const SearchResult& result) { return absl::StrCat("page of ", result.products.size()); });
  SearchQuery query = *ParseSearchRequest({});
  REQUIRE(search.Search(query).ok());
  CHECK(search.Cached(query).page->encoded == "page of 2");  // encoded once, when stored
  int calls = store.calls;

  clock.Advance(absl::Seconds(11));
  store.products = {Published("p3"), Published("p2"), Published("p1")};  // a sale: not notified, the TTL's case
  ListingCache::Lookup first = search.Cached(query);
  REQUIRE(first.page != nullptr);
  CHECK(first.page->result.products.size() == 2);  // the stale page, at once
  CHECK(first.refresh);                            // this caller refreshes
  for (int i = 0; i < 5; ++i) {
    ListingCache::Lookup other = search.Cached(query);
    REQUIRE(other.page != nullptr);
    CHECK_FALSE(other.refresh);  // the others do not
  }
  CHECK(store.calls == calls);
  CHECK(cache.stale_hits() == 6);

  // A refresh that failed (or found no worker) lets the next caller try again.
  search.RefreshAbandoned(query);
  CHECK(search.Cached(query).refresh);
  search.Refresh(query);
  CHECK(store.calls == calls + 1);
  ListingCache::Lookup fresh = search.Cached(query);
  REQUIRE(fresh.page != nullptr);
  CHECK(fresh.page->result.products.size() == 3);
  CHECK(fresh.page->encoded == "page of 3");
  CHECK_FALSE(fresh.refresh);

  // Stale by TTL is served; stale by a change (a publish, a price, selling out) never is.
  clock.Advance(absl::Seconds(11));
  REQUIRE(search.Cached(query).page != nullptr);
  cache.Invalidate();
  CHECK(search.Cached(query).page == nullptr);
}

// Blocks every search until released, counting the calls.
class SlowSearchStore : public FakeSearchStore {
 public:
  absl::StatusOr<SearchStoreResult> Search(const SearchQuery& query, int limit, const PriceBandRule& bands) override {
    std::unique_lock<std::mutex> lock(mu);
    ++entered;
    changed.notify_all();
    changed.wait(lock, [&] { return released; });
    lock.unlock();
    return FakeSearchStore::Search(query, limit, bands);
  }
  std::mutex mu;
  std::condition_variable changed;
  int entered = 0;
  bool released = false;
};

TEST_CASE("concurrent misses of one page ask the store once, unless the catalogue changed meanwhile",
          "[search][cache]") {
  FakeClock clock;
  ListingCache cache(clock, absl::Seconds(10));
  cache.SetLive(true);
  SlowSearchStore store;
  store.products = {Published("p2"), Published("p1")};
  ProductSearch search(store, &cache);
  SearchQuery query = *ParseSearchRequest({});
  std::vector<std::thread> callers;
  std::atomic<int> answered{0};
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&] {
      absl::StatusOr<ListingPagePtr> result = search.Search(query);
      if (result.ok() && (*result)->result.products.size() == 2) ++answered;
    });
  }
  {
    std::unique_lock<std::mutex> lock(store.mu);
    store.changed.wait(lock, [&] { return store.entered == 1; });
  }
  absl::SleepFor(absl::Milliseconds(100));  // the other callers are waiting on the first
  cache.Invalidate();                       // a change: a caller from now on may not share the older answer
  std::thread after([&] {
    if (search.Search(query).ok()) ++answered;
  });
  {
    std::unique_lock<std::mutex> lock(store.mu);
    store.changed.wait(lock, [&] { return store.entered == 2; });
    store.released = true;
    store.changed.notify_all();
  }
  for (std::thread& t : callers) t.join();
  after.join();
  CHECK(answered == 9);
  CHECK(store.calls == 2);
}

}  // namespace
}  // namespace zhongtai::product
