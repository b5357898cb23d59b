// CustomerAnalyticsStore and DailyRunLease over PostgreSQL: cohorts and customer histories from order_facts,
// experiment outcomes from experiment_exposures joined to order_facts, segments in customer_segments with their
// UserSegmentsComputed events in the outbox (stream zt.events.datahub), the daily lease in daily_job_runs.
#pragma once

#include "common/pg/pool.h"
#include "services/datahub/domain/analytics_ports.h"

namespace zhongtai::datahub {

inline constexpr char kDatahubEventStream[] = "zt.events.datahub";

class PgCustomerAnalyticsStore : public CustomerAnalyticsStore {
 public:
  explicit PgCustomerAnalyticsStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<CohortCounts> CountCohorts(CohortPeriod period, absl::Time start, absl::Time end,
                                            const std::string& currency) override;
  absl::StatusOr<std::vector<CustomerHistory>> CustomerHistories(const std::string& currency,
                                                                 absl::Time as_of) override;
  absl::StatusOr<std::vector<ArmOutcome>> ExperimentOutcomes(const std::string& experiment_id,
                                                             const std::string& currency) override;
  absl::StatusOr<int64_t> SaveSegments(const std::vector<CustomerSegments>& segments, absl::Time computed_at) override;

  // An exposure from marketing's event, in the consumer's transaction; the first one per user and experiment wins.
  static void RecordExposure(pqxx::work& tx, const std::string& experiment_id, const std::string& user_id,
                             const std::string& arm, absl::Time exposed_at);
  // The user erased their account: their exposures keep counting under a random name; their segments go.
  static void EraseUser(pqxx::work& tx, const std::string& user_id);

 private:
  pg::Pool& pool_;
};

class PgDailyRunLease : public DailyRunLease {
 public:
  explicit PgDailyRunLease(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<bool> TryAcquire(const std::string& job, const std::string& day, const std::string& owner,
                                  absl::Time now, absl::Time until) override;
  absl::Status Complete(const std::string& job, const std::string& day, const std::string& owner) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
