// Shoppers' search on a real PostgreSQL: Chinese substrings (手机 finds 华为手机), every filter, the facet counts,
// each sort with keyset pages that neither skip nor repeat while products are added, published products only, and the
// listing cache of two replicas dropped by the catalogue's notifications after publish, unpublish, price and stock
// changes.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/pg/arrays.h"
#include "common/pg/pool.h"
#include "services/product/domain/brands.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/product_search.h"
#include "services/product/domain/search_text.h"
#include "services/product/store/pg_catalogue_change_listener.h"
#include "services/product/store/pg_product_search.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"
#include "zhongtai/product/v1/product.pb.h"

namespace zhongtai::product {
namespace {

struct Item {
  std::string title;
  int64_t price = 1999;
  int64_t stock = 5;
  std::string brand_id;
  std::string category_id;
  std::map<std::string, std::string> attributes = {{"颜色", "黑色"}};
  bool publish = true;
  std::string subtitle;
};

struct SearchFixture : PgFixture {
  PgProductSearchStore search_store{*pool};
  ProductSearch search{search_store};
  Brands brands{*store, clock, ids};
  int next_code = 0;

  Product Add(const Item& item) {
    NewProduct request;
    request.title = item.title;
    request.subtitle = item.subtitle;
    request.category_id = item.category_id.empty() ? category_id : item.category_id;
    request.brand_id = item.brand_id;
    NewSku sku;
    sku.sku_code = "S" + std::to_string(++next_code);
    sku.price = {"CNY", item.price};
    sku.initial_stock = item.stock;
    sku.attributes = item.attributes;
    request.skus.push_back(sku);
    auto product = catalog->CreateProduct(request);
    REQUIRE(product.ok());
    clock.Advance(absl::Milliseconds(1));
    if (item.publish) {
      REQUIRE(pool->Transact([&](pqxx::work& tx) {
                    tx.exec_params("UPDATE products SET status = 'published' WHERE product_id = $1",
                                   product->product_id);
                    return absl::OkStatus();
                  })
                  .ok());
    }
    return *product;
  }

  std::string BrandId(const std::string& name) {
    auto brand = brands.Create(name, "", "", "");
    REQUIRE(brand.ok());
    return brand->brand_id;
  }

