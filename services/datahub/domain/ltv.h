// Customer lifetime value: what a customer paid so far, and what they are predicted to pay in the next 12 months.
//
// Method (an empirical-Bayes shrinkage of the customer's own history toward their cohort's; the cohort is the
// UTC month of the first paid order):
//   n = paid orders, S = amount paid, T = days since the first paid order (at least min_observation_days)
//   cohort rate  λc = Σn / ΣT over the cohort,     cohort order value  Ac = ΣS / Σn
//   rate         λ  = (n + β λc) / (T + β)          (a Gamma(β λc, β) prior on the Poisson order rate)
//   order value  A  = (S + k Ac) / (n + k)          (k prior orders at the cohort's order value)
//   predicted    = λ × horizon_days × A, in fen, rounded half up
// β (prior_days) and k (prior_orders) say how much history outweighs the cohort: a customer with little history
// gets about the cohort's figures, one with a long history about their own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/datahub/domain/customer_history.h"

namespace zhongtai::datahub {

struct LtvParameters {
  double prior_days = 90;
  double prior_orders = 2;
  double horizon_days = 365;
  double min_observation_days = 30;
};

enum class LtvBand { kLow, kMedium, kHigh, kTop };

// "low", "medium", "high", "top": the user tag's value ("ltv:top").
const char* LtvBandCode(LtvBand band);

struct LtvEstimate {
  std::string user_id;
  std::string channel;
  absl::Time cohort;  // first day (UTC) of the month of the first paid order
  int64_t historical_minor = 0;
  double expected_orders = 0;  // in the horizon
  double expected_order_value_minor = 0;
  int64_t predicted_minor = 0;
  LtvBand band = LtvBand::kLow;
};

// The first instant (UTC) of the month of `t`.
absl::Time MonthStart(absl::Time t);

// One estimate per customer with a paid order, in the input order. Bands rank the predicted values among these
// customers: top 10% "top", next 20% "high", next 30% "medium", the rest "low" (equal values share a band).
std::vector<LtvEstimate> PredictLtv(const std::vector<CustomerHistory>& customers, absl::Time as_of,
                                    const LtvParameters& parameters = {});

// Customers of one cohort and channel and their totals.
struct LtvGroup {
  absl::Time cohort;
  std::string channel;
  int64_t customers = 0;
  int64_t historical_minor = 0;
  int64_t predicted_minor = 0;
  int64_t average_historical_minor = 0;  // half up
  int64_t average_predicted_minor = 0;   // half up
};

// Groups by cohort, then channel, in that order.
std::vector<LtvGroup> GroupLtv(const std::vector<LtvEstimate>& estimates);

}  // namespace zhongtai::datahub
