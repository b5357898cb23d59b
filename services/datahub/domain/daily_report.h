// The daily operations report: yesterday's (a shop day) visitors, conversion, AOV and paid GMV against the day
// before and the same day last week, the top ten products and their share of GMV, the coupons expiring within
// three days, the SKUs low on stock and the member points issued and redeemed; rendered as an HTML page with inline SVG
// charts (no scripts). Plain C++: no protobuf or SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/datahub/domain/analytics_ports.h"
#include "services/datahub/domain/kpi_dashboard.h"

namespace zhongtai::datahub {

inline constexpr int kReportTopProducts = 10;
inline constexpr absl::Duration kReportCouponHorizon = absl::Hours(72);

struct ReportFigures {
  int64_t visitors = 0;  // HyperLogLog estimate
  int64_t buyers = 0;
  int64_t orders_paid = 0;
  int64_t gmv_minor = 0;  // paid GMV
  int64_t average_order_value_minor = 0;
  double conversion_rate = 0;
};

ReportFigures FiguresOf(const DashboardFigures& figures);

// (now - then) / then; nullopt when then is 0.
std::optional<double> RelativeChange(double now, double then);

struct ReportChange {
  std::optional<double> visitors;
  std::optional<double> conversion_rate;
  std::optional<double> average_order_value;
  std::optional<double> gmv;
};

ReportChange ChangeOf(const ReportFigures& now, const ReportFigures& then);

struct ProductSales {
  std::string product_id;
  int64_t units_sold = 0;
  int64_t gmv_minor = 0;
  double gmv_share = 0;  // of the day's paid GMV; filled by BuildDailyReport
};

struct ExpiringCouponGroup {
  std::string template_id;
  int64_t coupons = 0;
  absl::Time first_valid_until;
};

// A SKU whose available stock in a warehouse is at or below its threshold, from the levels the hub follows
// (StockChanged events): the warehouse's safety stock when fixed; with days of cover, those days of the SKU's average
// daily units sold over the kLowStockSalesDays before the report's end (rounded up); without a setting, the
// configured threshold.
inline constexpr int kLowStockSalesDays = 30;
inline constexpr int kReportLowStockLimit = 50;

enum class LowStockBasis { kSafetyStock, kDaysOfCover, kThreshold };
const char* LowStockBasisName(LowStockBasis basis);  // "safety_stock", "days_of_cover", "threshold"

struct LowStockSku {
  std::string sku_id;
  std::string product_id;
  std::string warehouse_id;
  int64_t on_hand = 0;
  int64_t available = 0;
  int64_t threshold = 0;
  LowStockBasis basis = LowStockBasis::kThreshold;
};

struct LowStockList {
  std::vector<LowStockSku> skus;  // the furthest below their threshold first, at most kReportLowStockLimit
  int64_t total = 0;              // how many there are in all
};

// Points of the member ledger (PointsChanged events) in the report's day.
//   issued    points earned (new lots)
//   redeemed  points spent on orders, less the holds released and the points given back (returns)
//   reversed  earned points taken back after refunds
//   expired   points that expired
struct PointsFigures {
  int64_t issued = 0;
  int64_t redeemed = 0;
  int64_t reversed = 0;
  int64_t expired = 0;
};

struct DailyReport {
  absl::CivilDay date;
  std::string time_zone;
  std::string currency;
  absl::Time start_time;
  absl::Time end_time;
  absl::Time generated_at;
  ReportFigures day;
  ReportFigures day_before;
  ReportFigures week_before;
  ReportChange vs_day_before;
  ReportChange vs_week_before;
  std::vector<ProductSales> top_products;
  double top_products_gmv_share = 0;
  std::vector<ExpiringCouponGroup> expiring_coupons;
  LowStockList low_stock;
  PointsFigures points;
  PointsFigures points_day_before;
};

// Fills the changes and the top products' shares (of day.gmv_minor; 0 without GMV) and keeps the first
// kReportTopProducts of `top` (already ordered by GMV).
DailyReport BuildDailyReport(DailyReport report);

// The report as one HTML page: tables, a bar chart of the top products' GMV and one of the key figures against the
// day before and last week, as inline SVG. No script, no external resource; every text is escaped.
std::string RenderDailyReportHtml(const DailyReport& report);

std::string HtmlEscape(const std::string& text);

struct StoredReport {
  std::string date;  // yyyy-mm-dd
  absl::Time generated_at;
  int64_t gmv_minor = 0;
  std::string currency;
  std::string encoded;  // the report as the store keeps it (opaque here)
  std::string html;
};

class DailyReportStore {
 public:
  virtual ~DailyReportStore() = default;
  // Products by paid GMV of the orders paid in [start, end), at most `limit`, the highest first (then by id).
  virtual absl::StatusOr<std::vector<ProductSales>> TopProducts(absl::Time start, absl::Time end,
                                                                const std::string& currency, int limit) = 0;
  // Claimed coupons, not redeemed, expired or released for good, whose validity ends in [from, to), by template.
  virtual absl::StatusOr<std::vector<ExpiringCouponGroup>> CouponsExpiring(absl::Time from, absl::Time to) = 0;
  // The SKUs low on stock now (LowStockSku's rule), days of cover judged by the units sold in
  // [sales_end - kLowStockSalesDays, sales_end); `threshold` for SKUs without a setting; at most `limit`.
  virtual absl::StatusOr<LowStockList> LowStock(absl::Time sales_end, int64_t threshold, int limit) = 0;
  // The points ledger's sums over [start, end).
  virtual absl::StatusOr<PointsFigures> Points(absl::Time start, absl::Time end) = 0;
  // Stores the day's report with its page and appends DailyReportPublished to the outbox, unless the day is stored
  // already: then nothing changes and the answer is false.
  virtual absl::StatusOr<bool> Save(const DailyReport& report, const std::string& html) = 0;
  virtual absl::StatusOr<std::optional<StoredReport>> Get(absl::CivilDay day) = 0;
  // Newest first, days before `before` when given.
  virtual absl::StatusOr<std::vector<StoredReport>> List(std::optional<absl::CivilDay> before, int limit) = 0;
};

struct ReportRunResult {
  bool ran = false;
  bool stored = false;  // false: the day was stored before
  std::string day;
};

class DailyReports {
 public:
  // `low_stock_threshold`: the available stock at or below which a SKU without a safety stock setting is low.
  DailyReports(DailyReportStore& store, DashboardStore& dashboard, DailyRunLease& lease, absl::TimeZone zone,
               std::string zone_name, int64_t low_stock_threshold = 0)
      : store_(store),
        dashboard_(dashboard),
        lease_(lease),
        zone_(zone),
        zone_name_(std::move(zone_name)),
        low_stock_threshold_(low_stock_threshold) {}