  SearchResult Find(SearchRequest request) {
    absl::StatusOr<SearchQuery> query = ParseSearchRequest(request);
    REQUIRE(query.ok());
    absl::StatusOr<ListingPagePtr> result = search.Search(*query);
    REQUIRE(result.ok());
    return (*result)->result;
  }
  SearchResult Find(const std::string& q) {
    SearchRequest request;
    request.q = q;
    request.page_size = 100;
    return Find(request);
  }
};

std::vector<std::string> Titles(const SearchResult& result) {
  std::vector<std::string> out;
  for (const Product& p : result.products) out.push_back(p.title);
  return out;
}

std::set<std::string> TitleSet(const SearchResult& result) {
  std::vector<std::string> titles = Titles(result);
  return {titles.begin(), titles.end()};
}

TEST_CASE("search: the index and the query cut text the same way (SQL and C++ agree)", "[search][pg]") {
  SearchFixture f;
  for (std::string text : {"华为手机 Mate 60 Pro", "  Apple\tiPhone\u300015 ", "100% 纯棉 T恤", "a", "",
                           "ＡＢ full-width", "model_1 L_1", "Ä ö É"}) {
    std::string normalized;
    std::vector<std::string> grams;
    REQUIRE(f.pool
                ->Transact([&](pqxx::work& tx) {
                  pqxx::result r =
                      tx.exec_params("SELECT zt_search_normalize($1), zt_search_grams(zt_search_normalize($1))", text);
                  normalized = r[0][0].as<std::string>();
                  grams = pg::TextArray(r[0][1]);
                  return absl::OkStatus();
                })
                .ok());
    INFO(text);
    CHECK(normalized == NormalizeSearchText(text));
    std::sort(grams.begin(), grams.end());
    CHECK(grams == IndexGrams(NormalizeSearchText(text)));
  }
}

TEST_CASE("search: 手机 finds 华为手机, only published products, all words must occur", "[search][pg]") {
  SearchFixture f;
  std::string huawei = f.BrandId("华为");
  f.Add({"华为手机 Mate 60", 599900, 5, huawei});
  f.Add({"小米手机 14", 399900});
  f.Add({"华为手表 GT 4", 149900, 5, huawei});
  f.Add({"荣耀手机 草稿", 199900, 5, "", "", {}, /*publish=*/false});
  f.Add({"Mate 保护壳", 4900, 5, "", "", {}, true, "适用于华为"});

  CHECK(f.Find("手机").products.size() == 2);
  CHECK(TitleSet(f.Find("手机")) == std::set<std::string>{"华为手机 Mate 60", "小米手机 14"});
  CHECK(TitleSet(f.Find("华为手机")) == std::set<std::string>{"华为手机 Mate 60"});
  CHECK(TitleSet(f.Find("手")) == std::set<std::string>{"华为手机 Mate 60", "小米手机 14", "华为手表 GT 4"});
  CHECK(TitleSet(f.Find("华为 MATE")) == std::set<std::string>{"华为手机 Mate 60", "Mate 保护壳"});  // brand, subtitle
  CHECK(f.Find("草稿").products.empty());  // a draft is never shown
  CHECK(f.Find("苹果").products.empty());
  // Relevance: a title hit ranks above a subtitle or brand hit.
  SearchResult ranked = f.Find("华为 mate");
  REQUIRE(ranked.products.size() == 2);
  CHECK(ranked.products[0].title == "华为手机 Mate 60");
}

TEST_CASE("search: filters by category subtree, brand, price, attributes and stock", "[search][pg]") {
  SearchFixture f;
  auto phones = f.catalog->CreateCategory("手机通讯", "", "");
  REQUIRE(phones.ok());
  auto smart = f.catalog->CreateCategory("智能手机", phones->category_id, "");
  REQUIRE(smart.ok());
  std::string huawei = f.BrandId("华为");
  std::string xiaomi = f.BrandId("小米");
  f.Add({"华为 Mate 60", 599900, 5, huawei, smart->category_id, {{"颜色", "黑色"}, {"内存", "256G"}}});
  f.Add({"华为 nova 12", 299900, 0, huawei, smart->category_id, {{"颜色", "白色"}, {"内存", "256G"}}});
  f.Add({"小米 14", 399900, 5, xiaomi, phones->category_id, {{"颜色", "白色"}, {"内存", "512G"}}});
  f.Add({"茶叶 龙井", 19900, 5, "", "", {{"规格", "250g"}}});

  SearchRequest r;
  r.category_id = phones->category_id;  // with its subcategory
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 Mate 60", "华为 nova 12", "小米 14"});
  r.category_id = smart->category_id;
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 Mate 60", "华为 nova 12"});
  r = {};
  r.brand_ids = {xiaomi, huawei};
  CHECK(f.Find(r).products.size() == 3);
  r = {};
  r.price_min = 299900;
  r.price_max = 399900;
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 nova 12", "小米 14"});
  r = {};
  r.attributes = {"颜色:白色"};
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 nova 12", "小米 14"});
  r.attributes = {"颜色:白色", "颜色:黑色", "内存:256G"};  // (白 or 黑) and 256G
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 Mate 60", "华为 nova 12"});
  r = {};
  r.in_stock_only = true;
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 Mate 60", "小米 14", "茶叶 龙井"});
  r.brand_ids = {huawei};
  r.q = "华为";
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"华为 Mate 60"});
}

