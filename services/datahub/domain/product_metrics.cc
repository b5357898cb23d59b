#include "services/datahub/domain/product_metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/datahub/domain/shop_time.h"

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

absl::StatusOr<ProductMetrics> ProductAnalytics::GetProduct(const ProductRangeQuery& in) {
  if (in.start_time.has_value() != in.end_time.has_value()) {
    const char* missing = in.start_time ? "endTime" : "startTime";
    return InvalidArgument(missing, "REQUIRED", "startTime and endTime go together: give both or neither");
  }
  ProductMetricsQuery query;
  query.product_id = in.product_id;
  query.currency = in.currency.empty() ? "CNY" : in.currency;
  if (in.start_time) {
    query.start_time = *in.start_time;
    query.end_time = *in.end_time;
  } else {
    const TimeRange today = ShopToday(clock_.Now(), zone_);
    const absl::CivilDay first = absl::ToCivilDay(today.start, zone_) - (kDefaultProductMetricsDays - 1);
    query.start_time = absl::FromCivil(first, zone_);
    query.end_time = today.end;
  }
  RETURN_IF_ERROR(ValidateProductMetricsQuery(query));
  ASSIGN_OR_RETURN(ProductMetrics metrics, store_.Count(query));
  metrics.query = query;
  std::sort(metrics.skus.begin(), metrics.skus.end(), [](const ProductCounts& a, const ProductCounts& b) {
    if (a.gmv_minor != b.gmv_minor) return a.gmv_minor > b.gmv_minor;
    return a.sku_id < b.sku_id;
  });
  return metrics;
}

absl::StatusOr<DailyJobResult> ProductAnalytics::RunDaily(const std::string& currency, int run_hour,
                                                          const std::string& owner, absl::Time now,
                                                          absl::Duration lease) {
  DailyJobResult result;
  if (absl::ToCivilHour(now, absl::UTCTimeZone()).hour() < run_hour) return result;
  const absl::Time today_start = UtcDayWindow(now).first;
  const absl::Time start = today_start - absl::Hours(24);
  result.day = absl::FormatTime("%Y-%m-%d", start, absl::UTCTimeZone());
  ASSIGN_OR_RETURN(bool acquired, lease_.TryAcquire("product-metrics", result.day, owner, now, now + lease));
  if (!acquired) return result;
  ASSIGN_OR_RETURN(result.published, store_.PublishDay(start, today_start, currency, now));
  RETURN_IF_ERROR(lease_.Complete("product-metrics", result.day, owner));
  result.ran = true;
  return result;
}

}  // namespace zhongtai::datahub
