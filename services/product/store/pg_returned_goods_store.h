// ReturnedGoodsStore over the product database: one transaction records the return's lines in returned_stock (its
// primary key makes a repeat, even a concurrent one, book nothing) and moves each stock row.
#pragma once

#include "common/pg/pool.h"
#include "services/product/domain/returned_goods.h"

namespace zhongtai::product {

class PgReturnedGoodsStore : public ReturnedGoodsStore {
 public:
  explicit PgReturnedGoodsStore(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<bool> BookReturn(const ReturnedGoods& goods, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::product
