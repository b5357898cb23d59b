// Goods a buyer returned through the order center's after-sales, booked into the warehouse that received them:
// sellable goods are on hand (available) again, damaged goods are counted apart and never sold. Booked once per
// return id, however often the order center retries.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"

namespace zhongtai::product {

struct ReturnedGoods {
  std::string return_id;
  std::string warehouse_id;
  std::vector<std::pair<std::string, int64_t>> lines;  // sku id, quantity
  bool damaged = false;
};

// INVALID_ARGUMENT naming the field: the return id, the warehouse, at least one line, each SKU once with a positive
// quantity.
absl::Status ValidateReturnedGoods(const ReturnedGoods& goods);

class ReturnedGoodsStore {
 public:
  virtual ~ReturnedGoodsStore() = default;
  // In one transaction: records the return's lines (once per return id and SKU) and moves the stock. True when booked
  // now, false when the return was booked before. NOT_FOUND SKU_NOT_FOUND / WAREHOUSE_NOT_FOUND.
  virtual absl::StatusOr<bool> BookReturn(const ReturnedGoods& goods, absl::Time now) = 0;
};

class ReturnedGoodsIntake {
 public:
  ReturnedGoodsIntake(ReturnedGoodsStore& store, Clock& clock) : store_(store), clock_(clock) {}
  // True when booked now, false for a repeat of a booked return.
  absl::StatusOr<bool> Book(const ReturnedGoods& goods);

 private:
  ReturnedGoodsStore& store_;
  Clock& clock_;
};

}  // namespace zhongtai::product
