// Runtime IdGenerator.
#pragma once

#include <string>

#include "absl/time/clock.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

// Time-ordered ids from common/ids: "cat_...", "prd_...", "sku_...", "brd_...".
class RandomIdGenerator : public IdGenerator {
 public:
  explicit RandomIdGenerator(Clock& clock) : clock_(clock) {}
  std::string NewCategoryId() override;
  std::string NewProductId() override;
  std::string NewSkuId() override;
  std::string NewBrandId() override;

 private:
  Clock& clock_;
};

}  // namespace zhongtai::product
