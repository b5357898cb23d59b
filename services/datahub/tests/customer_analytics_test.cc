// Cohorts, RFM scores and segments, the LTV prediction and the daily segment run, on fakes (no database).
#include "services/datahub/domain/customer_analytics.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "services/datahub/tests/fake_customer_analytics_store.h"

namespace zhongtai::datahub {
namespace {

absl::Time Day(int y, int m, int d, int h = 12) {
  return absl::FromCivil(absl::CivilHour(y, m, d, h), absl::UTCTimeZone());
}

CustomerHistory Customer(const std::string& id, absl::Time first, absl::Time last, int64_t orders, int64_t paid,
                         const std::string& channel = "app") {
  return CustomerHistory{id, channel, first, last, orders, paid};
}

}  // namespace

TEST_CASE("quintile scores: 1 + floor(5 x share strictly below), equal values share a score") {
  CHECK(QuintileScores({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) == std::vector<int>{1, 1, 2, 2, 3, 3, 4, 4, 5, 5});
  CHECK(QuintileScores({10, 1, 5, 5, 5}) == std::vector<int>{5, 1, 2, 2, 2});
  CHECK(QuintileScores({7, 7, 7}) == std::vector<int>{1, 1, 1});
  CHECK(QuintileScores({}).empty());
}

TEST_CASE("the eight classic RFM segments from high (score 3 or more) and low dimensions") {
  CHECK(SegmentOf(5, 5, 5) == RfmSegment::kImportantValue);
  CHECK(SegmentOf(3, 1, 4) == RfmSegment::kImportantDevelop);
  CHECK(SegmentOf(2, 4, 3) == RfmSegment::kImportantRetain);
  CHECK(SegmentOf(1, 2, 5) == RfmSegment::kImportantWinback);
  CHECK(SegmentOf(4, 3, 2) == RfmSegment::kGeneralValue);
  CHECK(SegmentOf(5, 1, 1) == RfmSegment::kGeneralDevelop);
  CHECK(SegmentOf(1, 5, 2) == RfmSegment::kGeneralRetain);
  CHECK(SegmentOf(2, 2, 2) == RfmSegment::kGeneralWinback);
  CHECK(std::string(RfmSegmentLabel(RfmSegment::kImportantWinback)) == "重要挽留");
  CHECK(std::string(RfmSegmentCode(RfmSegment::kImportantWinback)) == "important_winback");
  CHECK(AllRfmSegments().size() == kRfmSegmentCount);
}

TEST_CASE("RFM scores customers by days since the last order, orders and amount") {
  const absl::Time now = Day(2026, 6, 30);
  std::vector<CustomerHistory> customers = {
      Customer("loyal", Day(2026, 1, 5), Day(2026, 6, 29), 9, 900000),     // recent, often, much
      Customer("lapsed", Day(2025, 3, 1), Day(2025, 9, 1), 8, 800000),     // long gone, was often and much
      Customer("new", Day(2026, 6, 28), Day(2026, 6, 28), 1, 5000),        // recent, once, little
      Customer("gone", Day(2025, 1, 1), Day(2025, 1, 1), 1, 3000),         // long gone, once, little
      Customer("bigonce", Day(2026, 6, 20), Day(2026, 6, 20), 1, 700000),  // recent, once, much
      Customer("none", Day(2026, 6, 1), Day(2026, 6, 1), 0, 0),            // no paid order: not scored
  };
  std::vector<RfmScore> scores = ScoreRfm(customers, now);
  REQUIRE(scores.size() == 5);
  std::map<std::string, RfmScore> by_user;
  for (const RfmScore& s : scores) by_user[s.user_id] = s;
  CHECK(by_user["loyal"].recency_days == 1);
  CHECK(by_user["loyal"].segment == RfmSegment::kImportantValue);
  CHECK(by_user["lapsed"].segment == RfmSegment::kImportantRetain);
  CHECK(by_user["new"].segment == RfmSegment::kGeneralDevelop);
  CHECK(by_user["gone"].segment == RfmSegment::kGeneralWinback);
  CHECK(by_user["bigonce"].segment == RfmSegment::kImportantDevelop);
  CHECK(by_user["loyal"].r == 5);
  CHECK(by_user["gone"].r == 1);
  CHECK(by_user["new"].f == 1);  // three customers with one order share the lowest frequency score
}

TEST_CASE("LTV: shrinkage of the customer's rate and order value toward the cohort's, as stated") {
  const absl::Time now = Day(2026, 7, 1, 0);
  // One cohort (January 2026): a's history is 10 orders over 181 days, b's 1 order over 181 days.
  std::vector<CustomerHistory> customers = {
      Customer("a", Day(2026, 1, 1, 0), Day(2026, 6, 30), 10, 200000, "app"),
      Customer("b", Day(2026, 1, 1, 0), Day(2026, 1, 1, 0), 1, 10000, "web"),
  };
  LtvParameters p;  // β = 90 days, k = 2 orders, 365-day horizon
  std::vector<LtvEstimate> e = PredictLtv(customers, now, p);
  REQUIRE(e.size() == 2);
  const double days = 181;
  const double cohort_rate = 11 / (2 * days);
  const double cohort_value = 210000.0 / 11;
  const double rate_a = (10 + 90 * cohort_rate) / (days + 90);
  const double value_a = (200000 + 2 * cohort_value) / 12;
  CHECK(e[0].historical_minor == 200000);
  CHECK(e[0].cohort == Day(2026, 1, 1, 0));
  CHECK(std::fabs(e[0].expected_orders - rate_a * 365) < 1e-9);
  CHECK(std::fabs(e[0].expected_order_value_minor - value_a) < 1e-6);
  CHECK(e[0].predicted_minor == static_cast<int64_t>(std::floor(rate_a * 365 * value_a + 0.5)));
  // b is pulled up toward the cohort: more than its own 1 order in 181 days, less than the cohort's rate.
  const double rate_b = e[1].expected_orders / 365;
  CHECK(rate_b > 1 / days);
  CHECK(rate_b < cohort_rate);
  CHECK(e[1].expected_order_value_minor > 10000);
  CHECK(e[0].band == LtvBand::kMedium);  // half of the customers are below a: the 40-70% band
  CHECK(e[1].band == LtvBand::kLow);

  // A customer seen for one day is observed for 30 days, so one order does not predict one a day.
  std::vector<LtvEstimate> fresh =
      PredictLtv({Customer("c", now - absl::Hours(24), now - absl::Hours(24), 1, 10000)}, now, p);
  CHECK(fresh[0].expected_orders == Approx(365.0 * (1 + 90.0 / 30) / (30 + 90)));

  std::vector<LtvGroup> groups = GroupLtv(e);
  REQUIRE(groups.size() == 2);
  CHECK(groups[0].channel == "app");
  CHECK(groups[0].customers == 1);
  CHECK(groups[1].average_historical_minor == 10000);
}

TEST_CASE("cohorts by week: retention per later week and the repeat purchase rate") {
  // Monday 2026-06-01 and Monday 2026-06-08 start the weeks.
  std::vector<PaidOrder> orders = {
      {"u1", Day(2026, 6, 1)},    {"u1", Day(2026, 6, 9)},  {"u1", Day(2026, 6, 10)},  // weeks 0, 1
      {"u2", Day(2026, 6, 7)},    {"u2", Day(2026, 6, 22)},                            // week 0 (Sunday), 3
      {"u3", Day(2026, 6, 3)},                                                         // week 0 only
      {"u4", Day(2026, 6, 8, 0)},                                                      // next cohort
  };
  CHECK(PeriodStart(Day(2026, 6, 7), CohortPeriod::kWeek) == Day(2026, 6, 1, 0));
  CHECK(PeriodIndex(Day(2026, 6, 1, 0), Day(2026, 6, 22), CohortPeriod::kWeek) == 3);
  CHECK(PeriodIndex(Day(2026, 1, 1, 0), Day(2026, 3, 31), CohortPeriod::kMonth) == 2);
  std::vector<CohortSize> sizes;
  std::vector<CohortActivity> activity;
  CountCohorts(orders, CohortPeriod::kWeek, &sizes, &activity);
  std::vector<Cohort> cohorts = BuildCohorts(sizes, activity, 4);
  REQUIRE(cohorts.size() == 2);
  CHECK(cohorts[0].start == Day(2026, 6, 1, 0));
  CHECK(cohorts[0].customers == 3);
  CHECK(cohorts[0].repeat_purchase_rate == Approx(2.0 / 3));
  CHECK(cohorts[0].active_customers == std::vector<int64_t>{3, 1, 0, 1});
  CHECK(cohorts[0].retention[1] == Approx(1.0 / 3));
  CHECK(cohorts[1].customers == 1);
  CHECK(cohorts[1].retention[0] == 1.0);
  CHECK(ParseCohortPeriod("day").status().code() == absl::StatusCode::kInvalidArgument);
}

TEST_CASE("cohort queries are validated") {
  FakeCustomerAnalyticsStore store;
  FakeDailyRunLease lease;
  CustomerAnalytics analytics(store, lease);
  CohortQuery q;
  q.start_time = Day(2026, 6, 1);
  q.end_time = q.start_time;
  CHECK(analytics.GetCohorts(q).status().code() == absl::StatusCode::kInvalidArgument);
  q.end_time = Day(2026, 7, 1);
  q.periods = 53;
  CHECK(analytics.GetCohorts(q).status().code() == absl::StatusCode::kInvalidArgument);
  q.periods = 0;
  q.currency = "cny";
  CHECK(analytics.GetCohorts(q).status().code() == absl::StatusCode::kInvalidArgument);
  q.currency = "CNY";
  store.orders = {{"u1", Day(2026, 6, 2)}, {"u1", Day(2026, 6, 20)}, {"u9", Day(2026, 5, 2)}};
  absl::StatusOr<std::vector<Cohort>> cohorts = analytics.GetCohorts(q);
  REQUIRE(cohorts.ok());
  REQUIRE(cohorts->size() == 1);  // u9's first order is before the range
  CHECK((*cohorts)[0].retention.size() == kDefaultCohortPeriods);
}

TEST_CASE("the RFM report counts all eight segments and finds one user") {
  FakeCustomerAnalyticsStore store;
  FakeDailyRunLease lease;
  CustomerAnalytics analytics(store, lease);
  const absl::Time now = Day(2026, 6, 30);
  store.customers = {Customer("a", Day(2026, 1, 1), Day(2026, 6, 29), 5, 50000),
                     Customer("b", Day(2025, 1, 1), Day(2025, 1, 1), 1, 1000)};
  absl::StatusOr<RfmReport> report = analytics.GetRfm("CNY", "a", now);
  REQUIRE(report.ok());
  CHECK(report->customers == 2);
  REQUIRE(report->segments.size() == 8);
  CHECK(report->segments[0].segment == RfmSegment::kImportantValue);
  CHECK(report->segments[0].customers == 1);
  CHECK(report->segments[0].share == 0.5);
  CHECK(report->segments[7].customers == 1);  // b: general winback
  REQUIRE(report->user.has_value());
  CHECK(report->user->frequency == 5);
  CHECK_FALSE(analytics.GetRfm("CNY", "nobody", now)->user.has_value());
}

TEST_CASE("the daily segment run waits for its hour, runs once a day and publishes each user's segments") {
  FakeCustomerAnalyticsStore store;
  FakeDailyRunLease lease;
  CustomerAnalytics analytics(store, lease);
  store.customers = {Customer("a", Day(2026, 1, 1), Day(2026, 6, 29), 5, 50000),
                     Customer("b", Day(2025, 1, 1), Day(2025, 1, 1), 1, 1000)};
  const absl::Time early = Day(2026, 6, 30, 2);
  CHECK_FALSE(analytics.RunDailySegments("CNY", 3, "p1", early, absl::Minutes(10))->ran);
  const absl::Time due = Day(2026, 6, 30, 3);
  absl::StatusOr<SegmentRunResult> run = analytics.RunDailySegments("CNY", 3, "p1", due, absl::Minutes(10));
  REQUIRE(run.ok());
  CHECK(run->ran);
  CHECK(run->customers == 2);
  REQUIRE(store.saved.size() == 2);
  CHECK(store.saved[0].rfm_segment == "important_value");
  CHECK(store.saved[0].ltv_band == "medium");
  CHECK(store.saved[1].rfm_segment == "general_winback");
  // Another replica (or the same one) later that day does nothing; the next day runs again.
  CHECK_FALSE(analytics.RunDailySegments("CNY", 3, "p2", due + absl::Hours(1), absl::Minutes(10))->ran);
  CHECK(analytics.RunDailySegments("CNY", 3, "p2", due + absl::Hours(24), absl::Minutes(10))->ran);
}

}  // namespace zhongtai::datahub
