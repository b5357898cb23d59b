// Product metrics per product and SKU over a window (a UTC day for the published ProductMetricsComputed events):
// the counts a store gathers, and the rates an admin reads.
//   add-to-cart rate  add_to_cart_visitors / unique_visitors
//   conversion        buyers / unique_visitors
//   UV value          GMV / unique_visitors (fen per visitor, half up)
//   return rate       units_returned / units_sold
//   margin            GMV - cost of the units sold, only when the cost of every unit sold is known (each unit at
//                     its SKU's cost price in force when the order was paid, else the first one known); also in
//                     basis points of GMV
// A rate with a zero denominator is 0. Visitors are devices (signed-out visitors count); buyers are users.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/datahub/domain/analytics_ports.h"

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
  std::optional<int64_t> margin_bps;  // the same in basis points, half away from zero
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

// A product's counts and its SKUs' (those with activity, the highest GMV first, then by SKU id).
struct ProductMetrics {
  ProductMetricsQuery query;
  ProductCounts product;
  std::vector<ProductCounts> skus;
};

// How long the admin route's default range is: the last 30 shop days, today included.
inline constexpr int kDefaultProductMetricsDays = 30;

enum class ProductSort { kGmv = 1, kUnitsSold = 2, kUniqueVisitors = 3 };

struct ProductSummary {
  std::string product_id;
  ProductCounts counts;
};

// The value a product is sorted by.
int64_t SortValue(const ProductCounts& counts, ProductSort sort);

// Where a page ended: its last product's sort value and id.
struct ProductCursor {
  int64_t value = 0;
  std::string product_id;
};

struct ProductListStoreQuery {
  absl::Time start_time;
  absl::Time end_time;
  std::string currency = "CNY";
  ProductSort sort = ProductSort::kGmv;
  std::optional<ProductCursor> after;
  int limit = 20;
};

inline constexpr int kDefaultProductListPageSize = 20;
inline constexpr int kMaxProductListPageSize = 100;

class ProductMetricsStore {
 public:
  virtual ~ProductMetricsStore() = default;
  // The counts of one product over [start, end): visitors from the behaviour events naming it, sales from the lines of
  // the orders paid in the range, returns from the refunds in the range, the cost of the units sold when every one
  // has a known cost (the product center's SkuCostChanged events).
  virtual absl::StatusOr<ProductMetrics> Count(const ProductMetricsQuery& query) = 0;
  // Every product with activity in [start, end) with its counts (no SKUs), sorted by the query's sort value, the
  // highest first, then by product id (byte order); those after `after`; at most `limit`.
  virtual absl::StatusOr<std::vector<ProductSummary>> ListProducts(const ProductListStoreQuery& query) = 0;
  // Counts every product with activity in [start, end) and appends one ProductMetricsComputed per product to the
  // outbox (zt.events.datahub) in one transaction; the number of products.
  virtual absl::StatusOr<int64_t> PublishDay(absl::Time start, absl::Time end, const std::string& currency,
                                             absl::Time computed_at) = 0;
};

struct ProductRangeQuery {
  std::string product_id;
  // Both or neither; neither: the last kDefaultProductMetricsDays shop days.
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  std::string currency = "CNY";
};

struct ProductListQuery {
  // Both or neither; neither: the page token's range, or on a first page the last kDefaultProductMetricsDays shop days.
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  std::string currency;  // "" means CNY
  ProductSort sort = ProductSort::kGmv;
  int page_size = 0;  // 0 means kDefaultProductListPageSize
  std::string page_token;
};

struct ProductListPage {
  absl::Time start_time;
  absl::Time end_time;
  std::string currency;
  std::vector<ProductSummary> products;
  std::string next_page_token;  // empty on the last page
};

// The opaque page token: the range, currency and sort of the listing and where its page ended (web-safe base64).
std::string EncodeProductPageToken(const ProductListStoreQuery& query, const ProductCursor& cursor);
// INVALID_ARGUMENT (pageToken, INVALID_PAGE_TOKEN) when it is not one EncodeProductPageToken made.
absl::StatusOr<ProductListStoreQuery> DecodeProductPageToken(const std::string& token);

struct DailyJobResult {
  bool ran = false;
  std::string day;        // the day computed
  int64_t published = 0;  // events appended
};

class ProductAnalytics {
 public:
  ProductAnalytics(ProductMetricsStore& store, DailyRunLease& lease, Clock& clock, absl::TimeZone zone)
      : store_(store), lease_(lease), clock_(clock), zone_(zone) {}

  // INVALID_ARGUMENT as ValidateProductMetricsQuery, and REQUIRED for the missing one of the two times.
  absl::StatusOr<ProductMetrics> GetProduct(const ProductRangeQuery& query);

  // A page of every product's metrics. INVALID_ARGUMENT as GetProduct (without productId), pageSize out of 0..100
  // (PAGE_SIZE_OUT_OF_RANGE), a bad page token or one of another range, currency or sort (INVALID_PAGE_TOKEN).
  absl::StatusOr<ProductListPage> ListProducts(const ProductListQuery& query);

  // From `run_hour` (UTC) on, once a day across replicas: yesterday's (UTC) metrics of every product with activity,
  // one ProductMetricsComputed event each for the product center's matrix.
  absl::StatusOr<DailyJobResult> RunDaily(const std::string& currency, int run_hour, const std::string& owner,
                                          absl::Time now, absl::Duration lease);

 private:
  ProductMetricsStore& store_;
  DailyRunLease& lease_;
  Clock& clock_;
  absl::TimeZone zone_;
};

}  // namespace zhongtai::datahub
