#include "services/datahub/domain/daily_report.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status/status.h"
#include "services/datahub/domain/shop_time.h"

namespace zhongtai::datahub {
namespace {

std::string Money(int64_t minor, const std::string& currency) {
  const char* sign = minor < 0 ? "-" : "";
  const int64_t abs = minor < 0 ? -minor : minor;
  return absl::StrFormat("%s%d.%02d %s", sign, abs / 100, abs % 100, currency);
}

std::string Percent(double ratio) { return absl::StrFormat("%.2f%%", ratio * 100); }

std::string Change(const std::optional<double>& change) {
  if (!change) return "–";
  return absl::StrFormat("%+.1f%%", *change * 100);
}

// A vertical bar chart: one bar per (label, value), scaled to the largest value.
std::string BarChart(const std::string& title, const std::vector<std::pair<std::string, int64_t>>& bars,
                     const std::string& currency) {
  const int width = 640, height = 260, top = 30, bottom = 60, left = 20;
  int64_t max = 1;
  for (const auto& bar : bars) max = std::max(max, bar.second);
  const int n = std::max<int>(1, static_cast<int>(bars.size()));
  const double slot = static_cast<double>(width - 2 * left) / n;
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" "
      "aria-label=\"%s\"><text x=\"%d\" y=\"18\" font-size=\"14\" font-weight=\"bold\">%s</text>",
      width, height, width, height, HtmlEscape(title), left, HtmlEscape(title));
  const int plot = height - top - bottom;
  for (int i = 0; i < static_cast<int>(bars.size()); ++i) {
    const double h = plot * static_cast<double>(std::max<int64_t>(0, bars[i].second)) / static_cast<double>(max);
    const double x = left + i * slot + slot * 0.15;
    const double w = slot * 0.7;
    absl::StrAppendFormat(&svg,
                          "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b7dd8\"/>"
                          "<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%s</text>"
                          "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" text-anchor=\"middle\">%s</text>",
                          x, top + plot - h, w, h, x + w / 2, top + plot - h - 3,
                          HtmlEscape(Money(bars[i].second, currency)), x + w / 2, height - bottom + 14,
                          HtmlEscape(bars[i].first.substr(0, 16)));
  }
  absl::StrAppend(&svg, "</svg>");
  return svg;
}

void FiguresRow(std::string* out, const std::string& label, const ReportFigures& f, const std::string& currency) {
  absl::StrAppend(out, "<tr><th>", HtmlEscape(label), "</th><td>", f.visitors, "</td><td>", Percent(f.conversion_rate),
                  "</td><td>", HtmlEscape(Money(f.average_order_value_minor, currency)), "</td><td>",
                  HtmlEscape(Money(f.gmv_minor, currency)), "</td><td>", f.orders_paid, "</td></tr>");
}

void ChangeRow(std::string* out, const std::string& label, const ReportChange& c) {
  absl::StrAppend(out, "<tr><th>", HtmlEscape(label), "</th><td>", Change(c.visitors), "</td><td>",
                  Change(c.conversion_rate), "</td><td>", Change(c.average_order_value), "</td><td>", Change(c.gmv),
                  "</td><td></td></tr>");
}

}  // namespace

std::string HtmlEscape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

ReportFigures FiguresOf(const DashboardFigures& figures) {
  const DashboardKpis kpis = DeriveKpis(figures);
  ReportFigures out;
  out.visitors = figures.visitors;
  out.buyers = figures.buyers;
  out.orders_paid = figures.orders_paid;
  out.gmv_minor = figures.paid_gmv_minor;
  out.average_order_value_minor = kpis.average_order_value_minor;
  out.conversion_rate = kpis.conversion_rate;
  return out;
}

std::optional<double> RelativeChange(double now, double then) {
  if (then == 0) return std::nullopt;
  return (now - then) / then;
}

ReportChange ChangeOf(const ReportFigures& now, const ReportFigures& then) {
  ReportChange c;
  c.visitors = RelativeChange(static_cast<double>(now.visitors), static_cast<double>(then.visitors));
  c.conversion_rate = RelativeChange(now.conversion_rate, then.conversion_rate);
  c.average_order_value = RelativeChange(static_cast<double>(now.average_order_value_minor),
                                         static_cast<double>(then.average_order_value_minor));
  c.gmv = RelativeChange(static_cast<double>(now.gmv_minor), static_cast<double>(then.gmv_minor));
  return c;
}

DailyReport BuildDailyReport(DailyReport report) {
  report.vs_day_before = ChangeOf(report.day, report.day_before);
  report.vs_week_before = ChangeOf(report.day, report.week_before);
  if (report.top_products.size() > static_cast<size_t>(kReportTopProducts)) {
    report.top_products.resize(kReportTopProducts);
  }
  int64_t top_gmv = 0;
  for (ProductSales& p : report.top_products) {
    p.gmv_share =
        report.day.gmv_minor > 0 ? static_cast<double>(p.gmv_minor) / static_cast<double>(report.day.gmv_minor) : 0.0;
    top_gmv += p.gmv_minor;
  }
  report.top_products_gmv_share =
      report.day.gmv_minor > 0 ? static_cast<double>(top_gmv) / static_cast<double>(report.day.gmv_minor) : 0.0;
  return report;
}

