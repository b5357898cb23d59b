// PgCustomerAnalyticsStore and PgDailyRunLease on a real PostgreSQL (label store): the cohort SQL counts what the
// domain's CountCohorts counts, customer histories and experiment outcomes come from the ingested facts, changed
// segments (only) go to the outbox as UserSegmentsComputed, and one of two racing replicas runs the day's job.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "common/events/outbox.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "zhongtai/datahub/v1/user_segment_events.pb.h"

namespace zhongtai::datahub {
namespace {

absl::Time At(int y, int m, int d, int h = 12) {
  return absl::FromCivil(absl::CivilHour(y, m, d, h), absl::UTCTimeZone());
}

struct Fixture {
  Fixture() {
    auto opened = pg::Pool::Open({db.dsn(), 4, absl::Seconds(5), "datahub"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
  }

  // A paid order as the order events record it (placed, then paid the same amount an hour later).
  void PaidOrder(const std::string& order_id, const std::string& user_id, absl::Time placed_at, int64_t amount,
                 const std::string& channel = "app", const std::string& currency = "CNY") {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  PgOrderFactStore::Record(
                      tx, OrderEvent{OrderEventKind::kPlaced, order_id, placed_at, currency, amount, user_id, channel});
                  PgOrderFactStore::Record(tx, OrderEvent{OrderEventKind::kPaid, order_id, placed_at + absl::Hours(1),
                                                          currency, amount, "", ""});
                  return absl::OkStatus();
                })
                .ok());
  }

  void Exposure(const std::string& experiment, const std::string& user, const std::string& arm, absl::Time at) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  PgCustomerAnalyticsStore::RecordExposure(tx, experiment, user, arm, at);
                  return absl::OkStatus();
                })
                .ok());
  }

  std::vector<std::string> OutboxPayloads() {
    std::vector<std::string> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const pqxx::row& row :
                       tx.exec("SELECT encode(payload, 'base64') FROM outbox WHERE stream = 'zt.events.datahub' "
                               "AND type = 'zhongtai.datahub.v1.UserSegmentsComputed' ORDER BY seq")) {
                    out.push_back(row[0].as<std::string>());
                  }
                  return absl::OkStatus();
                })
                .ok());
    return out;
  }

  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pool;
};

}  // namespace

TEST_CASE("the cohort SQL counts what the domain's CountCohorts counts, by week and by month") {
  Fixture f;
  PgCustomerAnalyticsStore store(*f.pool);
  // Paid times are placed + 1 h. Weeks start Monday 2026-06-01, 06-08, ...; u5 pays in another currency only.
  std::vector<std::tuple<std::string, std::string, absl::Time>> orders = {
      {"o1", "u1", At(2026, 6, 1)},    {"o2", "u1", At(2026, 6, 9)},      {"o3", "u1", At(2026, 6, 10)},
      {"o4", "u2", At(2026, 6, 7)},    {"o5", "u2", At(2026, 7, 22)},     {"o6", "u3", At(2026, 6, 3)},
      {"o7", "u4", At(2026, 6, 8, 0)}, {"o8", "u6", At(2026, 5, 31, 23)}, {"o9", "u6", At(2026, 6, 2)},
      {"o10", "u7", At(2026, 8, 30)},
  };
  std::vector<PaidOrder> paid;
  for (const auto& [order, user, placed] : orders) {
    f.PaidOrder(order, user, placed, 1000);
    paid.push_back(PaidOrder{user, placed + absl::Hours(1)});
  }
  f.PaidOrder("o11", "u5", At(2026, 6, 2), 1000, "app", "USD");

  const absl::Time start = At(2026, 6, 1, 0);
  const absl::Time end = At(2026, 8, 1, 0);
  for (CohortPeriod period : {CohortPeriod::kWeek, CohortPeriod::kMonth}) {
    INFO(CohortPeriodCode(period));
    // The domain's rule over the customers whose first paid order is in range (u6's is 2026-06-01 00:00, in;
    // u7's is after the range).
    std::vector<PaidOrder> in_range;
    for (const PaidOrder& o : paid) {
      if (o.user_id != "u7") in_range.push_back(o);
    }
    std::vector<CohortSize> sizes;
    std::vector<CohortActivity> activity;
    CountCohorts(in_range, period, &sizes, &activity);

    absl::StatusOr<CohortCounts> counted = store.CountCohorts(period, start, end, "CNY");
    REQUIRE(counted.ok());
    REQUIRE(counted->sizes.size() == sizes.size());
    for (size_t i = 0; i < sizes.size(); ++i) {
      CHECK(counted->sizes[i].cohort == sizes[i].cohort);
      CHECK(counted->sizes[i].customers == sizes[i].customers);
      CHECK(counted->sizes[i].repeat_customers == sizes[i].repeat_customers);
    }
    REQUIRE(counted->activity.size() == activity.size());
    for (size_t i = 0; i < activity.size(); ++i) {
      CHECK(counted->activity[i].cohort == activity[i].cohort);
      CHECK(counted->activity[i].period_index == activity[i].period_index);
      CHECK(counted->activity[i].active_customers == activity[i].active_customers);
    }
  }
  // What an admin reads: the first June week has u1, u2, u3 and u6; u1 came back the next week; u1, u2 and u6
  // paid twice or more.
  absl::StatusOr<CohortCounts> weeks = store.CountCohorts(CohortPeriod::kWeek, start, end, "CNY");
  REQUIRE(weeks.ok());
  std::vector<Cohort> cohorts = BuildCohorts(weeks->sizes, weeks->activity, 8);
  REQUIRE(cohorts.size() == 2);
  CHECK(cohorts[0].start == At(2026, 6, 1, 0));
  CHECK(cohorts[0].customers == 4);
  CHECK(cohorts[0].active_customers[0] == 4);
  CHECK(cohorts[0].active_customers[1] == 1);
  CHECK(cohorts[0].repeat_purchase_rate == Approx(0.75));
}

