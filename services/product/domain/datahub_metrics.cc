#include "services/product/domain/datahub_metrics.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

absl::Status NotNegative(int64_t value, const std::string& field) {
  if (value < 0) return InvalidArgument(field, "QUANTITY_NEGATIVE", absl::StrCat(field, " must not be negative"));
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateDailyMetrics(const DailyProductMetrics& m, absl::Time window_end) {
  if (m.product_id.empty()) return InvalidArgument("productId", "FIELD_REQUIRED", "productId is required");
  if (absl::ToUnixMicros(m.day_start) % absl::ToInt64Microseconds(absl::Hours(24)) != 0) {
    return InvalidArgument("windowStart", "INVALID_TIME_RANGE", "the window starts at a UTC midnight");
  }
  if (window_end - m.day_start != absl::Hours(24)) {
    return InvalidArgument("windowEnd", "INVALID_TIME_RANGE", "the window is one UTC day");
  }
  RETURN_IF_ERROR(NotNegative(m.unique_visitors, "uniqueVisitors"));
  RETURN_IF_ERROR(NotNegative(m.add_to_cart_visitors, "addToCartVisitors"));
  RETURN_IF_ERROR(NotNegative(m.buyers, "buyers"));
  RETURN_IF_ERROR(NotNegative(m.units_sold, "unitsSold"));
  RETURN_IF_ERROR(NotNegative(m.gmv.amount_minor, "gmv.amountMinor"));
  RETURN_IF_ERROR(NotNegative(m.units_returned, "unitsReturned"));
  std::set<std::string> seen;
  for (size_t i = 0; i < m.skus.size(); ++i) {
    const DailySkuMetrics& sku = m.skus[i];
    const std::string at = absl::StrCat("skus[", i, "]");
    if (sku.sku_id.empty() || !seen.insert(sku.sku_id).second) {
      return InvalidArgument(at + ".skuId", "FIELD_REQUIRED", "every sku figure names a sku, once");
    }
    RETURN_IF_ERROR(NotNegative(sku.units_sold, at + ".unitsSold"));
    RETURN_IF_ERROR(NotNegative(sku.gmv.amount_minor, at + ".gmv.amountMinor"));
    RETURN_IF_ERROR(NotNegative(sku.units_returned, at + ".unitsReturned"));
    RETURN_IF_ERROR(NotNegative(sku.add_to_cart_visitors, at + ".addToCartVisitors"));
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::product
