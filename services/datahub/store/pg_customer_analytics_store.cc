#include "services/datahub/store/pg_customer_analytics_store.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "zhongtai/datahub/v1/user_segment_events.pb.h"

namespace zhongtai::datahub {
namespace {

using pg::Micros;

// Each customer's first paid order (in the currency) and number of paid orders, for the customers whose first
// paid order falls in [$3, $4). Shared by the two cohort queries.
constexpr char kFirstOrders[] =
    "WITH firsts AS ("
    " SELECT user_id, min(paid_at) AS first_paid, count(*) AS orders FROM order_facts"
    " WHERE user_id IS NOT NULL AND paid_at IS NOT NULL AND currency = $2"
    " GROUP BY user_id"
    " HAVING min(paid_at) >= ('epoch'::timestamptz + $3::bigint * interval '1 microsecond')"
    " AND min(paid_at) < ('epoch'::timestamptz + $4::bigint * interval '1 microsecond')) ";

// CountCohorts (domain/cohorts.h) in SQL: the cohort is date_trunc($1 = 'week' | 'month') of the first paid
// order in UTC (a week starts on Monday, as in PostgreSQL); sizes and customers with two paid orders or more.
constexpr char kCohortSizes[] =
    "SELECT (extract(epoch from date_trunc($1, first_paid AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') * 1000000)::bigint,"
    " count(*), count(*) FILTER (WHERE orders >= 2)"
    " FROM firsts GROUP BY 1 ORDER BY 1";

// Per cohort and period index (whole weeks or months after the cohort's), the customers who paid in it.
constexpr char kCohortActivity[] =
    "SELECT (extract(epoch from date_trunc($1, f.first_paid AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') * 1000000)::bigint,"
    " CASE WHEN $1 = 'week' THEN"
    "   (extract(epoch from date_trunc('week', o.paid_at AT TIME ZONE 'UTC')"
    "     - date_trunc('week', f.first_paid AT TIME ZONE 'UTC')) / 604800)::int"
    " ELSE ((extract(year from o.paid_at AT TIME ZONE 'UTC') - extract(year from f.first_paid AT TIME ZONE 'UTC')) * 12"
    "   + extract(month from o.paid_at AT TIME ZONE 'UTC') - extract(month from f.first_paid AT TIME ZONE 'UTC'))::int"
    " END AS period_index,"
    " count(DISTINCT o.user_id)"
    " FROM firsts f JOIN order_facts o ON o.user_id = f.user_id AND o.paid_at IS NOT NULL AND o.currency = $2"
    " GROUP BY 1, 2 ORDER BY 1, 2";

// One row per customer with a paid order in $1 before $2: the channel of the first paid order, first and last
// paid times, paid orders and amount.
constexpr char kCustomerHistories[] =
    "SELECT user_id, (array_agg(channel ORDER BY paid_at, order_id))[1],"
    " (extract(epoch from min(paid_at)) * 1000000)::bigint, (extract(epoch from max(paid_at)) * 1000000)::bigint,"
    " count(*), COALESCE(sum(paid_minor), 0)::bigint"
    " FROM order_facts"
    " WHERE user_id IS NOT NULL AND paid_at IS NOT NULL AND currency = $1"
    " AND paid_at < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond')"
    " GROUP BY user_id ORDER BY user_id";

// Per arm: exposed users; those who paid an order (in $2) placed at or after their exposure; those orders'
// count, sum and sum of squares (numeric, exact; as text for the double the statistics use).
constexpr char kExperimentOutcomes[] =
    "SELECT e.arm, count(DISTINCT e.user_id), count(DISTINCT o.user_id), count(o.order_id),"
    " COALESCE(sum(o.paid_minor::numeric), 0)::text, COALESCE(sum(o.paid_minor::numeric * o.paid_minor), 0)::text"
    " FROM experiment_exposures e"
    " LEFT JOIN order_facts o ON o.user_id = e.user_id AND o.paid_at IS NOT NULL AND o.placed_at >= e.exposed_at"
    " AND o.currency = $2"
    " WHERE e.experiment_id = $1 GROUP BY e.arm ORDER BY e.arm";

// A row back only when the customer is new or a segment changed: then (and only then) the event goes out.
constexpr char kSaveSegments[] =
    "INSERT INTO customer_segments (user_id, rfm_segment, ltv_band, computed_at)"
    " VALUES ($1, $2, $3, ('epoch'::timestamptz + $4::bigint * interval '1 microsecond'))"
    " ON CONFLICT (user_id) DO UPDATE SET rfm_segment = EXCLUDED.rfm_segment, ltv_band = EXCLUDED.ltv_band,"
    " computed_at = EXCLUDED.computed_at"
    " WHERE customer_segments.rfm_segment <> EXCLUDED.rfm_segment OR customer_segments.ltv_band <> EXCLUDED.ltv_band"
    " RETURNING user_id";

constexpr char kRecordExposure[] =
    "INSERT INTO experiment_exposures (experiment_id, user_id, arm, exposed_at)"
    " VALUES ($1, $2, $3, ('epoch'::timestamptz + $4::bigint * interval '1 microsecond'))"
    " ON CONFLICT (experiment_id, user_id) DO NOTHING";

// The lease: free when the job was not done today and nobody else holds an unexpired lease.
constexpr char kAcquireLease[] =
    "INSERT INTO daily_job_runs (job, done_day, owner, lease_until)"
    " VALUES ($1, NULL, $3, ('epoch'::timestamptz + $5::bigint * interval '1 microsecond'))"
    " ON CONFLICT (job) DO UPDATE SET owner = EXCLUDED.owner, lease_until = EXCLUDED.lease_until"
    " WHERE daily_job_runs.done_day IS DISTINCT FROM $2"
    " AND (daily_job_runs.owner = $3 OR daily_job_runs.lease_until IS NULL"
    "   OR daily_job_runs.lease_until <= ('epoch'::timestamptz + $4::bigint * interval '1 microsecond'))"
    " RETURNING job";

constexpr char kEraseExposures[] =
    "UPDATE experiment_exposures SET user_id = 'erased:' || md5(random()::text || user_id) WHERE user_id = $1";
constexpr char kEraseSegments[] = "DELETE FROM customer_segments WHERE user_id = $1";

constexpr char kCompleteLease[] =
    "UPDATE daily_job_runs SET done_day = $2, lease_until = NULL WHERE job = $1 AND owner = $3";

constexpr int kSegmentsPerTransaction = 1000;

datahub::v1::RfmSegment RfmSegmentProto(const std::string& code) {
  datahub::v1::RfmSegment value = datahub::v1::RFM_SEGMENT_UNSPECIFIED;
  datahub::v1::RfmSegment_Parse("RFM_SEGMENT_" + absl::AsciiStrToUpper(code), &value);
  return value;
}

datahub::v1::LtvBand LtvBandProto(const std::string& code) {
  datahub::v1::LtvBand value = datahub::v1::LTV_BAND_UNSPECIFIED;
  datahub::v1::LtvBand_Parse("LTV_BAND_" + absl::AsciiStrToUpper(code), &value);
  return value;
}

}  // namespace

absl::StatusOr<CohortCounts> PgCustomerAnalyticsStore::CountCohorts(CohortPeriod period, absl::Time start,
                                                                    absl::Time end, const std::string& currency) {
  CohortCounts counts;
  const std::string unit = CohortPeriodCode(period);
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    counts = CohortCounts{};
    for (const pqxx::row& row :
         tx.exec_params(std::string(kFirstOrders) + kCohortSizes, unit, currency, Micros(start), Micros(end))) {
      counts.sizes.push_back(CohortSize{pg::TimeFromMicros(row[0]), row[1].as<int64_t>(), row[2].as<int64_t>()});
    }
    for (const pqxx::row& row :
         tx.exec_params(std::string(kFirstOrders) + kCohortActivity, unit, currency, Micros(start), Micros(end))) {
      counts.activity.push_back(CohortActivity{pg::TimeFromMicros(row[0]), row[1].as<int>(), row[2].as<int64_t>()});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return counts;
}

absl::StatusOr<std::vector<CustomerHistory>> PgCustomerAnalyticsStore::CustomerHistories(const std::string& currency,
                                                                                         absl::Time as_of) {
  std::vector<CustomerHistory> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec_params(kCustomerHistories, currency, Micros(as_of))) {
      out.push_back(CustomerHistory{row[0].as<std::string>(), row[1].as<std::string>(), pg::TimeFromMicros(row[2]),
                                    pg::TimeFromMicros(row[3]), row[4].as<int64_t>(), row[5].as<int64_t>()});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<ArmOutcome>> PgCustomerAnalyticsStore::ExperimentOutcomes(const std::string& experiment_id,
                                                                                     const std::string& currency) {
  std::vector<ArmOutcome> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec_params(kExperimentOutcomes, experiment_id, currency)) {
      out.push_back(ArmOutcome{row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>(),
                               row[3].as<int64_t>(), std::stod(row[4].as<std::string>()),
                               std::stod(row[5].as<std::string>())});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<int64_t> PgCustomerAnalyticsStore::SaveSegments(const std::vector<CustomerSegments>& segments,
                                                               absl::Time computed_at) {
  int64_t events = 0;
  for (size_t begin = 0; begin < segments.size(); begin += kSegmentsPerTransaction) {
    const size_t end = std::min(segments.size(), begin + kSegmentsPerTransaction);
    int64_t batch_events = 0;
    absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
      batch_events = 0;
      for (size_t i = begin; i < end; ++i) {
        const CustomerSegments& s = segments[i];
        if (tx.exec_params(kSaveSegments, s.user_id, s.rfm_segment, s.ltv_band, Micros(computed_at)).empty()) continue;
        datahub::v1::UserSegmentsComputed event;
        event.set_user_id(s.user_id);
        event.set_rfm_segment(RfmSegmentProto(s.rfm_segment));
        event.set_ltv_band(LtvBandProto(s.ltv_band));
        *event.mutable_computed_at() = proto::ToTimestamp(computed_at);
        events::Event out;
        out.id = absl::StrCat("seg:", s.user_id, ":", absl::ToUnixMicros(computed_at));
        out.type = datahub::v1::UserSegmentsComputed::descriptor()->full_name();
        out.key = s.user_id;
        out.payload = event.SerializeAsString();
        out.occurred_at = computed_at;
        absl::Status appended = events::AppendToOutbox(tx, kDatahubEventStream, out);
        if (!appended.ok()) return appended;
        ++batch_events;
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    events += batch_events;
  }
  return events;
}

void PgCustomerAnalyticsStore::RecordExposure(pqxx::work& tx, const std::string& experiment_id,
                                              const std::string& user_id, const std::string& arm,
                                              absl::Time exposed_at) {
  tx.exec_params(kRecordExposure, experiment_id, user_id, arm, Micros(exposed_at));
}

void PgCustomerAnalyticsStore::EraseUser(pqxx::work& tx, const std::string& user_id) {
  tx.exec_params(kEraseExposures, user_id);
  tx.exec_params(kEraseSegments, user_id);
}

absl::StatusOr<bool> PgDailyRunLease::TryAcquire(const std::string& job, const std::string& day,
                                                 const std::string& owner, absl::Time now, absl::Time until) {
  bool acquired = false;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    acquired = !tx.exec_params(kAcquireLease, job, day, owner, Micros(now), Micros(until)).empty();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return acquired;
}

absl::Status PgDailyRunLease::Complete(const std::string& job, const std::string& day, const std::string& owner) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(kCompleteLease, job, day, owner);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
