// What the customer and experiment analytics need from storage. Implemented over PostgreSQL in
// store/pg_customer_analytics_store.*; a fake in tests. Calls block: call from worker or sweeper threads.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/datahub/domain/cohorts.h"
#include "services/datahub/domain/customer_history.h"
#include "services/datahub/domain/experiment_stats.h"

namespace zhongtai::datahub {

struct CohortCounts {
  std::vector<CohortSize> sizes;
  std::vector<CohortActivity> activity;
};

// A user's computed segments as published to the user center.
struct CustomerSegments {
  std::string user_id;
  std::string rfm_segment;  // RfmSegmentCode
  std::string ltv_band;     // LtvBandCode
};

class CustomerAnalyticsStore {
 public:
  virtual ~CustomerAnalyticsStore() = default;

  // Cohorts (CountCohorts' rule) of the customers whose first paid order in `currency` falls in [start, end).
  virtual absl::StatusOr<CohortCounts> CountCohorts(CohortPeriod period, absl::Time start, absl::Time end,
                                                    const std::string& currency) = 0;

  // Every customer with a paid order in `currency` paid before `as_of`.
  virtual absl::StatusOr<std::vector<CustomerHistory>> CustomerHistories(const std::string& currency,
                                                                         absl::Time as_of) = 0;

  // Exposures of the experiment per arm and the paid orders (in `currency`) the exposed users placed after it.
  virtual absl::StatusOr<std::vector<ArmOutcome>> ExperimentOutcomes(const std::string& experiment_id,
                                                                     const std::string& currency) = 0;

  // Records each user's segments; a user whose segments changed (or are new) gets a UserSegmentsComputed event
  // in the outbox in the same transaction. Returns how many events were written.
  virtual absl::StatusOr<int64_t> SaveSegments(const std::vector<CustomerSegments>& segments,
                                               absl::Time computed_at) = 0;
};

// Who runs the daily computation: one process a day, whatever the number of replicas.
class DailyRunLease {
 public:
  virtual ~DailyRunLease() = default;
  // True when `owner` now holds the run of `job` for `day` (a UTC date "yyyy-mm-dd") until `until`: nobody
  // finished that day's run and nobody else holds an unexpired lease.
  virtual absl::StatusOr<bool> TryAcquire(const std::string& job, const std::string& day, const std::string& owner,
                                          absl::Time now, absl::Time until) = 0;
  // Marks the day's run done; later TryAcquire for that day return false.
  virtual absl::Status Complete(const std::string& job, const std::string& day, const std::string& owner) = 0;
};

}  // namespace zhongtai::datahub
