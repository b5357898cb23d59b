// Retention cohorts: customers grouped by the week (Monday 00:00 UTC) or month (UTC) of their first paid order;
// for each later period, the share of the cohort who paid an order in it; and the repeat purchase rate, the share
// of the cohort with two paid orders or more (whenever placed).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::datahub {

enum class CohortPeriod { kWeek, kMonth };

// "week" / "month" (also "" -> week); INVALID_ARGUMENT (field period, COHORT_PERIOD_INVALID) otherwise.
absl::StatusOr<CohortPeriod> ParseCohortPeriod(const std::string& text);
const char* CohortPeriodCode(CohortPeriod period);

// The first instant of the period holding `t`.
absl::Time PeriodStart(absl::Time t, CohortPeriod period);
// Whole periods from `cohort` (a period start) to the period holding `t`.
int PeriodIndex(absl::Time cohort, absl::Time t, CohortPeriod period);

// What a store counts, per cohort: its customers and those with two paid orders or more ...
struct CohortSize {
  absl::Time cohort;
  int64_t customers = 0;
  int64_t repeat_customers = 0;
};
// ... and per cohort and period index, the customers who paid in that period.
struct CohortActivity {
  absl::Time cohort;
  int period_index = 0;
  int64_t active_customers = 0;
};

struct PaidOrder {
  std::string user_id;
  absl::Time paid_at;
};

// The same counts from raw paid orders: the rule the store's SQL implements, for tests and fakes.
void CountCohorts(const std::vector<PaidOrder>& orders, CohortPeriod period, std::vector<CohortSize>* sizes,
                  std::vector<CohortActivity>* activity);

struct Cohort {
  absl::Time start;
  int64_t customers = 0;
  double repeat_purchase_rate = 0;
  // Index k: customers who paid in period start + k, and their share of the cohort (k = 0 is 1).
  std::vector<int64_t> active_customers;
  std::vector<double> retention;
};

// Cohorts in start order with `periods` columns each (later periods are left out, missing ones are 0).
std::vector<Cohort> BuildCohorts(const std::vector<CohortSize>& sizes, const std::vector<CohortActivity>& activity,
                                 int periods);

}  // namespace zhongtai::datahub
