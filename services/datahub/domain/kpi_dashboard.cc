#include "services/datahub/domain/kpi_dashboard.h"

#include <set>

#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

double Ratio(int64_t part, int64_t whole) {
  return whole <= 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

bool ValidCurrency(const std::string& currency) {
  if (currency.size() != 3) return false;
  for (char c : currency) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

}  // namespace

DashboardKpis DeriveKpis(const DashboardFigures& figures) {
  DashboardKpis kpis;
  kpis.figures = figures;
  kpis.average_order_value_minor = AverageOrderValue(figures.paid_gmv_minor, figures.orders_paid);
  kpis.conversion_rate = Ratio(figures.buyers, figures.visitors);
  kpis.refund_rate = Ratio(figures.orders_refunded, figures.orders_paid);
  return kpis;
}

DashboardBreakdown BreakdownOrders(const std::vector<OrderFact>& facts, const std::string& currency,
                                   const TimeRange& range, const std::vector<ShopDay>& days) {
  DashboardBreakdown out;
  // Paying users per level, for the distinct count.
  std::set<std::string> total_buyers;
  std::map<int, std::set<std::string>> day_buyers;
  std::map<std::string, std::set<std::string>> channel_buyers;
  auto each_level = [&](int day, const std::string& channel, const auto& add) {
    add(out.total);
    if (day >= 0) add(out.by_day[day]);
    add(out.by_channel[channel]);
  };
  for (const OrderFact& fact : facts) {
    if (fact.currency != currency) continue;
    auto in_range = [&](const std::optional<absl::Time>& t) {
      return t.has_value() && *t >= range.start && *t < range.end;
    };
    auto day_of = [&](const std::optional<absl::Time>& t) { return DayIndexOf(days, *t); };
    if (in_range(fact.placed_at)) {
      const int day = day_of(fact.placed_at);
      each_level(day, fact.channel, [&](DashboardFigures& f) {
        ++f.orders_placed;
        f.gmv_minor += fact.total_minor;
      });
    }
    if (in_range(fact.paid_at)) {
      const int day = day_of(fact.paid_at);
      each_level(day, fact.channel, [&](DashboardFigures& f) {
        ++f.orders_paid;
        f.paid_gmv_minor += fact.paid_minor;
      });
      if (!fact.user_id.empty()) {
        total_buyers.insert(fact.user_id);
        if (day >= 0) day_buyers[day].insert(fact.user_id);
        channel_buyers[fact.channel].insert(fact.user_id);
      }
    }
    if (in_range(fact.cancelled_at)) {
      each_level(day_of(fact.cancelled_at), fact.channel, [&](DashboardFigures& f) { ++f.orders_cancelled; });
    }
    if (in_range(fact.refunded_at)) {
      each_level(day_of(fact.refunded_at), fact.channel, [&](DashboardFigures& f) {
        ++f.orders_refunded;
        f.refunded_minor += fact.refunded_minor;
      });
    }
  }
  out.total.buyers = static_cast<int64_t>(total_buyers.size());
  for (const auto& [day, users] : day_buyers) out.by_day[day].buyers = static_cast<int64_t>(users.size());
  for (const auto& [channel, users] : channel_buyers) {
    out.by_channel[channel].buyers = static_cast<int64_t>(users.size());
  }
  return out;
}

absl::StatusOr<KpiDashboard> KpiAnalytics::GetDashboard(const KpiQuery& query) {
  if (query.start_time.has_value() != query.end_time.has_value()) {
    const char* missing = query.start_time.has_value() ? "endTime" : "startTime";
    return InvalidArgument(missing, "REQUIRED",
                           std::string(missing) + " is required with the other (or leave both out for today)");
  }
  TimeRange range;
  if (query.start_time.has_value()) {
    range = {*query.start_time, *query.end_time};
  } else {
    range = ShopToday(clock_.Now(), zone_);
  }
  ASSIGN_OR_RETURN(std::vector<ShopDay> days, ShopDays(range.start, range.end, zone_));
  if (!ValidCurrency(query.currency)) {
    return InvalidArgument("currency", "INVALID_CURRENCY", "currency must be an ISO 4217 code such as CNY");
  }
  ASSIGN_OR_RETURN(DashboardBreakdown breakdown, store_.Breakdown(query.currency, range, days));
  KpiDashboard dashboard;
  dashboard.start_time = range.start;
  dashboard.end_time = range.end;
  dashboard.time_zone = zone_name_;
  dashboard.currency = query.currency;
  dashboard.total = DeriveKpis(breakdown.total);
  for (size_t i = 0; i < days.size(); ++i) {
    auto it = breakdown.by_day.find(static_cast<int>(i));
    dashboard.days.emplace_back(days[i], DeriveKpis(it == breakdown.by_day.end() ? DashboardFigures{} : it->second));
  }
  for (const auto& [channel, figures] : breakdown.by_channel) dashboard.channels[channel] = DeriveKpis(figures);
  return dashboard;
}

}  // namespace zhongtai::datahub
