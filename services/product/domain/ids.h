// Runtime Clock and IdGenerator.
#pragma once

#include <mutex>
#include <random>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

class SystemClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

// prefix + 13 base32 chars of the Unix time in ms + 8 random base32 chars (Crockford alphabet,
// lower case): ids sort by creation time, to the millisecond.
class RandomIdGenerator : public IdGenerator {
 public:
  explicit RandomIdGenerator(Clock& clock);
  std::string NewCategoryId() override { return NewId("cat_"); }
  std::string NewProductId() override { return NewId("prd_"); }
  std::string NewSkuId() override { return NewId("sku_"); }
  std::string NewId(absl::string_view prefix);

 private:
  Clock& clock_;
  std::mutex mu_;
  std::mt19937_64 random_;
};

}  // namespace zhongtai::product
