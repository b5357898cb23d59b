// The data hub's daily product metrics as the product center keeps them (from ProductMetricsComputed events): the
// source of the product matrix's figures and of the average daily sales, when present.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

struct DailySkuMetrics {
  std::string sku_id;
  int64_t units_sold = 0;
  Money gmv;
  int64_t units_returned = 0;
  int64_t add_to_cart_visitors = 0;
};

struct DailyProductMetrics {
  std::string event_id;
  std::string product_id;
  absl::Time day_start;  // a UTC midnight; the figures cover [day_start, day_start + 24h)
  int64_t unique_visitors = 0;
  int64_t add_to_cart_visitors = 0;
  int64_t buyers = 0;
  int64_t units_sold = 0;
  Money gmv;
  int64_t units_returned = 0;
  absl::Time computed_at;
  std::vector<DailySkuMetrics> skus;
};

// INVALID_ARGUMENT naming the field (productId, windowStart, windowEnd, skus[i].skuId, a negative count) when the
// event cannot be stored: no product, a window that is not one UTC day, a negative count, a SKU twice.
absl::Status ValidateDailyMetrics(const DailyProductMetrics& metrics, absl::Time window_end);

}  // namespace zhongtai::product