TEST_CASE("customer histories sum each customer's paid orders in the currency, with the first order's channel") {
  Fixture f;
  PgCustomerAnalyticsStore store(*f.pool);
  f.PaidOrder("o1", "u1", At(2026, 3, 1), 1000, "mini_program");
  f.PaidOrder("o2", "u1", At(2026, 5, 1), 3000, "app");
  f.PaidOrder("o3", "u1", At(2026, 6, 1), 9999, "app", "USD");
  f.PaidOrder("o4", "u2", At(2026, 6, 29), 500, "web");
  f.PaidOrder("o5", "u3", At(2026, 7, 5), 700, "web");  // after as_of
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {  // placed, never paid
                PgOrderFactStore::Record(
                    tx, OrderEvent{OrderEventKind::kPlaced, "o6", At(2026, 6, 1), "CNY", 800, "u4", "app"});
                return absl::OkStatus();
              })
              .ok());
  absl::StatusOr<std::vector<CustomerHistory>> histories = store.CustomerHistories("CNY", At(2026, 7, 1));
  REQUIRE(histories.ok());
  REQUIRE(histories->size() == 2);
  const CustomerHistory& u1 = (*histories)[0];
  CHECK(u1.user_id == "u1");
  CHECK(u1.channel == "mini_program");
  CHECK(u1.paid_orders == 2);
  CHECK(u1.paid_minor == 4000);
  CHECK(u1.first_paid_at == At(2026, 3, 1, 13));
  CHECK(u1.last_paid_at == At(2026, 5, 1, 13));
  CHECK((*histories)[1].user_id == "u2");
}