TEST_CASE("search: facets count every match of the query, not only the page", "[search][pg]") {
  SearchFixture f;
  std::string huawei = f.BrandId("华为");
  std::string xiaomi = f.BrandId("小米");
  f.Add({"华为手机 A", 150000, 5, huawei, "", {{"颜色", "黑色"}}});
  f.Add({"华为手机 B", 250000, 5, huawei, "", {{"颜色", "白色"}}});
  f.Add({"华为手机 C", 260000, 5, huawei, "", {{"颜色", "黑色"}}});
  f.Add({"小米手机 D", 420000, 5, xiaomi, "", {{"颜色", "黑色"}}});
  f.Add({"无品牌手机 E", 99000, 5});
  f.Add({"华为平板 F", 330000, 5, huawei});  // not a 手机

  SearchRequest r;
  r.q = "手机";
  r.page_size = 2;
  SearchResult result = f.Find(r);
  CHECK(result.products.size() == 2);
  CHECK(result.total == 5);
  REQUIRE(result.facets.brands.size() == 2);
  CHECK(result.facets.brands[0].value == huawei);
  CHECK(result.facets.brands[0].label == "华为");
  CHECK(result.facets.brands[0].count == 3);
  CHECK(result.facets.brands[1].count == 1);
  REQUIRE(result.facets.attributes.size() == 1);
  CHECK(result.facets.attributes[0].name == "颜色");
  REQUIRE(result.facets.attributes[0].values.size() == 2);
  CHECK(result.facets.attributes[0].values[0].value == "黑色");
  CHECK(result.facets.attributes[0].values[0].count == 4);  // A, C, D, E
  CHECK(result.facets.attributes[0].values[1].count == 1);
  // Prices 990 to 4200 yuan: bands of 1000 yuan from 0; the empty 3000-4000 band left out.
  int64_t banded = 0;
  for (const PriceBand& band : result.facets.price_bands) {
    CHECK(band.count > 0);
    banded += band.count;
  }
  CHECK(banded == 5);
  REQUIRE(result.facets.price_bands.size() == 4);
  CHECK(result.facets.price_bands[0].from == 0);
  CHECK(result.facets.price_bands[0].to == 100000);
  CHECK(result.facets.price_bands[2].from == 200000);
  CHECK(result.facets.price_bands[2].count == 2);
  CHECK(result.facets.price_bands[3].from == 400000);

  // The next page carries no facets (they belong to the first).
  r.page_token = result.next_page_token;
  SearchResult second = f.Find(r);
  CHECK(second.products.size() == 2);
  CHECK(second.total == 0);
  CHECK(second.facets.brands.empty());
}

TEST_CASE("search: price bands counted in SQL are the ones PriceBandEdges cuts (SQL and C++ agree)", "[search][pg]") {
  SearchFixture f;
  // Each word lists products whose prices span a different range, so each gets another band width.
  const std::map<std::string, std::vector<int64_t>> prices = {
      {"alpha", {1999}},
      {"bravo", {990, 1500, 2999, 4200}},
      {"charlie", {9900, 15000, 39900, 120000, 199900}},
      {"delta", {100, 99999900, 2500000, 50000000}},
      {"echo", {50000, 50100, 50200, 50399}},
  };
  for (const auto& [word, list] : prices) {
    int i = 0;
    for (int64_t price : list) f.Add({absl::StrCat(word, " ", ++i), price, 5});
  }
  for (const auto& [word, list] : prices) {
    INFO(word);
    SearchResult result = f.Find(word);
    std::vector<int64_t> edges =
        PriceBandEdges(*std::min_element(list.begin(), list.end()), *std::max_element(list.begin(), list.end()));
    std::vector<PriceBand> expected;
    for (size_t b = 0; b + 1 < edges.size(); ++b) {
      int64_t count = 0;
      for (int64_t price : list) count += price >= edges[b] && price < edges[b + 1] ? 1 : 0;
      if (count > 0) expected.push_back({edges[b], edges[b + 1], count});
    }
    REQUIRE(result.facets.price_bands.size() == expected.size());
    for (size_t b = 0; b < expected.size(); ++b) {
      CHECK(result.facets.price_bands[b].from == expected[b].from);
      CHECK(result.facets.price_bands[b].to == expected[b].to);
      CHECK(result.facets.price_bands[b].count == expected[b].count);
    }
    CHECK(result.total == static_cast<int64_t>(list.size()));
  }
}

