#include "services/datahub/domain/product_metrics.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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
    if (counts.gmv_minor > 0) {
      rates.margin_rate = Ratio(*rates.margin_minor, counts.gmv_minor);
      // Exact: margin * 10000 / GMV in 128 bits, rounded half away from zero.
      const __int128 scaled = static_cast<__int128>(*rates.margin_minor) * 10000;
      const __int128 gmv = counts.gmv_minor;
      const __int128 half = gmv / 2;
      const __int128 rounded = scaled >= 0 ? (scaled + half) / gmv : -((-scaled + half) / gmv);
      rates.margin_bps = static_cast<int64_t>(rounded);
    }
  }
  return rates;
}

int64_t SortValue(const ProductCounts& counts, ProductSort sort) {
  switch (sort) {
    case ProductSort::kGmv: return counts.gmv_minor;
    case ProductSort::kUnitsSold: return counts.units_sold;
    case ProductSort::kUniqueVisitors: return counts.unique_visitors;
  }
  return counts.gmv_minor;
}

namespace {

constexpr char kPageTokenVersion[] = "pm1";

absl::Status BadToken() {
  return InvalidArgument("pageToken", "INVALID_PAGE_TOKEN", "pageToken is not one this listing gave");
}

}  // namespace

std::string EncodeProductPageToken(const ProductListStoreQuery& query, const ProductCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(
      kPageTokenVersion, "|", absl::ToUnixMicros(query.start_time), "|", absl::ToUnixMicros(query.end_time), "|",
      query.currency, "|", static_cast<int>(query.sort), "|", cursor.value, "|", cursor.product_id));
}

absl::StatusOr<ProductListStoreQuery> DecodeProductPageToken(const std::string& token) {
  std::string text;
  if (!absl::WebSafeBase64Unescape(token, &text)) return BadToken();
  // The product id is last and may hold '|'.
  std::vector<std::string> parts = absl::StrSplit(text, absl::MaxSplits('|', 6));
  if (parts.size() != 7 || parts[0] != kPageTokenVersion) return BadToken();
  int64_t start = 0, end = 0, value = 0;
  int sort = 0;
  if (!absl::SimpleAtoi(parts[1], &start) || !absl::SimpleAtoi(parts[2], &end) || !absl::SimpleAtoi(parts[4], &sort) ||
      !absl::SimpleAtoi(parts[5], &value) || sort < 1 || sort > 3 || parts[6].empty()) {
    return BadToken();
  }
  ProductListStoreQuery query;
  query.start_time = absl::FromUnixMicros(start);
  query.end_time = absl::FromUnixMicros(end);
  query.currency = parts[3];
  query.sort = static_cast<ProductSort>(sort);
  query.after = ProductCursor{value, parts[6]};
  return query;
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

absl::StatusOr<ProductListPage> ProductAnalytics::ListProducts(const ProductListQuery& in) {
  if (in.start_time.has_value() != in.end_time.has_value()) {
    const char* missing = in.start_time ? "endTime" : "startTime";
    return InvalidArgument(missing, "REQUIRED", "startTime and endTime go together: give both or neither");
  }
  const int page_size = in.page_size == 0 ? kDefaultProductListPageSize : in.page_size;
  if (page_size < 1 || page_size > kMaxProductListPageSize) {
    return InvalidArgument("pageSize", "PAGE_SIZE_OUT_OF_RANGE", "pageSize is 1 to 100, or 0 for 20");
  }
  ProductListStoreQuery query;
  query.currency = in.currency.empty() ? "CNY" : in.currency;
  query.sort = in.sort;
  if (in.start_time) {
    query.start_time = *in.start_time;
    query.end_time = *in.end_time;
  }
  if (!in.page_token.empty()) {
    ASSIGN_OR_RETURN(ProductListStoreQuery from, DecodeProductPageToken(in.page_token));
    if (!in.start_time) {
      query.start_time = from.start_time;
      query.end_time = from.end_time;
    }
    if (from.start_time != query.start_time || from.end_time != query.end_time || from.currency != query.currency ||
        from.sort != query.sort) {
      return InvalidArgument("pageToken", "INVALID_PAGE_TOKEN",
                             "pageToken belongs to a listing of another range, currency or sort");
    }
    query.after = from.after;
  } else if (!in.start_time) {
    const TimeRange today = ShopToday(clock_.Now(), zone_);
    const absl::CivilDay first = absl::ToCivilDay(today.start, zone_) - (kDefaultProductMetricsDays - 1);
    query.start_time = absl::FromCivil(first, zone_);
    query.end_time = today.end;
  }
  ProductMetricsQuery check;
  check.product_id = "-";
  check.start_time = query.start_time;
  check.end_time = query.end_time;
  check.currency = query.currency;
  RETURN_IF_ERROR(ValidateProductMetricsQuery(check));
  query.limit = page_size + 1;  // one more tells whether a next page exists
  ASSIGN_OR_RETURN(std::vector<ProductSummary> rows, store_.ListProducts(query));
  ProductListPage page;
  page.start_time = query.start_time;
  page.end_time = query.end_time;
  page.currency = query.currency;
  if (static_cast<int>(rows.size()) > page_size) {
    rows.resize(page_size);
    const ProductSummary& last = rows.back();
    page.next_page_token = EncodeProductPageToken(query, {SortValue(last.counts, query.sort), last.product_id});
  }
  page.products = std::move(rows);
  return page;
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