TEST_CASE("experiment outcomes count exposed users and the paid orders they placed after the exposure") {
  Fixture f;
  PgCustomerAnalyticsStore store(*f.pool);
  const absl::Time exposed = At(2026, 6, 1);
  f.Exposure("ex1", "a1", "control", exposed);
  f.Exposure("ex1", "a1", "treatment", exposed);  // a replay with another arm: the first exposure stays
  f.Exposure("ex1", "a2", "control", exposed);
  f.Exposure("ex1", "b1", "treatment", exposed);
  f.Exposure("ex1", "b2", "treatment", exposed);
  f.Exposure("ex2", "a2", "control", exposed);
  f.PaidOrder("o1", "a1", exposed - absl::Hours(1), 5000);  // before the exposure: not counted
  f.PaidOrder("o2", "a1", exposed + absl::Hours(1), 10000);
  f.PaidOrder("o3", "b1", exposed + absl::Hours(2), 12000);
  f.PaidOrder("o4", "b1", exposed + absl::Hours(30), 14000);
  absl::StatusOr<std::vector<ArmOutcome>> arms = store.ExperimentOutcomes("ex1", "CNY");
  REQUIRE(arms.ok());
  REQUIRE(arms->size() == 2);
  const ArmOutcome& control = (*arms)[0];
  const ArmOutcome& treatment = (*arms)[1];
  CHECK(control.arm == "control");
  CHECK(control.exposures == 2);
  CHECK(control.converters == 1);
  CHECK(control.orders == 1);
  CHECK(control.order_amount_sum == 10000);
  CHECK(treatment.exposures == 2);
  CHECK(treatment.converters == 1);
  CHECK(treatment.orders == 2);
  CHECK(treatment.order_amount_sum == 26000);
  CHECK(treatment.order_amount_sum_squares == 12000.0 * 12000 + 14000.0 * 14000);
  CHECK(store.ExperimentOutcomes("nope", "CNY")->empty());

  // An erased user's exposure still counts, under a name that no longer leads to them.
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                PgCustomerAnalyticsStore::EraseUser(tx, "b2");
                return absl::OkStatus();
              })
              .ok());
  CHECK((*store.ExperimentOutcomes("ex1", "CNY"))[1].exposures == 2);
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                CHECK(tx.exec("SELECT 1 FROM experiment_exposures WHERE user_id = 'b2'").empty());
                return absl::OkStatus();
              })
              .ok());
}

TEST_CASE("segments go to the outbox as UserSegmentsComputed when new or changed, not when the same") {
  Fixture f;
  PgCustomerAnalyticsStore store(*f.pool);
  const absl::Time day1 = At(2026, 6, 1, 3);
  CHECK(*store.SaveSegments({{"u1", "important_value", "top"}, {"u2", "general_winback", "low"}}, day1) == 2);
  CHECK(*store.SaveSegments({{"u1", "important_value", "top"}, {"u2", "general_winback", "low"}},
                            day1 + absl::Hours(24)) == 0);
  CHECK(*store.SaveSegments({{"u1", "important_retain", "top"}, {"u2", "general_winback", "low"}},
                            day1 + absl::Hours(48)) == 1);
  std::vector<std::string> payloads = f.OutboxPayloads();
  REQUIRE(payloads.size() == 3);
  std::string bytes;
  REQUIRE(absl::Base64Unescape(payloads[2], &bytes));
  datahub::v1::UserSegmentsComputed event;
  REQUIRE(event.ParseFromString(bytes));
  CHECK(event.user_id() == "u1");
  CHECK(event.rfm_segment() == datahub::v1::RFM_SEGMENT_IMPORTANT_RETAIN);
  CHECK(event.ltv_band() == datahub::v1::LTV_BAND_TOP);
  CHECK(event.computed_at().seconds() == absl::ToUnixSeconds(day1 + absl::Hours(48)));
}

TEST_CASE("of two replicas racing for the day's segment run exactly one gets it, and only until it is done") {
  Fixture f;
  PgDailyRunLease lease(*f.pool);
  const absl::Time now = At(2026, 6, 1, 3);
  std::atomic<int> winners{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&, i] {
      absl::StatusOr<bool> got =
          lease.TryAcquire("segments", "2026-06-01", "r" + std::to_string(i), now, now + absl::Minutes(30));
      if (got.ok() && *got) ++winners;
    });
  }
  for (std::thread& t : replicas) t.join();
  CHECK(winners == 1);
  // A crashed holder's lease expires; another replica takes over.
  CHECK(*lease.TryAcquire("segments", "2026-06-01", "late", now + absl::Minutes(31), now + absl::Hours(1)));
  REQUIRE(lease.Complete("segments", "2026-06-01", "late").ok());
  CHECK_FALSE(*lease.TryAcquire("segments", "2026-06-01", "other", now + absl::Hours(2), now + absl::Hours(3)));
  CHECK(*lease.TryAcquire("segments", "2026-06-02", "other", now + absl::Hours(24), now + absl::Hours(25)));
}

}  // namespace zhongtai::datahub
