// ProductSearchStore over the product_search table (migration 0004): one REPEATABLE READ transaction per search, so
// the page, its products and the facet counts come from one snapshot.
#pragma once

#include "common/pg/pool.h"
#include "services/product/domain/product_search.h"

namespace zhongtai::product {

class PgProductSearchStore : public ProductSearchStore {
 public:
  explicit PgProductSearchStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<SearchStoreResult> Search(const SearchQuery& query, int limit, const PriceBandRule& bands) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::product
