// Shoppers' search and listing (GET /v1/products): the request as the API hands it over, the checked query the
// store runs, and the page with its facet counts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "services/product/domain/model.h"

namespace zhongtai::product {

enum class SearchSort { kRelevance, kPriceAscending, kPriceDescending, kNewest, kSales };

// As the channel sent it; ParseSearchRequest (product_search.h) checks it.
struct SearchRequest {
  std::string q;
  std::string category_id;              // with its whole subtree
  std::vector<std::string> brand_ids;   // any of them
  std::vector<std::string> attributes;  // "name:value"; values of one name are alternatives, names all apply
  std::optional<int64_t> price_min;     // minor units, inclusive, on the product's lowest SKU price
  std::optional<int64_t> price_max;
  bool in_stock_only = false;
  std::string sort;  // relevance (default with q), price_asc, price_desc, newest (default without q), sales
  int page_size = 0;
  std::string page_token;
};

// Where the previous page ended, in the query's order: its last product and that product's sort key (relevance
// rank, lowest price or sales; unused when newest).
struct SearchCursor {
  int64_t key = 0;
  std::string product_id;
};

struct AttributeFilter {
  std::string name;
  std::vector<std::string> values;  // any of them
};

struct SearchQuery {
  std::vector<std::string> terms;  // normalized; every one must occur in the title, subtitle or brand name
  std::vector<std::string> grams;  // the index entries the terms need (search_text.h)
  std::string category_id;
  std::vector<std::string> brand_ids;  // sorted, distinct
  std::optional<int64_t> price_min;
  std::optional<int64_t> price_max;
  std::vector<AttributeFilter> attributes;  // sorted by name, values sorted and distinct
  bool in_stock_only = false;
  SearchSort sort = SearchSort::kNewest;
  int page_size = 20;
  std::optional<SearchCursor> after;
  bool with_facets = true;  // facets come with the first page only
};

struct FacetCount {
  std::string value;  // brand id, or attribute value
  std::string label;  // brand name; the value again for attributes
  int64_t count = 0;
};

struct AttributeFacet {
  std::string name;
  std::vector<FacetCount> values;
};

// [from, to) in minor units, on the product's lowest SKU price.
struct PriceBand {
  int64_t from = 0;
  int64_t to = 0;
  int64_t count = 0;
};

struct SearchFacets {
  std::vector<FacetCount> brands;
  std::vector<PriceBand> price_bands;
  std::vector<AttributeFacet> attributes;
};

struct SearchHit {
  std::string product_id;
  int64_t sort_key = 0;
};

// What the store answers: up to the asked number of hits in order with their products, and for a first page the
// facets and how many products match in all.
struct SearchStoreResult {
  std::vector<SearchHit> hits;
  std::vector<Product> products;  // the hits' products, same order (a product gone meanwhile is left out)
  SearchFacets facets;
  int64_t total = 0;
  bool estimated = false;  // total and facet counts estimated from a sample of the matches (more matched)
};

struct SearchResult {
  std::vector<Product> products;
  std::string next_page_token;    // empty on the last page
  SearchFacets facets;            // first page only
  int64_t total = 0;              // first page only
  bool counts_estimated = false;  // first page only: total and facet counts are estimates (many matches)
};

}  // namespace zhongtai::product