  // The report of shop day `day`, computed now (not stored).
  absl::StatusOr<DailyReport> Compute(absl::CivilDay day, const std::string& currency, absl::Time now);
  // Computes and stores `day` unless it is stored: idempotent.
  absl::StatusOr<bool> Generate(absl::CivilDay day, const std::string& currency, absl::Time now);
  // From `run_hour` of the shop's day on, once a day across replicas: yesterday's report.
  absl::StatusOr<ReportRunResult> RunDaily(const std::string& currency, int run_hour, const std::string& owner,
                                           absl::Time now, absl::Duration lease);

  // INVALID_ARGUMENT (date, INVALID_DATE) unless "yyyy-mm-dd"; NOT_FOUND (REPORT_NOT_FOUND) when not stored.
  absl::StatusOr<StoredReport> Get(const std::string& date);
  // page_size 0 means 30; 1 to 100 (INVALID_ARGUMENT pageSize, PAGE_SIZE_OUT_OF_RANGE otherwise).
  absl::StatusOr<std::vector<StoredReport>> List(const std::string& before_date, int page_size);

 private:
  absl::StatusOr<ReportFigures> FiguresFor(absl::CivilDay day, const std::string& currency);

  DailyReportStore& store_;
  DashboardStore& dashboard_;
  DailyRunLease& lease_;
  absl::TimeZone zone_;
  std::string zone_name_;
  int64_t low_stock_threshold_ = 0;
};

// "2026-12-03" into a day; INVALID_ARGUMENT (field, INVALID_DATE) otherwise.
absl::StatusOr<absl::CivilDay> ParseReportDate(const std::string& date, const char* field);

}  // namespace zhongtai::datahub