TEST_CASE("search: sorts by price, newest and sales", "[search][pg]") {
  SearchFixture f;
  Product cheap = f.Add({"手机 cheap", 100000});
  Product dear = f.Add({"手机 dear", 900000});
  Product mid = f.Add({"手机 mid", 500000});
  auto ordered = [&](const std::string& sort) {
    SearchRequest r;
    r.sort = sort;
    return Titles(f.Find(r));
  };
  CHECK(ordered("price_asc") == std::vector<std::string>{"手机 cheap", "手机 mid", "手机 dear"});
  CHECK(ordered("price_desc") == std::vector<std::string>{"手机 dear", "手机 mid", "手机 cheap"});
  CHECK(ordered("newest") == std::vector<std::string>{"手机 mid", "手机 dear", "手机 cheap"});
  // Two paid units of dear, one of cheap.
  REQUIRE(f.inventory->Reserve("o1", {{dear.skus[0].sku_id, 2}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Confirm("o1").ok());
  REQUIRE(f.inventory->Reserve("o2", {{cheap.skus[0].sku_id, 1}}, absl::Minutes(5)).ok());
  REQUIRE(f.inventory->Confirm("o2").ok());
  REQUIRE(f.inventory->Reserve("o3", {{mid.skus[0].sku_id, 3}}, absl::Minutes(5)).ok());  // held, not sold
  CHECK(ordered("sales") == std::vector<std::string>{"手机 dear", "手机 cheap", "手机 mid"});
}

TEST_CASE("search: keyset pages neither skip nor repeat while products are added", "[search][pg]") {
  SearchFixture f;
  std::set<std::string> originals;
  for (int i = 0; i < 23; ++i) {
    originals.insert(f.Add({"手机 " + std::to_string(i), 10000 + (i % 7) * 1000}).product_id);  // equal prices too
  }
  for (const std::string& sort : {"price_asc", "price_desc", "newest", "relevance", "sales"}) {
    INFO(sort);
    SearchRequest r;
    r.q = "手机";
    r.sort = sort;
    r.page_size = 5;
    std::vector<std::string> seen;
    int added = 0;
    do {
      SearchResult page = f.Find(r);
      for (const Product& p : page.products) seen.push_back(p.product_id);
      // New products around the cursor: cheaper, dearer, and at the same price.
      for (int64_t price : {9000, 13000, 20000}) {
        f.Add({"手机 new " + std::to_string(++added), price});
      }
      r.page_token = page.next_page_token;
    } while (!r.page_token.empty());
    std::set<std::string> distinct(seen.begin(), seen.end());
    CHECK(distinct.size() == seen.size());                                   // nothing twice
    for (const std::string& id : originals) CHECK(distinct.count(id) == 1);  // nothing skipped
  }
}

TEST_CASE("search: relevance pages are the same whether the top rank fills them or every match is ranked",
          "[search][pg]") {
  SearchFixture f;
  // Interleaved in time: title hits (rank 2) and subtitle-only hits (rank 1) of 手机.
  std::vector<std::string> title_hits;
  std::vector<std::string> subtitle_hits;
  for (int i = 0; i < 4; ++i) {
    title_hits.push_back(f.Add({absl::StrCat("手机 ", i)}).product_id);
    subtitle_hits.push_back(f.Add({absl::StrCat("保护壳 ", i), 1999, 5, "", "", {}, true, "适用于手机"}).product_id);
  }
  // Newest first within a rank, every title hit before any subtitle hit.
  std::vector<std::string> expected(title_hits.rbegin(), title_hits.rend());
  expected.insert(expected.end(), subtitle_hits.rbegin(), subtitle_hits.rend());
  for (int page_size : {1, 2, 3, 5, 8, 20}) {
    INFO(page_size);
    SearchRequest r;
    r.q = "手机";
    r.page_size = page_size;
    std::vector<std::string> seen;
    do {
      SearchResult page = f.Find(r);
      for (const Product& p : page.products) seen.push_back(p.product_id);
      r.page_token = page.next_page_token;
    } while (!r.page_token.empty());
    CHECK(seen == expected);
  }
  // A longer term is checked in the text, not only by its bigrams: 手机壳 has 手机 and 机壳 but not 手机壳.
  f.Add({"手机 机壳"});
  CHECK(f.Find("手机壳").products.empty());
  // A category that does not exist lists nothing (its subtree is empty).
  SearchRequest unknown;
  unknown.category_id = "no-such-category";
  CHECK(f.Find(unknown).products.empty());
}

TEST_CASE("search: with more matches than the facet sample, counts are scaled estimates and say so", "[search][pg]") {
  SearchFixture f;
  PgProductSearchStore sampled_store(*f.pool, /*facet_sample=*/4);
  ProductSearch sampled(sampled_store);
  std::string huawei = f.BrandId("华为");
  for (int i = 0; i < 10; ++i) f.Add({absl::StrCat("手机 ", i), 100000 + i * 1000, 5, huawei});
  f.Add({"手表 1", 50000, 5, huawei});
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec("ANALYZE product_search");
                return absl::OkStatus();
              })
              .ok());

  SearchRequest r;
  r.q = "手机";
  r.page_size = 3;
  absl::StatusOr<ListingPagePtr> estimated = sampled.Search(*ParseSearchRequest(r));
  REQUIRE(estimated.ok());
  const SearchResult& e = (*estimated)->result;
  CHECK(e.counts_estimated);
  CHECK(e.total >= 5);  // at least the sample and the one more that told there are more
  REQUIRE(e.facets.brands.size() == 1);
  CHECK(e.facets.brands[0].count == e.total);  // every match is 华为's: scaled, the sample's 5 of 5
  // The page itself is exact: the three newest matches.
  CHECK(Titles(e) == std::vector<std::string>{"手机 9", "手机 8", "手机 7"});

  // The same query over the default sample: every match counted, exact.
  SearchResult exact = f.Find(r);
  CHECK_FALSE(exact.counts_estimated);
  CHECK(exact.total == 10);
  CHECK(exact.facets.brands[0].count == 10);
  CHECK(Titles(exact) == Titles(e));
  // No more matches than the sample: exact even over the small one.
  r.q = "手表";
  absl::StatusOr<ListingPagePtr> few = sampled.Search(*ParseSearchRequest(r));
  REQUIRE(few.ok());
  CHECK_FALSE((*few)->result.counts_estimated);
  CHECK((*few)->result.total == 1);
}

