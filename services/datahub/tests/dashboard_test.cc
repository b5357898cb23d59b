#include "services/datahub/domain/dashboard.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/datahub/tests/in_memory_fact_store.h"

namespace zhongtai::datahub {
namespace {

const absl::Time kDay = absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());

OrderEvent Placed(const std::string& id, absl::Duration at, int64_t total, const std::string& currency = "CNY") {
  return {OrderEventKind::kPlaced, id, kDay + at, currency, total};
}
OrderEvent Paid(const std::string& id, absl::Duration at, int64_t amount) {
  return {OrderEventKind::kPaid, id, kDay + at, "CNY", amount};
}
OrderEvent Cancelled(const std::string& id, absl::Duration at) {
  return {OrderEventKind::kCancelled, id, kDay + at, "", 0};
}

DashboardQuery Range(absl::Duration from, absl::Duration to) { return {kDay + from, kDay + to, "CNY"}; }

TEST_CASE("The dashboard counts orders placed and paid in the range and their GMV") {
  InMemoryOrderFactStore store;
  store.Record(Placed("o1", absl::Hours(1), 10000));
  store.Record(Paid("o1", absl::Hours(2), 10000));
  store.Record(Placed("o2", absl::Hours(3), 2999));
  store.Record(Paid("o2", absl::Hours(4), 2999));
  store.Record(Placed("o3", absl::Hours(5), 500));
  store.Record(Cancelled("o3", absl::Hours(6)));
  store.Record(Placed("o4", absl::Hours(30), 777));  // the next day
  Analytics analytics(store);

  auto day = analytics.GetDashboard(Range(absl::ZeroDuration(), absl::Hours(24)));
  REQUIRE(day.ok());
  CHECK(day->totals.orders_placed == 3);
  CHECK(day->totals.gmv_minor == 13499);
  CHECK(day->totals.orders_paid == 2);
  CHECK(day->totals.paid_gmv_minor == 12999);
  CHECK(day->totals.orders_cancelled == 1);
  CHECK(day->average_order_value_minor == 6500);  // 12999 / 2 = 6499.5, half up

  // Placed before the range, paid inside it: counts as paid only.
  auto afternoon = analytics.GetDashboard(Range(absl::Hours(2), absl::Hours(5)));
  REQUIRE(afternoon.ok());
  CHECK(afternoon->totals.orders_placed == 1);
  CHECK(afternoon->totals.gmv_minor == 2999);
  CHECK(afternoon->totals.orders_paid == 2);
  CHECK(afternoon->totals.paid_gmv_minor == 12999);
}

TEST_CASE("The range is half open: start included, end excluded") {
  InMemoryOrderFactStore store;
  store.Record(Placed("at-start", absl::Hours(1), 100));
  store.Record(Placed("at-end", absl::Hours(2), 200));
  Analytics analytics(store);
  auto dashboard = analytics.GetDashboard(Range(absl::Hours(1), absl::Hours(2)));
  REQUIRE(dashboard.ok());
  CHECK(dashboard->totals.orders_placed == 1);
  CHECK(dashboard->totals.gmv_minor == 100);
}

TEST_CASE("Average order value is 0 when nothing was paid and rounds half up otherwise") {
  CHECK(AverageOrderValue(0, 0) == 0);
  CHECK(AverageOrderValue(12345, 0) == 0);
  CHECK(AverageOrderValue(10, 3) == 3);  // 3.33
  CHECK(AverageOrderValue(11, 3) == 4);  // 3.67
  CHECK(AverageOrderValue(5, 2) == 3);   // 2.5
  CHECK(AverageOrderValue(9000000000000000000, 2) == 4500000000000000000);

  InMemoryOrderFactStore store;
  store.Record(Placed("o1", absl::Hours(1), 100));
  Analytics analytics(store);
  auto dashboard = analytics.GetDashboard(Range(absl::ZeroDuration(), absl::Hours(24)));
  REQUIRE(dashboard.ok());
  CHECK(dashboard->totals.orders_paid == 0);
  CHECK(dashboard->average_order_value_minor == 0);
}

TEST_CASE("Duplicate and out-of-order events leave each milestone at its first value") {
  InMemoryOrderFactStore store;
  store.Record(Paid("o1", absl::Hours(2), 900));  // paid arrives before placed
  store.Record(Placed("o1", absl::Hours(1), 1000));
  store.Record(Placed("o1", absl::Hours(3), 5000));  // a replay with other data is ignored
  store.Record(Paid("o1", absl::Hours(4), 1));
  const OrderFact fact = store.fact("o1");
  CHECK(fact.placed_at == kDay + absl::Hours(1));
  CHECK(fact.total_minor == 1000);
  CHECK(fact.paid_at == kDay + absl::Hours(2));
  CHECK(fact.paid_minor == 900);
  CHECK(fact.currency == "CNY");
}

TEST_CASE("Orders in another currency are left out") {
  InMemoryOrderFactStore store;
  store.Record(Placed("cny", absl::Hours(1), 100));
  store.Record(Placed("usd", absl::Hours(1), 7, "USD"));
  Analytics analytics(store);
  auto cny = analytics.GetDashboard(Range(absl::ZeroDuration(), absl::Hours(24)));
  REQUIRE(cny.ok());
  CHECK(cny->totals.orders_placed == 1);
  DashboardQuery usd_query = Range(absl::ZeroDuration(), absl::Hours(24));
  usd_query.currency = "USD";
  auto usd = analytics.GetDashboard(usd_query);
  REQUIRE(usd.ok());
  CHECK(usd->totals.gmv_minor == 7);
}

TEST_CASE("An empty or reversed range or a bad currency is INVALID_ARGUMENT with the field") {
  InMemoryOrderFactStore store;
  Analytics analytics(store);
  auto empty = analytics.GetDashboard(Range(absl::Hours(2), absl::Hours(2)));
  CHECK(empty.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(empty.status()) == "endTime");
  CHECK(ReasonOf(empty.status()) == "INVALID_TIME_RANGE");
  CHECK(analytics.GetDashboard(Range(absl::Hours(3), absl::Hours(2))).status().code() ==
        absl::StatusCode::kInvalidArgument);
  DashboardQuery bad = Range(absl::ZeroDuration(), absl::Hours(1));
  bad.currency = "cny";
  CHECK(FieldOf(analytics.GetDashboard(bad).status()) == "currency");
  CHECK(store.calls() == 0);
}

}  // namespace
}  // namespace zhongtai::datahub
