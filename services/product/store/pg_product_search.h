// ProductSearchStore over the product_search table (migration 0004): one REPEATABLE READ transaction per search, so
// the page, its products and the facet counts come from one snapshot. Facets are counted over at most
// `facet_sample` matches (plus one, to tell whether there are more): exact when no more match, else scaled to the
// planner's estimate of the matches and marked estimated, so that a first page costs the same bounded read however
// many products match (docs/performance.md, "Search and listing (B7)"). The page and its facets are one statement
// (a named prepared statement per shape unless `prepare` is false), its products the product loader's.
#pragma once

#include "common/pg/pool.h"
#include "services/product/domain/product_search.h"

namespace zhongtai::product {

class PgProductSearchStore : public ProductSearchStore {
 public:
  static constexpr int64_t kDefaultFacetSample = 1000;

  explicit PgProductSearchStore(pg::Pool& pool, int64_t facet_sample = kDefaultFacetSample, bool prepare = true)
      : pool_(pool), facet_sample_(facet_sample), prepare_(prepare) {}

  absl::StatusOr<SearchStoreResult> Search(const SearchQuery& query, int limit, const PriceBandRule& bands) override;

 private:
  pg::Pool& pool_;
  const int64_t facet_sample_;
  const bool prepare_;
};

}  // namespace zhongtai::product