TEST_CASE("search: the estimate of the matches is the planner's, planned and never run (zt_search_estimate)",
          "[search][pg]") {
  SearchFixture f;
  for (int i = 0; i < 6; ++i) f.Add({absl::StrCat("手机 ", i)});
  f.Add({"草稿 手机", 1999, 5, "", "", {{"颜色", "黑色"}}, /*publish=*/false});
  REQUIRE(
      f.pool
          ->Transact([&](pqxx::work& tx) {
            tx.exec("ANALYZE product_search");
            // ANALYZE reads every row of so small a table: the planner's estimate of the whole table is exact.
            CHECK(tx.exec("SELECT zt_search_estimate('SELECT 1 FROM product_search ps')")[0][0].as<int64_t>() == 7);
            // Planned only: a query that would fail if it ran (a division by zero in every row) is estimated all
            // the same.
            CHECK(tx.exec("SELECT zt_search_estimate('SELECT 1 / (ps.sales - ps.sales) FROM product_search ps')")[0][0]
                      .as<int64_t>() == 7);
            return absl::OkStatus();
          })
          .ok());
}

TEST_CASE("search: each statement shape is prepared once per connection and planned for its values on every call",
          "[search][pg]") {
  SearchFixture f;
  for (int i = 0; i < 6; ++i) f.Add({absl::StrCat("手机 ", i), 1000 + i});
  for (int i = 0; i < 3; ++i) f.Add({absl::StrCat("耳机 ", i), 2000 + i});
  // One connection, so that every search below runs on it.
  pg::PoolOptions options;
  options.dsn = f.db.dsn();
  options.size = 1;
  options.name = "product-test-one";
  auto one = pg::Pool::Open(options);
  REQUIRE(one.ok());
  PgProductSearchStore store(**one, /*facet_sample=*/4);
  ProductSearch search(store);
  auto run = [&](const std::string& q, const std::string& page_token = "") {
    SearchRequest r;
    r.q = q;
    r.page_size = 2;
    r.page_token = page_token;
    absl::StatusOr<ListingPagePtr> page = search.Search(*ParseSearchRequest(r));
    REQUIRE(page.ok());
    return (*page)->result;
  };
  // Two first pages of one shape (a word of two characters, relevance; 手机 fills the sample, 耳机 does not), and the
  // later page of each: the same answers as over unnamed statements.
  SearchResult phones = run("手机");
  SearchResult earphones = run("耳机");
  SearchResult phones_2 = run("手机", phones.next_page_token);
  SearchResult earphones_2 = run("耳机", earphones.next_page_token);
  CHECK(phones.counts_estimated);
  CHECK_FALSE(earphones.counts_estimated);
  CHECK(earphones.total == 3);
  CHECK(Titles(phones) == std::vector<std::string>{"手机 5", "手机 4"});
  CHECK(Titles(phones_2) == std::vector<std::string>{"手机 3", "手机 2"});
  CHECK(Titles(earphones) == std::vector<std::string>{"耳机 2", "耳机 1"});
  CHECK(Titles(earphones_2) == std::vector<std::string>{"耳机 0"});
  PgProductSearchStore unnamed(**one, /*facet_sample=*/4, /*prepare=*/false);
  ProductSearch unnamed_search(unnamed);
  SearchRequest r;
  r.q = "手机";
  r.page_size = 2;
  absl::StatusOr<ListingPagePtr> again = unnamed_search.Search(*ParseSearchRequest(r));
  REQUIRE(again.ok());
  CHECK(Titles((*again)->result) == Titles(phones));
  CHECK((*again)->result.total == phones.total);

  // The first page's statement was run twice on the connection and planned for its values both times (a generic plan
  // of the shape would not know how common the word is).
  REQUIRE((*one)
              ->Transact([&](pqxx::work& tx) {
                pqxx::result rows = tx.exec(
                    "SELECT max(generic_plans), max(custom_plans), count(*) FROM pg_prepared_statements "
                    "WHERE name LIKE 'product_search_%'");
                CHECK(rows[0][0].as<int64_t>() == 0);
                CHECK(rows[0][1].as<int64_t>() >= 2);
                CHECK(rows[0][2].as<int64_t>() >= 2);  // the first page's statement and the later page's
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("search: a shopper's listing shows published products only, and no cost price", "[search][pg]") {
  SearchFixture f;
  Product shown = f.Add({"手机 on shelf"});
  Product draft = f.Add({"手机 draft", 1999, 5, "", "", {}, false});
  Product off = f.Add({"手机 off shelf"});
  REQUIRE(f.editor->ChangeStatus(off.product_id, LifecycleAction::kUnpublish, 0).ok());
  SearchRequest r;
  r.q = "手机";
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"手机 on shelf"});
  r = {};
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"手机 on shelf"});
  r.sort = "price_asc";
  CHECK(TitleSet(f.Find(r)) == std::set<std::string>{"手机 on shelf"});

  // No message in the listing's response, however deep, has a field about cost.
  std::vector<const google::protobuf::Descriptor*> pending = {v1::ListProductsResponse::descriptor()};
  std::set<const google::protobuf::Descriptor*> visited;
  while (!pending.empty()) {
    const google::protobuf::Descriptor* message = pending.back();
    pending.pop_back();
    if (!visited.insert(message).second) continue;
    for (int i = 0; i < message->field_count(); ++i) {
      const google::protobuf::FieldDescriptor* field = message->field(i);
      INFO(message->full_name() << "." << field->name());
      CHECK(field->name().find("cost") == std::string::npos);
      if (field->message_type() != nullptr) pending.push_back(field->message_type());
    }
  }
}

