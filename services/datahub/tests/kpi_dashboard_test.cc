#include "services/datahub/domain/kpi_dashboard.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/datahub/tests/in_memory_fact_store.h"

namespace zhongtai::datahub {
namespace {

absl::TimeZone Shanghai() {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &zone));
  return zone;
}

// Shanghai midnight of 2026-12-03 is 2026-12-02 16:00 UTC.
const absl::Time kMidnight = absl::FromCivil(absl::CivilHour(2026, 12, 2, 16), absl::UTCTimeZone());

OrderEvent Event(OrderEventKind kind, const std::string& order, absl::Duration at, int64_t amount,
                 const std::string& user, const std::string& channel = "app") {
  OrderEvent event;
  event.kind = kind;
  event.order_id = order;
  event.at = kMidnight + at;
  event.currency = "CNY";
  event.amount_minor = amount;
  event.user_id = user;
  event.channel = channel;
  return event;
}

TEST_CASE("Without a range the dashboard shows today in the shop's time zone") {
  InMemoryOrderFactStore store;
  // 01:00 UTC on the 3rd is 09:00 in Shanghai; the order at 23:30 Shanghai time on the 2nd is yesterday's.
  FakeClock clock(kMidnight + absl::Hours(9));
  store.Record(Event(OrderEventKind::kPlaced, "today", absl::Hours(1), 1000, "u1"));
  store.Record(Event(OrderEventKind::kPlaced, "yesterday", -absl::Minutes(30), 5000, "u2"));
  KpiAnalytics analytics(store, clock, Shanghai(), "Asia/Shanghai");
  auto dashboard = analytics.GetDashboard({});
  REQUIRE(dashboard.ok());
  CHECK(dashboard->start_time == kMidnight);
  CHECK(dashboard->end_time == kMidnight + absl::Hours(24));
  CHECK(dashboard->time_zone == "Asia/Shanghai");
  CHECK(dashboard->total.figures.orders_placed == 1);
  CHECK(dashboard->total.figures.gmv_minor == 1000);
  REQUIRE(dashboard->days.size() == 1);
  CHECK(DayLabel(dashboard->days[0].first.day) == "2026-12-03");
}

TEST_CASE("Figures by day and by channel, buyers counted once, AOV, conversion and refund rate") {
  InMemoryOrderFactStore store;
  FakeClock clock(kMidnight);
  // Day 1 (Dec 3): u1 buys twice on the app, u2 once on the web; u2's order is refunded on day 2.
  store.Record(Event(OrderEventKind::kPlaced, "o1", absl::Hours(1), 1000, "u1"));
  store.Record(Event(OrderEventKind::kPaid, "o1", absl::Hours(1), 1000, "u1"));
  store.Record(Event(OrderEventKind::kPlaced, "o2", absl::Hours(2), 2001, "u1"));
  store.Record(Event(OrderEventKind::kPaid, "o2", absl::Hours(2), 2001, "u1"));
  store.Record(Event(OrderEventKind::kPlaced, "o3", absl::Hours(3), 3000, "u2", "web"));
  store.Record(Event(OrderEventKind::kPaid, "o3", absl::Hours(3), 3000, "u2", "web"));
  store.Record(Event(OrderEventKind::kRefunded, "o3", absl::Hours(30), 1000, "u2", "web"));
  store.Record(Event(OrderEventKind::kRefunded, "o3", absl::Hours(31), 500, "u2", "web"));
  // Day 2: an unpaid order on the app, then cancelled.
  store.Record(Event(OrderEventKind::kPlaced, "o4", absl::Hours(26), 700, "u3"));
  store.Record(Event(OrderEventKind::kCancelled, "o4", absl::Hours(27), 0, "u3"));
  store.traffic.total.visitors = 40;
  store.traffic.total.page_views = 100;
  store.traffic.by_day[0].visitors = 30;
  store.traffic.by_channel["app"].visitors = 20;

  KpiAnalytics analytics(store, clock, Shanghai(), "Asia/Shanghai");
  KpiQuery query;
  query.start_time = kMidnight;
  query.end_time = kMidnight + absl::Hours(48);
  auto dashboard = analytics.GetDashboard(query);
  REQUIRE(dashboard.ok());
  const DashboardKpis& total = dashboard->total;
  CHECK(total.figures.orders_placed == 4);
  CHECK(total.figures.orders_paid == 3);
  CHECK(total.figures.gmv_minor == 6701);
  CHECK(total.figures.paid_gmv_minor == 6001);
  CHECK(total.figures.buyers == 2);
  CHECK(total.figures.orders_cancelled == 1);
  CHECK(total.figures.orders_refunded == 1);
  CHECK(total.figures.refunded_minor == 1500);
  CHECK(total.average_order_value_minor == 2000);  // 6001 / 3 = 2000.33
  CHECK(total.conversion_rate == Approx(2.0 / 40));
  CHECK(total.refund_rate == Approx(1.0 / 3));

  REQUIRE(dashboard->days.size() == 2);
  CHECK(DayLabel(dashboard->days[0].first.day) == "2026-12-03");
  const DashboardKpis& day1 = dashboard->days[0].second;
  CHECK(day1.figures.orders_paid == 3);
  CHECK(day1.figures.buyers == 2);
  CHECK(day1.figures.orders_refunded == 0);
  CHECK(day1.conversion_rate == Approx(2.0 / 30));
  const DashboardKpis& day2 = dashboard->days[1].second;
  CHECK(day2.figures.orders_placed == 1);
  CHECK(day2.figures.orders_refunded == 1);
  CHECK(day2.refund_rate == 0.0);      // nothing paid that day
  CHECK(day2.conversion_rate == 0.0);  // no visitors

  const DashboardKpis& app = dashboard->channels.at("app");
  CHECK(app.figures.orders_paid == 2);
  CHECK(app.figures.buyers == 1);
  CHECK(app.conversion_rate == Approx(1.0 / 20));
  CHECK(dashboard->channels.at("web").figures.paid_gmv_minor == 3000);
}

TEST_CASE("Only one end of the range, a reversed range or a bad currency is INVALID_ARGUMENT") {
  InMemoryOrderFactStore store;
  FakeClock clock(kMidnight);
  KpiAnalytics analytics(store, clock, Shanghai(), "Asia/Shanghai");
  KpiQuery only_start;
  only_start.start_time = kMidnight;
  CHECK(FieldOf(analytics.GetDashboard(only_start).status()) == "endTime");
  KpiQuery only_end;
  only_end.end_time = kMidnight;
  CHECK(FieldOf(analytics.GetDashboard(only_end).status()) == "startTime");
  KpiQuery reversed;
  reversed.start_time = kMidnight;
  reversed.end_time = kMidnight - absl::Hours(1);
  CHECK(ReasonOf(analytics.GetDashboard(reversed).status()) == "INVALID_TIME_RANGE");
  KpiQuery bad_currency;
  bad_currency.currency = "rmb";
  CHECK(ReasonOf(analytics.GetDashboard(bad_currency).status()) == "INVALID_CURRENCY");
  CHECK(store.calls() == 0);
}

}  // namespace
}  // namespace zhongtai::datahub
