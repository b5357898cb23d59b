// The daily operations report over fakes: figures, changes and top-product shares against hand-computed values, the
// run at the shop's hour for yesterday, idempotent generation, and the HTML page (inline SVG, no script, escaped).
#include "services/datahub/domain/daily_report.h"

#include <catch2/catch.hpp>
#include <map>

#include "services/datahub/tests/fake_customer_analytics_store.h"

namespace zhongtai::datahub {
namespace {

const absl::TimeZone kShanghai = [] {
  absl::TimeZone zone;
  absl::LoadTimeZone("Asia/Shanghai", &zone);
  return zone;
}();

DashboardFigures Figures(int64_t visitors, int64_t buyers, int64_t paid, int64_t paid_gmv) {
  DashboardFigures f;
  f.visitors = visitors;
  f.buyers = buyers;
  f.orders_paid = paid;
  f.paid_gmv_minor = paid_gmv;
  return f;
}

class FakeDashboard : public DashboardStore {
 public:
  std::map<absl::Time, DashboardFigures> by_start;
  std::vector<TimeRange> asked;
  absl::StatusOr<DashboardBreakdown> Breakdown(const std::string&, const TimeRange& range,
                                               const std::vector<ShopDay>&) override {
    asked.push_back(range);
    DashboardBreakdown out;
    auto it = by_start.find(range.start);
    if (it != by_start.end()) out.total = it->second;
    return out;
  }
};

class FakeReportStore : public DailyReportStore {
 public:
  std::vector<ProductSales> top;
  std::vector<ExpiringCouponGroup> coupons;
  std::map<std::string, StoredReport> stored;
  int saves = 0;
  absl::Time coupons_from, coupons_to;
  LowStockList low_stock;
  absl::Time low_stock_sales_end;
  int64_t low_stock_threshold = -1;
  int low_stock_limit = 0;
  std::map<absl::Time, PointsFigures> points;  // by the day's start