std::string RenderDailyReportHtml(const DailyReport& r) {
  const std::string date = DayLabel(r.date);
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>Daily operations report ",
      HtmlEscape(date),
      "</title><style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
      "th,td{border:1px solid #ccc;padding:4px 8px;text-align:right}th{text-align:left}</style></head><body>\n");
  absl::StrAppend(&out, "<h1>Daily operations report ", HtmlEscape(date), "</h1>\n<p>Shop day ", HtmlEscape(date), " (",
                  HtmlEscape(r.time_zone), "), generated ",
                  HtmlEscape(absl::FormatTime("%Y-%m-%d %H:%M:%S UTC", r.generated_at, absl::UTCTimeZone())),
                  ". Visitors are an estimate (HyperLogLog, about 2%).</p>\n");
  absl::StrAppend(&out,
                  "<h2>Key figures</h2>\n<table><tr><th></th><th>UV</th><th>Conversion</th><th>AOV</th>"
                  "<th>GMV (paid)</th><th>Orders paid</th></tr>");
  FiguresRow(&out, date, r.day, r.currency);
  FiguresRow(&out, "Day before", r.day_before, r.currency);
  FiguresRow(&out, "Same day last week", r.week_before, r.currency);
  ChangeRow(&out, "Change vs day before", r.vs_day_before);
  ChangeRow(&out, "Change vs last week", r.vs_week_before);
  absl::StrAppend(&out, "</table>\n");
  absl::StrAppend(
      &out,
      BarChart(
          "GMV: the day, the day before, the same day last week",
          {{date, r.day.gmv_minor}, {"day before", r.day_before.gmv_minor}, {"last week", r.week_before.gmv_minor}},
          r.currency),
      "\n");
  absl::StrAppend(&out, "<h2>Top products</h2>\n<p>Together ", Percent(r.top_products_gmv_share),
                  " of the day's GMV.</p>\n<table><tr><th>#</th><th>Product</th><th>Units</th><th>GMV</th>"
                  "<th>Share</th></tr>");
  std::vector<std::pair<std::string, int64_t>> bars;
  for (size_t i = 0; i < r.top_products.size(); ++i) {
    const ProductSales& p = r.top_products[i];
    absl::StrAppend(&out, "<tr><td>", i + 1, "</td><th>", HtmlEscape(p.product_id), "</th><td>", p.units_sold,
                    "</td><td>", HtmlEscape(Money(p.gmv_minor, r.currency)), "</td><td>", Percent(p.gmv_share),
                    "</td></tr>");
    bars.emplace_back(p.product_id, p.gmv_minor);
  }
  absl::StrAppend(&out, "</table>\n", BarChart("GMV of the top products", bars, r.currency), "\n");
  absl::StrAppend(&out,
                  "<h2>Coupons expiring within 3 days</h2>\n<table><tr><th>Template</th><th>Coupons</th>"
                  "<th>First expiry</th></tr>");
  for (const ExpiringCouponGroup& c : r.expiring_coupons) {
    absl::StrAppend(&out, "<tr><th>", HtmlEscape(c.template_id), "</th><td>", c.coupons, "</td><td>",
                    HtmlEscape(absl::FormatTime("%Y-%m-%d %H:%M", c.first_valid_until, absl::UTCTimeZone())),
                    " UTC</td></tr>");
  }
  absl::StrAppend(&out, "</table>\n");
  absl::StrAppend(&out, "<h2>Low-stock SKUs</h2>\n<p>", r.low_stock.total,
                  " SKU and warehouse pairs at or below their safety stock (the levels when the report was generated",
                  r.low_stock.total > static_cast<int64_t>(r.low_stock.skus.size())
                      ? absl::StrCat("; the first ", r.low_stock.skus.size(), " listed")
                      : "",
                  ").</p>\n<table><tr><th>SKU</th><th>Product</th><th>Warehouse</th><th>Available</th><th>On hand</th>"
                  "<th>Threshold</th><th>From</th></tr>");
  for (const LowStockSku& l : r.low_stock.skus) {
    absl::StrAppend(&out, "<tr><th>", HtmlEscape(l.sku_id), "</th><td>", HtmlEscape(l.product_id), "</td><td>",
                    HtmlEscape(l.warehouse_id), "</td><td>", l.available, "</td><td>", l.on_hand, "</td><td>",
                    l.threshold, "</td><td>", LowStockBasisName(l.basis), "</td></tr>");
  }
  absl::StrAppend(&out, "</table>\n");
  absl::StrAppend(&out,
                  "<h2>Member points</h2>\n<table><tr><th></th><th>Issued</th><th>Redeemed</th><th>Reversed</th>"
                  "<th>Expired</th></tr>");
  for (const auto& [label, p] : {std::pair<std::string, const PointsFigures*>{date, &r.points},
                                 std::pair<std::string, const PointsFigures*>{"Day before", &r.points_day_before}}) {
    absl::StrAppend(&out, "<tr><th>", HtmlEscape(label), "</th><td>", p->issued, "</td><td>", p->redeemed, "</td><td>",
                    p->reversed, "</td><td>", p->expired, "</td></tr>");
  }
  absl::StrAppend(&out, "</table>\n</body></html>\n");
  return out;
}

