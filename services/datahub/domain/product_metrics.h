// Product metrics per product and SKU over a window (a UTC day for the published ProductMetricsComputed events):
// the counts a store gathers, and the rates an admin reads.
//   add-to-cart rate  add_to_cart_visitors / unique_visitors
//   conversion        buyers / unique_visitors
//   UV value          GMV / unique_visitors (fen per visitor, half up)
//   return rate       units_returned / units_sold
//   margin            GMV - cost of the units sold, only when the cost of every unit sold is known
// A rate with a zero denominator is 0. Visitors are devices (signed-out visitors count); buyers are users.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::datahub {

struct ProductCounts {
  std::string sku_id;  // empty: the whole product
  int64_t unique_visitors = 0;
  int64_t add_to_cart_visitors = 0;
  int64_t buyers = 0;
  int64_t units_sold = 0;
  int64_t gmv_minor = 0;
  int64_t units_returned = 0;
  // Cost of the units sold; nullopt when the cost of some unit sold is unknown.
  std::optional<int64_t> cost_minor;
};

struct ProductRates {
  double add_to_cart_rate = 0;
  double conversion_rate = 0;
  int64_t uv_value_minor = 0;
  double return_rate = 0;
  std::optional<int64_t> margin_minor;
  std::optional<double> margin_rate;  // margin / GMV; nullopt without GMV or cost
};

ProductRates RatesOf(const ProductCounts& counts);

struct ProductMetricsQuery {
  std::string product_id;
  absl::Time start_time;  // inclusive
  absl::Time end_time;    // exclusive
  std::string currency = "CNY";
};

// INVALID_ARGUMENT: productId empty (REQUIRED), end_time not after start_time (INVALID_TIME_RANGE), a window over
// kMaxProductMetricsWindow (TIME_RANGE_TOO_LONG), a bad currency (INVALID_CURRENCY).
absl::Status ValidateProductMetricsQuery(const ProductMetricsQuery& query);

inline constexpr absl::Duration kMaxProductMetricsWindow = absl::Hours(24 * 366);

// The UTC day [start, end) holding `t`.
std::pair<absl::Time, absl::Time> UtcDayWindow(absl::Time t);

}  // namespace zhongtai::datahub
