#include "services/datahub/domain/customer_analytics.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/ascii.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

absl::Status CheckCurrency(const std::string& currency) {
  const bool valid = currency.size() == 3 &&
                     std::all_of(currency.begin(), currency.end(), [](char c) { return absl::ascii_isupper(c); });
  if (valid) return absl::OkStatus();
  return InvalidArgument("currency", "INVALID_CURRENCY", "currency must be an ISO 4217 code such as CNY");
}

int64_t AverageHalfUp(int64_t total, int64_t count) {
  if (count == 0) return 0;
  return static_cast<int64_t>(std::floor(static_cast<double>(total) / static_cast<double>(count) + 0.5));
}

}  // namespace

bool DailyRunDue(absl::Time now, int run_hour) {
  return absl::ToCivilHour(now, absl::UTCTimeZone()).hour() >= run_hour;
}

std::string UtcDay(absl::Time now) { return absl::FormatTime("%Y-%m-%d", now, absl::UTCTimeZone()); }

absl::StatusOr<std::vector<Cohort>> CustomerAnalytics::GetCohorts(const CohortQuery& query) {
  if (query.end_time <= query.start_time) {
    return InvalidArgument("endTime", "INVALID_TIME_RANGE", "end_time must be after start_time");
  }
  if (query.periods < 0 || query.periods > kMaxCohortPeriods) {
    return InvalidArgument("periods", "COHORT_PERIODS_OUT_OF_RANGE", "periods is 0 (the default, 12) to 52");
  }
  RETURN_IF_ERROR(CheckCurrency(query.currency));
  ASSIGN_OR_RETURN(CohortCounts counts,
                   store_.CountCohorts(query.period, query.start_time, query.end_time, query.currency));
  return BuildCohorts(counts.sizes, counts.activity, query.periods == 0 ? kDefaultCohortPeriods : query.periods);
}

absl::StatusOr<RfmReport> CustomerAnalytics::GetRfm(const std::string& currency, const std::string& user_id,
                                                    absl::Time as_of) {
  RETURN_IF_ERROR(CheckCurrency(currency));
  ASSIGN_OR_RETURN(std::vector<CustomerHistory> customers, store_.CustomerHistories(currency, as_of));
  const std::vector<RfmScore> scores = ScoreRfm(customers, as_of);
  RfmReport report;
  report.as_of = as_of;
  report.customers = static_cast<int64_t>(scores.size());
  std::map<RfmSegment, std::vector<const RfmScore*>> by_segment;
  for (const RfmScore& score : scores) {
    by_segment[score.segment].push_back(&score);
    if (!user_id.empty() && score.user_id == user_id) report.user = score;
  }
  for (RfmSegment segment : AllRfmSegments()) {
    RfmSegmentSummary summary;
    summary.segment = segment;
    int64_t monetary = 0;
    int64_t frequency = 0;
    int64_t recency = 0;
    for (const RfmScore* score : by_segment[segment]) {
      ++summary.customers;
      monetary += score->monetary_minor;
      frequency += score->frequency;
      recency += score->recency_days;
    }
    if (summary.customers > 0) {
      const double n = static_cast<double>(summary.customers);
      summary.share = n / static_cast<double>(report.customers);
      summary.average_monetary_minor = AverageHalfUp(monetary, summary.customers);
      summary.average_frequency = static_cast<double>(frequency) / n;
      summary.average_recency_days = static_cast<double>(recency) / n;
    }
    report.segments.push_back(summary);
  }
  return report;
}

absl::StatusOr<LtvReport> CustomerAnalytics::GetLtv(const std::string& currency, const std::string& user_id,
                                                    absl::Time as_of) {
  RETURN_IF_ERROR(CheckCurrency(currency));
  ASSIGN_OR_RETURN(std::vector<CustomerHistory> customers, store_.CustomerHistories(currency, as_of));
  const std::vector<LtvEstimate> estimates = PredictLtv(customers, as_of, ltv_);
  LtvReport report;
  report.as_of = as_of;
  report.parameters = ltv_;
  report.groups = GroupLtv(estimates);
  for (const LtvEstimate& e : estimates) {
    if (!user_id.empty() && e.user_id == user_id) report.user = e;
  }
  return report;
}

absl::StatusOr<ExperimentResult> CustomerAnalytics::GetExperiment(const std::string& experiment_id,
                                                                  const std::string& control_arm,
                                                                  const std::string& traffic_split,
                                                                  const std::string& currency) {
  if (experiment_id.empty()) return InvalidArgument("experimentId", "REQUIRED", "experimentId is required");
  RETURN_IF_ERROR(CheckCurrency(currency));
  ASSIGN_OR_RETURN(auto split, ParseTrafficSplit(traffic_split));
  ASSIGN_OR_RETURN(std::vector<ArmOutcome> arms, store_.ExperimentOutcomes(experiment_id, currency));
  return AnalyzeExperiment(std::move(arms), control_arm, split);
}

absl::StatusOr<SegmentRunResult> CustomerAnalytics::ComputeSegments(const std::string& currency, absl::Time now) {
  RETURN_IF_ERROR(CheckCurrency(currency));
  ASSIGN_OR_RETURN(std::vector<CustomerHistory> customers, store_.CustomerHistories(currency, now));
  const std::vector<RfmScore> scores = ScoreRfm(customers, now);
  const std::vector<LtvEstimate> estimates = PredictLtv(customers, now, ltv_);
  std::map<std::string, LtvBand> bands;
  for (const LtvEstimate& e : estimates) bands[e.user_id] = e.band;
  std::vector<CustomerSegments> segments;
  segments.reserve(scores.size());
  for (const RfmScore& score : scores) {
    segments.push_back(
        CustomerSegments{score.user_id, RfmSegmentCode(score.segment), LtvBandCode(bands[score.user_id])});
  }
  SegmentRunResult result;
  result.ran = true;
  result.customers = static_cast<int64_t>(segments.size());
  ASSIGN_OR_RETURN(result.events, store_.SaveSegments(segments, now));
  return result;
}

absl::StatusOr<SegmentRunResult> CustomerAnalytics::RunDailySegments(const std::string& currency, int run_hour,
                                                                     const std::string& owner, absl::Time now,
                                                                     absl::Duration lease) {
  if (!DailyRunDue(now, run_hour)) return SegmentRunResult{};
  const std::string day = UtcDay(now);
  ASSIGN_OR_RETURN(bool acquired, lease_.TryAcquire("segments", day, owner, now, now + lease));
  if (!acquired) return SegmentRunResult{};
  ASSIGN_OR_RETURN(SegmentRunResult result, ComputeSegments(currency, now));
  RETURN_IF_ERROR(lease_.Complete("segments", day, owner));
  return result;
}

}  // namespace zhongtai::datahub
