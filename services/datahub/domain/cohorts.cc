#include "services/datahub/domain/cohorts.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "common/status/status.h"

namespace zhongtai::datahub {

absl::StatusOr<CohortPeriod> ParseCohortPeriod(const std::string& text) {
  if (text.empty() || text == "week") return CohortPeriod::kWeek;
  if (text == "month") return CohortPeriod::kMonth;
  return InvalidArgument("period", "COHORT_PERIOD_INVALID", "period is week or month");
}

const char* CohortPeriodCode(CohortPeriod period) { return period == CohortPeriod::kWeek ? "week" : "month"; }

absl::Time PeriodStart(absl::Time t, CohortPeriod period) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::CivilSecond civil = absl::ToCivilSecond(t, utc);
  if (period == CohortPeriod::kMonth) return absl::FromCivil(absl::CivilMonth(civil), utc);
  absl::CivilDay day(civil);
  while (absl::GetWeekday(day) != absl::Weekday::monday) --day;
  return absl::FromCivil(day, utc);
}

int PeriodIndex(absl::Time cohort, absl::Time t, CohortPeriod period) {
  const absl::TimeZone utc = absl::UTCTimeZone();
  const absl::Time start = PeriodStart(t, period);
  if (period == CohortPeriod::kWeek) {
    return static_cast<int>(
        (absl::CivilDay(absl::ToCivilSecond(start, utc)) - absl::CivilDay(absl::ToCivilSecond(cohort, utc))) / 7);
  }
  return static_cast<int>(absl::CivilMonth(absl::ToCivilSecond(start, utc)) -
                          absl::CivilMonth(absl::ToCivilSecond(cohort, utc)));
}

void CountCohorts(const std::vector<PaidOrder>& orders, CohortPeriod period, std::vector<CohortSize>* sizes,
                  std::vector<CohortActivity>* activity) {
  std::map<std::string, absl::Time> first;
  std::map<std::string, int64_t> count;
  for (const PaidOrder& o : orders) {
    auto [it, inserted] = first.emplace(o.user_id, o.paid_at);
    if (!inserted) it->second = std::min(it->second, o.paid_at);
    ++count[o.user_id];
  }
  std::map<absl::Time, CohortSize> by_cohort;
  for (const auto& [user, at] : first) {
    CohortSize& size = by_cohort[PeriodStart(at, period)];
    size.cohort = PeriodStart(at, period);
    ++size.customers;
    if (count[user] >= 2) ++size.repeat_customers;
  }
  std::set<std::pair<std::pair<absl::Time, int>, std::string>> active;
  for (const PaidOrder& o : orders) {
    const absl::Time cohort = PeriodStart(first[o.user_id], period);
    active.insert({{cohort, PeriodIndex(cohort, o.paid_at, period)}, o.user_id});
  }
  std::map<std::pair<absl::Time, int>, int64_t> per_period;
  for (const auto& entry : active) ++per_period[entry.first];
  sizes->clear();
  activity->clear();
  for (const auto& [cohort, size] : by_cohort) sizes->push_back(size);
  for (const auto& [key, n] : per_period) activity->push_back(CohortActivity{key.first, key.second, n});
}

std::vector<Cohort> BuildCohorts(const std::vector<CohortSize>& sizes, const std::vector<CohortActivity>& activity,
                                 int periods) {
  std::map<absl::Time, Cohort> cohorts;
  for (const CohortSize& size : sizes) {
    Cohort& c = cohorts[size.cohort];
    c.start = size.cohort;
    c.customers = size.customers;
    c.repeat_purchase_rate =
        size.customers == 0 ? 0 : static_cast<double>(size.repeat_customers) / static_cast<double>(size.customers);
    c.active_customers.assign(periods, 0);
    c.retention.assign(periods, 0.0);
  }
  for (const CohortActivity& a : activity) {
    auto it = cohorts.find(a.cohort);
    if (it == cohorts.end() || a.period_index < 0 || a.period_index >= periods) continue;
    Cohort& c = it->second;
    c.active_customers[a.period_index] = a.active_customers;
    if (c.customers > 0) {
      c.retention[a.period_index] = static_cast<double>(a.active_customers) / static_cast<double>(c.customers);
    }
  }
  std::vector<Cohort> out;
  for (auto& [start, c] : cohorts) out.push_back(std::move(c));
  return out;
}

}  // namespace zhongtai::datahub
