#include "services/datahub/domain/rfm.h"

#include <algorithm>
#include <cmath>

namespace zhongtai::datahub {

const char* RfmSegmentCode(RfmSegment segment) {
  switch (segment) {
    case RfmSegment::kImportantValue: return "important_value";
    case RfmSegment::kImportantDevelop: return "important_develop";
    case RfmSegment::kImportantRetain: return "important_retain";
    case RfmSegment::kImportantWinback: return "important_winback";
    case RfmSegment::kGeneralValue: return "general_value";
    case RfmSegment::kGeneralDevelop: return "general_develop";
    case RfmSegment::kGeneralRetain: return "general_retain";
    case RfmSegment::kGeneralWinback: return "general_winback";
  }
  return "general_winback";
}

const char* RfmSegmentLabel(RfmSegment segment) {
  switch (segment) {
    case RfmSegment::kImportantValue: return "重要价值";
    case RfmSegment::kImportantDevelop: return "重要发展";
    case RfmSegment::kImportantRetain: return "重要保持";
    case RfmSegment::kImportantWinback: return "重要挽留";
    case RfmSegment::kGeneralValue: return "一般价值";
    case RfmSegment::kGeneralDevelop: return "一般发展";
    case RfmSegment::kGeneralRetain: return "一般保持";
    case RfmSegment::kGeneralWinback: return "一般挽留";
  }
  return "一般挽留";
}

const std::vector<RfmSegment>& AllRfmSegments() {
  static const std::vector<RfmSegment> all = {RfmSegment::kImportantValue,  RfmSegment::kImportantDevelop,
                                              RfmSegment::kImportantRetain, RfmSegment::kImportantWinback,
                                              RfmSegment::kGeneralValue,    RfmSegment::kGeneralDevelop,
                                              RfmSegment::kGeneralRetain,   RfmSegment::kGeneralWinback};
  return all;
}

std::vector<int> QuintileScores(const std::vector<double>& values) {
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double n = static_cast<double>(values.size());
  std::vector<int> scores;
  scores.reserve(values.size());
  for (double value : values) {
    const double below = static_cast<double>(std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin());
    scores.push_back(1 + static_cast<int>(std::floor(5.0 * below / n)));
  }
  return scores;
}

RfmSegment SegmentOf(int recency_score, int frequency_score, int monetary_score) {
  const bool r = recency_score >= kHighRfmScore;
  const bool f = frequency_score >= kHighRfmScore;
  const bool m = monetary_score >= kHighRfmScore;
  if (m) {
    if (r) return f ? RfmSegment::kImportantValue : RfmSegment::kImportantDevelop;
    return f ? RfmSegment::kImportantRetain : RfmSegment::kImportantWinback;
  }
  if (r) return f ? RfmSegment::kGeneralValue : RfmSegment::kGeneralDevelop;
  return f ? RfmSegment::kGeneralRetain : RfmSegment::kGeneralWinback;
}

std::vector<RfmScore> ScoreRfm(const std::vector<CustomerHistory>& customers, absl::Time as_of) {
  std::vector<RfmScore> out;
  std::vector<double> recency;
  std::vector<double> frequency;
  std::vector<double> monetary;
  for (const CustomerHistory& customer : customers) {
    if (customer.paid_orders <= 0) continue;
    RfmScore score;
    score.user_id = customer.user_id;
    score.recency_days = std::max<int64_t>(0, absl::ToInt64Hours(as_of - customer.last_paid_at) / 24);
    score.frequency = customer.paid_orders;
    score.monetary_minor = customer.paid_minor;
    recency.push_back(-static_cast<double>(score.recency_days));  // more recent is better
    frequency.push_back(static_cast<double>(score.frequency));
    monetary.push_back(static_cast<double>(score.monetary_minor));
    out.push_back(score);
  }
  const std::vector<int> r = QuintileScores(recency);
  const std::vector<int> f = QuintileScores(frequency);
  const std::vector<int> m = QuintileScores(monetary);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].r = r[i];
    out[i].f = f[i];
    out[i].m = m[i];
    out[i].segment = SegmentOf(r[i], f[i], m[i]);
  }
  return out;
}

}  // namespace zhongtai::datahub