  absl::StatusOr<std::vector<ProductSales>> TopProducts(absl::Time, absl::Time, const std::string&,
                                                        int limit) override {
    std::vector<ProductSales> out = top;
    if (out.size() > static_cast<size_t>(limit) + 2) out.resize(limit + 2);  // a store that returns too many
    return out;
  }
  absl::StatusOr<std::vector<ExpiringCouponGroup>> CouponsExpiring(absl::Time from, absl::Time to) override {
    coupons_from = from;
    coupons_to = to;
    return coupons;
  }
  absl::StatusOr<LowStockList> LowStock(absl::Time sales_end, int64_t threshold, int limit) override {
    low_stock_sales_end = sales_end;
    low_stock_threshold = threshold;
    low_stock_limit = limit;
    return low_stock;
  }
  absl::StatusOr<PointsFigures> Points(absl::Time start, absl::Time) override {
    auto it = points.find(start);
    return it == points.end() ? PointsFigures{} : it->second;
  }
  absl::StatusOr<bool> Save(const DailyReport& report, const std::string& html) override {
    const std::string date = DayLabel(report.date);
    if (stored.count(date)) return false;
    ++saves;
    stored[date] = StoredReport{date, report.generated_at, report.day.gmv_minor, report.currency, "x", html};
    return true;
  }
  absl::StatusOr<std::optional<StoredReport>> Get(absl::CivilDay day) override {
    auto it = stored.find(DayLabel(day));
    if (it == stored.end()) return std::optional<StoredReport>();
    return std::optional<StoredReport>(it->second);
  }
  absl::StatusOr<std::vector<StoredReport>> List(std::optional<absl::CivilDay>, int) override {
    std::vector<StoredReport> out;
    for (auto it = stored.rbegin(); it != stored.rend(); ++it) out.push_back(it->second);
    return out;
  }
};

}  // namespace

TEST_CASE("daily report: figures, changes against the day before and last week, top ten shares") {
  FakeDashboard dashboard;
  FakeReportStore store;
  FakeDailyRunLease lease;
  const absl::CivilDay day(2026, 12, 3);
  // Day: 1000 visitors, 30 buyers, 40 orders paid for 4000.00 -> AOV 100.00, conversion 3%.
  dashboard.by_start[absl::FromCivil(day, kShanghai)] = Figures(1000, 30, 40, 400000);
  // Day before: 800, 20 buyers, 25 orders, 2500.00 -> AOV 100.00, conversion 2.5%.
  dashboard.by_start[absl::FromCivil(day - 1, kShanghai)] = Figures(800, 20, 25, 250000);
  // Same day last week: 1250, 25 buyers, 32 orders, 3200.00 -> AOV 100.00, conversion 2%.
  dashboard.by_start[absl::FromCivil(day - 7, kShanghai)] = Figures(1250, 25, 32, 320000);
  const int64_t gmv[] = {100000, 80000, 60000, 40000, 30000, 20000, 10000, 8000, 6000, 4000, 2000, 1000};
  for (int i = 0; i < 12; ++i) store.top.push_back({"P" + std::to_string(i + 1), i + 1, gmv[i], 0});
  store.coupons = {{"T1", 3, absl::FromCivil(absl::CivilHour(2026, 12, 5, 1), absl::UTCTimeZone())}};
  store.low_stock.skus = {{"S1", "P1", "WH1", 3, 1, 5, LowStockBasis::kSafetyStock}};
  store.low_stock.total = 1;
  store.points[absl::FromCivil(day, kShanghai)] = {500, 120, 10, 30};
  store.points[absl::FromCivil(day - 1, kShanghai)] = {400, 100, 0, 0};
  DailyReports reports(store, dashboard, lease, kShanghai, "Asia/Shanghai", 7);
  const absl::Time now = absl::FromCivil(absl::CivilHour(2026, 12, 4, 8), kShanghai);

  DailyReport r = reports.Compute(day, "CNY", now).value();
  CHECK(r.start_time == absl::FromCivil(absl::CivilSecond(2026, 12, 2, 16, 0, 0), absl::UTCTimeZone()));
  CHECK(r.end_time - r.start_time == absl::Hours(24));
  CHECK(r.day.visitors == 1000);
  CHECK(r.day.gmv_minor == 400000);
  CHECK(r.day.average_order_value_minor == 10000);
  CHECK(r.day.conversion_rate == Approx(0.03));
  CHECK(r.day_before.conversion_rate == Approx(0.025));
  CHECK(r.week_before.conversion_rate == Approx(0.02));
  CHECK(*r.vs_day_before.visitors == Approx(0.25));
  CHECK(*r.vs_day_before.conversion_rate == Approx(0.2));
  CHECK(*r.vs_day_before.average_order_value == Approx(0.0));
  CHECK(*r.vs_day_before.gmv == Approx(0.6));
  CHECK(*r.vs_week_before.visitors == Approx(-0.2));
  CHECK(*r.vs_week_before.conversion_rate == Approx(0.5));
  CHECK(*r.vs_week_before.gmv == Approx(0.25));
  REQUIRE(r.top_products.size() == 10);
  CHECK(r.top_products[0].product_id == "P1");
  CHECK(r.top_products[0].gmv_share == Approx(0.25));
  CHECK(r.top_products[9].gmv_share == Approx(0.01));
  CHECK(r.top_products_gmv_share == Approx(358000.0 / 400000.0));
  // Coupons whose validity ends within three days of the day's end.
  CHECK(store.coupons_from == r.end_time);
  CHECK(store.coupons_to == r.end_time + absl::Hours(72));
  REQUIRE(r.expiring_coupons.size() == 1);
  CHECK(r.expiring_coupons[0].coupons == 3);
  // Low stock: judged now, days of cover by the sales up to the day's end, the configured threshold passed on.
  CHECK(store.low_stock_sales_end == r.end_time);
  CHECK(store.low_stock_threshold == 7);
  CHECK(store.low_stock_limit == kReportLowStockLimit);
  REQUIRE(r.low_stock.skus.size() == 1);
  CHECK(r.low_stock.skus[0].sku_id == "S1");
  // Points of the day and of the day before, by the shop's days.
  CHECK(r.points.issued == 500);
  CHECK(r.points.redeemed == 120);
  CHECK(r.points.expired == 30);
  CHECK(r.points_day_before.issued == 400);

  // A day without a figure to compare with: no change rather than a division by zero.
  DailyReport empty = BuildDailyReport(DailyReport{});
  CHECK_FALSE(empty.vs_day_before.gmv.has_value());
  CHECK(empty.top_products_gmv_share == 0);
}

TEST_CASE("daily report: yesterday from the shop's hour on, stored once, generated again without a change") {
  FakeDashboard dashboard;
  FakeReportStore store;
  FakeDailyRunLease lease;
  DailyReports reports(store, dashboard, lease, kShanghai, "Asia/Shanghai");
  // 07:59 in Shanghai: before the hour.
  const absl::Time early = absl::FromCivil(absl::CivilSecond(2026, 12, 4, 7, 59, 0), kShanghai);
  CHECK_FALSE(reports.RunDaily("CNY", 8, "a", early, absl::Minutes(30)).value().ran);
  // 08:00 in Shanghai is 00:00 UTC: the shop's yesterday is 2026-12-03.
  const absl::Time at = absl::FromCivil(absl::CivilSecond(2026, 12, 4, 8, 0, 0), kShanghai);
  ReportRunResult run = reports.RunDaily("CNY", 8, "a", at, absl::Minutes(30)).value();
  CHECK(run.ran);
  CHECK(run.stored);
  CHECK(run.day == "2026-12-03");
  CHECK(store.saves == 1);
  // Later the same day, or another replica: the lease says done.
  CHECK_FALSE(reports.RunDaily("CNY", 8, "b", at + absl::Hours(2), absl::Minutes(30)).value().ran);
  // An explicit regeneration of a stored day changes nothing.
  CHECK_FALSE(reports.Generate(absl::CivilDay(2026, 12, 3), "CNY", at + absl::Hours(3)).value());
  CHECK(store.saves == 1);
  CHECK(store.stored["2026-12-03"].generated_at == at);

  CHECK(reports.Get("2026-12-03").ok());
  CHECK(reports.Get("2026-12-02").status().code() == absl::StatusCode::kNotFound);
  CHECK(reports.Get("3 Dec").status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(reports.List("", 101).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(reports.List("bad", 10).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(reports.List("", 0).value().size() == 1);
}

TEST_CASE("daily report page: inline SVG charts, no script, every text escaped") {
  DailyReport r;
  r.date = absl::CivilDay(2026, 12, 3);
  r.time_zone = "Asia/Shanghai";
  r.currency = "CNY";
  r.day.gmv_minor = 400000;
  r.day_before.gmv_minor = 250000;
  r.top_products = {{"<script>alert(1)</script>", 3, 100000, 0}, {"P2", 1, 50000, 0}};
  r.expiring_coupons = {{"T&1", 2, absl::UnixEpoch()}};
  r.low_stock.skus = {{"S<1>", "P1", "WH1", 4, 2, 5, LowStockBasis::kDaysOfCover}};
  r.low_stock.total = 3;
  r.points = {1234, 567, 0, 89};
  r = BuildDailyReport(r);
  const std::string html = RenderDailyReportHtml(r);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<rect") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;") != std::string::npos);
  CHECK(html.find("T&amp;1") != std::string::npos);
  CHECK(html.find("http://") == html.find("http://www.w3.org/2000/svg"));  // the SVG namespace only: nothing loaded
  CHECK(html.find("4000.00 CNY") != std::string::npos);
  CHECK(html.find("25.00%") != std::string::npos);  // P1's share of GMV
  CHECK(html.find("+60.0%") != std::string::npos);  // GMV against the day before
  // Low stock: the SKU escaped, its figures, where its threshold comes from, and that more are low than listed.
  CHECK(html.find("Low-stock SKUs") != std::string::npos);
  CHECK(html.find("S&lt;1&gt;") != std::string::npos);
  CHECK(html.find("<td>2</td><td>4</td><td>5</td><td>days_of_cover</td>") != std::string::npos);
  CHECK(html.find("the first 1 listed") != std::string::npos);
  // Points issued and redeemed.
  CHECK(html.find("<td>1234</td><td>567</td><td>0</td><td>89</td>") != std::string::npos);
}

}  // namespace zhongtai::datahub