// One replica: its own cache, search and listener, as main.cc wires them.
struct Replica {
  ListingCache cache;
  ProductSearch search;
  PgCatalogueChangeListener listener;

  Replica(Clock& clock, ProductSearchStore& store, const std::string& dsn)
      : cache(clock, absl::Minutes(10)),
        search(store, &cache),
        listener(dsn, {[this](const std::string&) { cache.Invalidate(); }, [this](bool live) { cache.SetLive(live); }},
                 absl::Milliseconds(200)) {
    listener.Start();
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!cache.live() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    REQUIRE(cache.live());
  }
  ~Replica() { listener.Stop(); }
};

// Waits until the replica heard a change (its generation moved); returns how long that took.
absl::Duration AwaitChange(Replica& replica, uint64_t before) {
  absl::Time start = absl::Now();
  while (replica.cache.generation() == before && absl::Now() - start < absl::Seconds(5)) {
    absl::SleepFor(absl::Microseconds(200));
  }
  return absl::Now() - start;
}

TEST_CASE("listing cache: every replica drops its pages when a product is published, unpublished, repriced or sold out",
          "[search][pg][cache]") {
  SearchFixture f;
  Replica a(f.clock, f.search_store, f.db.dsn());
  Replica b(f.clock, f.search_store, f.db.dsn());
  Product phone = f.Add({"手机 listed", 199900, 2});
  Product later = f.Add({"手机 later", 299900, 5, "", "", {}, false});

  SearchRequest r;
  r.q = "手机";
  r.in_stock_only = true;
  SearchQuery query = *ParseSearchRequest(r);
  auto warm = [&](Replica& replica) {
    // Several notifications of one setup may still be on their way: warm until a page stays.
    for (int i = 0; i < 100 && !replica.search.Cached(query).page; ++i) {
      REQUIRE(replica.search.Search(query).ok());
      absl::SleepFor(absl::Milliseconds(20));
    }
    REQUIRE(replica.search.Cached(query).page != nullptr);
  };
  auto shown = [&](Replica& replica) {
    ListingPagePtr cached = replica.search.Cached(query).page;
    if (cached) return TitleSet(cached->result);
    absl::StatusOr<ListingPagePtr> fresh = replica.search.Search(query);
    REQUIRE(fresh.ok());
    return TitleSet((*fresh)->result);
  };
  std::vector<absl::Duration> delays;
  auto change_and_check = [&](const std::function<void()>& change, const std::set<std::string>& expected) {
    warm(a);
    warm(b);
    uint64_t before_a = a.cache.generation();
    uint64_t before_b = b.cache.generation();
    change();
    absl::Duration delay = AwaitChange(b, before_b);
    delays.push_back(delay);
    CHECK(delay < absl::Seconds(1));
    CHECK(shown(b) == expected);
    AwaitChange(a, before_a);
    CHECK(shown(a) == expected);
  };

  SECTION("publish") {
    change_and_check([&] { REQUIRE(f.editor->ChangeStatus(later.product_id, LifecycleAction::kPublish, 0).ok()); },
                     {"手机 listed", "手机 later"});
  }
  SECTION("unpublish") {
    change_and_check([&] { REQUIRE(f.editor->ChangeStatus(phone.product_id, LifecycleAction::kUnpublish, 0).ok()); },
                     {});
  }
  SECTION("price change") {
    change_and_check(
        [&] {
          ProductEdit edit;
          edit.product_id = phone.product_id;
          edit.price_changes = {{phone.skus[0].sku_id, {"CNY", 99900}}};
          auto current = f.editor->Get(phone.product_id);
          REQUIRE(current.ok());
          edit.expected_version = current->product.version;
          REQUIRE(f.editor->Update(edit).ok());
        },
        {"手机 listed"});
    ListingPagePtr cached = b.search.Cached(query).page;
    REQUIRE(cached != nullptr);
    REQUIRE(cached->result.products.size() == 1);
    CHECK(cached->result.products[0].skus[0].price.amount_minor == 99900);
  }
  SECTION("sold out, then back in stock") {
    change_and_check(
        [&] {
          REQUIRE(f.inventory->Reserve("o1", {{phone.skus[0].sku_id, 2}}, absl::Minutes(5)).ok());
        },
        {});
    change_and_check([&] { REQUIRE(f.inventory->Release("o1").ok()); }, {"手机 listed"});
  }
  for (absl::Duration d : delays) UNSCOPED_INFO("heard after " << absl::FormatDuration(d));
}

TEST_CASE("listing cache: a replica that cannot listen serves nothing from memory", "[search][pg][cache]") {
  SearchFixture f;
  Replica replica(f.clock, f.search_store, f.db.dsn());
  SearchQuery query = *ParseSearchRequest({});
  REQUIRE(replica.search.Search(query).ok());
  REQUIRE(replica.search.Cached(query).page != nullptr);
  replica.listener.Stop();  // as a lost connection does
  CHECK_FALSE(replica.cache.live());
  CHECK(replica.search.Cached(query).page == nullptr);
}

}  // namespace
}  // namespace zhongtai::product