const char* LowStockBasisName(LowStockBasis basis) {
  switch (basis) {
    case LowStockBasis::kSafetyStock: return "safety_stock";
    case LowStockBasis::kDaysOfCover: return "days_of_cover";
    case LowStockBasis::kThreshold: return "threshold";
  }
  return "threshold";
}

absl::StatusOr<absl::CivilDay> ParseReportDate(const std::string& date, const char* field) {
  absl::CivilDay day;
  if (date.size() != 10 || !absl::ParseCivilTime(date, &day)) {
    return InvalidArgument(field, "INVALID_DATE", std::string(field) + " must be a date such as 2026-12-03");
  }
  return day;
}

absl::StatusOr<ReportFigures> DailyReports::FiguresFor(absl::CivilDay day, const std::string& currency) {
  TimeRange range{absl::FromCivil(day, zone_), absl::FromCivil(day + 1, zone_)};
  ASSIGN_OR_RETURN(DashboardBreakdown breakdown, dashboard_.Breakdown(currency, range, {}));
  return FiguresOf(breakdown.total);
}

absl::StatusOr<DailyReport> DailyReports::Compute(absl::CivilDay day, const std::string& currency, absl::Time now) {
  DailyReport report;
  report.date = day;
  report.time_zone = zone_name_;
  report.currency = currency;
  report.start_time = absl::FromCivil(day, zone_);
  report.end_time = absl::FromCivil(day + 1, zone_);
  report.generated_at = now;
  ASSIGN_OR_RETURN(report.day, FiguresFor(day, currency));
  ASSIGN_OR_RETURN(report.day_before, FiguresFor(day - 1, currency));
  ASSIGN_OR_RETURN(report.week_before, FiguresFor(day - 7, currency));
  ASSIGN_OR_RETURN(report.top_products,
                   store_.TopProducts(report.start_time, report.end_time, currency, kReportTopProducts));
  ASSIGN_OR_RETURN(report.expiring_coupons,
                   store_.CouponsExpiring(report.end_time, report.end_time + kReportCouponHorizon));
  ASSIGN_OR_RETURN(report.low_stock, store_.LowStock(report.end_time, low_stock_threshold_, kReportLowStockLimit));
  ASSIGN_OR_RETURN(report.points, store_.Points(report.start_time, report.end_time));
  ASSIGN_OR_RETURN(report.points_day_before, store_.Points(absl::FromCivil(day - 1, zone_), report.start_time));
  return BuildDailyReport(std::move(report));
}

absl::StatusOr<bool> DailyReports::Generate(absl::CivilDay day, const std::string& currency, absl::Time now) {
  ASSIGN_OR_RETURN(std::optional<StoredReport> stored, store_.Get(day));
  if (stored) return false;
  ASSIGN_OR_RETURN(DailyReport report, Compute(day, currency, now));
  return store_.Save(report, RenderDailyReportHtml(report));
}

absl::StatusOr<ReportRunResult> DailyReports::RunDaily(const std::string& currency, int run_hour,
                                                       const std::string& owner, absl::Time now, absl::Duration lease) {
  ReportRunResult result;
  const absl::CivilHour local = absl::ToCivilHour(now, zone_);
  if (local.hour() < run_hour) return result;
  const absl::CivilDay yesterday = absl::CivilDay(local) - 1;
  result.day = DayLabel(yesterday);
  ASSIGN_OR_RETURN(bool acquired, lease_.TryAcquire("daily-report", result.day, owner, now, now + lease));
  if (!acquired) return result;
  ASSIGN_OR_RETURN(result.stored, Generate(yesterday, currency, now));
  RETURN_IF_ERROR(lease_.Complete("daily-report", result.day, owner));
  result.ran = true;
  return result;
}

absl::StatusOr<StoredReport> DailyReports::Get(const std::string& date) {
  ASSIGN_OR_RETURN(absl::CivilDay day, ParseReportDate(date, "date"));
  ASSIGN_OR_RETURN(std::optional<StoredReport> stored, store_.Get(day));
  if (!stored) return NotFound("REPORT_NOT_FOUND", "no report is stored for " + date);
  return *std::move(stored);
}

absl::StatusOr<std::vector<StoredReport>> DailyReports::List(const std::string& before_date, int page_size) {
  if (page_size == 0) page_size = 30;
  if (page_size < 1 || page_size > 100) {
    return InvalidArgument("pageSize", "PAGE_SIZE_OUT_OF_RANGE", "pageSize is 1 to 100, or 0 for 30");
  }
  std::optional<absl::CivilDay> before;
  if (!before_date.empty()) {
    ASSIGN_OR_RETURN(before, ParseReportDate(before_date, "beforeDate"));
  }
  return store_.List(before, page_size);
}

}  // namespace zhongtai::datahub
