// The data hub's customer and experiment analytics: cohorts, RFM, LTV, experiment results, and the daily
// segment computation that feeds the user center's computed tags.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/datahub/domain/analytics_ports.h"
#include "services/datahub/domain/cohorts.h"
#include "services/datahub/domain/experiment_stats.h"
#include "services/datahub/domain/ltv.h"
#include "services/datahub/domain/rfm.h"

namespace zhongtai::datahub {

inline constexpr int kDefaultCohortPeriods = 12;
inline constexpr int kMaxCohortPeriods = 52;

struct CohortQuery {
  CohortPeriod period = CohortPeriod::kWeek;
  absl::Time start_time;  // first paid orders from (inclusive)
  absl::Time end_time;    // to (exclusive)
  int periods = 0;        // 0: kDefaultCohortPeriods
  std::string currency = "CNY";
};

struct RfmSegmentSummary {
  RfmSegment segment = RfmSegment::kGeneralWinback;
  int64_t customers = 0;
  double share = 0;
  int64_t average_monetary_minor = 0;  // half up
  double average_frequency = 0;
  double average_recency_days = 0;
};

struct RfmReport {
  absl::Time as_of;
  int64_t customers = 0;
  std::vector<RfmSegmentSummary> segments;  // all eight, in AllRfmSegments() order
  std::optional<RfmScore> user;             // when asked for one user who has a paid order
};

struct LtvReport {
  absl::Time as_of;
  LtvParameters parameters;
  std::vector<LtvGroup> groups;
  std::optional<LtvEstimate> user;
};

struct SegmentRunResult {
  bool ran = false;  // false: not due yet, done already today, or another replica holds it
  int64_t customers = 0;
  int64_t events = 0;
};

class CustomerAnalytics {
 public:
  CustomerAnalytics(CustomerAnalyticsStore& store, DailyRunLease& lease, LtvParameters ltv = {})
      : store_(store), lease_(lease), ltv_(ltv) {}

  // INVALID_ARGUMENT: endTime not after startTime (INVALID_TIME_RANGE), periods outside 0..52
  // (COHORT_PERIODS_OUT_OF_RANGE), a bad currency (INVALID_CURRENCY).
  absl::StatusOr<std::vector<Cohort>> GetCohorts(const CohortQuery& query);
  // `user_id` optional ("" for none).
  absl::StatusOr<RfmReport> GetRfm(const std::string& currency, const std::string& user_id, absl::Time as_of);
  absl::StatusOr<LtvReport> GetLtv(const std::string& currency, const std::string& user_id, absl::Time as_of);
  absl::StatusOr<ExperimentResult> GetExperiment(const std::string& experiment_id, const std::string& control_arm,
                                                 const std::string& traffic_split, const std::string& currency);

  // Computes every customer's RFM segment and LTV band and saves them (the store publishes the changes).
  absl::StatusOr<SegmentRunResult> ComputeSegments(const std::string& currency, absl::Time now);

  // The daily sweep: from `run_hour` (UTC) on, once a UTC day across replicas, ComputeSegments under a lease.
  absl::StatusOr<SegmentRunResult> RunDailySegments(const std::string& currency, int run_hour, const std::string& owner,
                                                    absl::Time now, absl::Duration lease);

 private:
  CustomerAnalyticsStore& store_;
  DailyRunLease& lease_;
  LtvParameters ltv_;
};

// Whether the daily job is due at `now`: from `run_hour` o'clock UTC on.
bool DailyRunDue(absl::Time now, int run_hour);
// "yyyy-mm-dd" of `now` in UTC.
std::string UtcDay(absl::Time now);

}  // namespace zhongtai::datahub
