#include "services/datahub/domain/product_metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

double Ratio(int64_t numerator, int64_t denominator) {
  return denominator <= 0 ? 0.0 : static_cast<double>(numerator) / static_cast<double>(denominator);
}

}  // namespace

ProductRates RatesOf(const ProductCounts& counts) {
  ProductRates rates;
  rates.add_to_cart_rate = Ratio(counts.add_to_cart_visitors, counts.unique_visitors);
  rates.conversion_rate = Ratio(counts.buyers, counts.unique_visitors);
  if (counts.unique_visitors > 0) {
    rates.uv_value_minor = static_cast<int64_t>(std::floor(Ratio(counts.gmv_minor, counts.unique_visitors) + 0.5));
  }
  rates.return_rate = Ratio(counts.units_returned, counts.units_sold);
  if (counts.cost_minor) {
    rates.margin_minor = counts.gmv_minor - *counts.cost_minor;
    if (counts.gmv_minor > 0) rates.margin_rate = Ratio(*rates.margin_minor, counts.gmv_minor);
  }
  return rates;
}

absl::Status ValidateProductMetricsQuery(const ProductMetricsQuery& query) {
  if (query.product_id.empty()) return InvalidArgument("productId", "REQUIRED", "productId is required");
  if (query.end_time <= query.start_time) {
    return InvalidArgument("endTime", "INVALID_TIME_RANGE", "end_time must be after start_time");
  }
  if (query.end_time - query.start_time > kMaxProductMetricsWindow) {
    return InvalidArgument("endTime", "TIME_RANGE_TOO_LONG", "a product's metrics cover at most 366 days");
  }
  const bool currency_ok = query.currency.size() == 3 && std::all_of(query.currency.begin(), query.currency.end(),
                                                                     [](char c) { return absl::ascii_isupper(c); });
  if (!currency_ok) {
    return InvalidArgument("currency", "INVALID_CURRENCY", "currency must be an ISO 4217 code such as CNY");
  }
  return absl::OkStatus();
}

std::pair<absl::Time, absl::Time> UtcDayWindow(absl::Time t) {
  const absl::CivilDay day(absl::ToCivilSecond(t, absl::UTCTimeZone()));
  return {absl::FromCivil(day, absl::UTCTimeZone()), absl::FromCivil(day + 1, absl::UTCTimeZone())};
}

}  // namespace zhongtai::datahub
