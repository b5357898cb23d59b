#include "services/datahub/domain/ltv.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

namespace zhongtai::datahub {
namespace {

int64_t RoundHalfUp(double value) { return static_cast<int64_t>(std::floor(value + 0.5)); }

int64_t AverageHalfUp(int64_t total, int64_t count) {
  return count == 0 ? 0 : RoundHalfUp(static_cast<double>(total) / static_cast<double>(count));
}

struct CohortTotals {
  double orders = 0;
  double days = 0;
  double paid = 0;
};

}  // namespace

const char* LtvBandCode(LtvBand band) {
  switch (band) {
    case LtvBand::kLow: return "low";
    case LtvBand::kMedium: return "medium";
    case LtvBand::kHigh: return "high";
    case LtvBand::kTop: return "top";
  }
  return "low";
}

absl::Time MonthStart(absl::Time t) {
  const absl::CivilSecond civil = absl::ToCivilSecond(t, absl::UTCTimeZone());
  return absl::FromCivil(absl::CivilMonth(civil), absl::UTCTimeZone());
}

std::vector<LtvEstimate> PredictLtv(const std::vector<CustomerHistory>& customers, absl::Time as_of,
                                    const LtvParameters& parameters) {
  auto observed_days = [&](const CustomerHistory& c) {
    return std::max(parameters.min_observation_days, absl::ToDoubleHours(as_of - c.first_paid_at) / 24.0);
  };
  std::map<absl::Time, CohortTotals> cohorts;
  for (const CustomerHistory& c : customers) {
    if (c.paid_orders <= 0) continue;
    CohortTotals& totals = cohorts[MonthStart(c.first_paid_at)];
    totals.orders += static_cast<double>(c.paid_orders);
    totals.days += observed_days(c);
    totals.paid += static_cast<double>(c.paid_minor);
  }
  std::vector<LtvEstimate> out;
  for (const CustomerHistory& c : customers) {
    if (c.paid_orders <= 0) continue;
    LtvEstimate e;
    e.user_id = c.user_id;
    e.channel = c.channel;
    e.cohort = MonthStart(c.first_paid_at);
    e.historical_minor = c.paid_minor;
    const CohortTotals& cohort = cohorts[e.cohort];
    const double cohort_rate = cohort.orders / cohort.days;
    const double cohort_value = cohort.paid / cohort.orders;
    const double n = static_cast<double>(c.paid_orders);
    const double rate = (n + parameters.prior_days * cohort_rate) / (observed_days(c) + parameters.prior_days);
    e.expected_orders = rate * parameters.horizon_days;
    e.expected_order_value_minor =
        (static_cast<double>(c.paid_minor) + parameters.prior_orders * cohort_value) / (n + parameters.prior_orders);
    e.predicted_minor = RoundHalfUp(e.expected_orders * e.expected_order_value_minor);
    out.push_back(e);
  }
  std::vector<int64_t> sorted;
  for (const LtvEstimate& e : out) sorted.push_back(e.predicted_minor);
  std::sort(sorted.begin(), sorted.end());
  for (LtvEstimate& e : out) {
    const double below =
        static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), e.predicted_minor) - sorted.begin()) /
        static_cast<double>(sorted.size());
    e.band = below >= 0.9   ? LtvBand::kTop
             : below >= 0.7 ? LtvBand::kHigh
             : below >= 0.4 ? LtvBand::kMedium
                            : LtvBand::kLow;
  }
  return out;
}

std::vector<LtvGroup> GroupLtv(const std::vector<LtvEstimate>& estimates) {
  std::map<std::pair<absl::Time, std::string>, LtvGroup> groups;
  for (const LtvEstimate& e : estimates) {
    LtvGroup& g = groups[{e.cohort, e.channel}];
    g.cohort = e.cohort;
    g.channel = e.channel;
    ++g.customers;
    g.historical_minor += e.historical_minor;
    g.predicted_minor += e.predicted_minor;
  }
  std::vector<LtvGroup> out;
  for (auto& [key, g] : groups) {
    g.average_historical_minor = AverageHalfUp(g.historical_minor, g.customers);
    g.average_predicted_minor = AverageHalfUp(g.predicted_minor, g.customers);
    out.push_back(g);
  }
  return out;
}

}  // namespace zhongtai::datahub
