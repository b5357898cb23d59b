// RFM (recency, frequency, monetary) scores and the eight classic segments.
//
// Each dimension gets a quintile score 1..5 among all customers: score = 1 + floor(5 * below / n), where `below`
// is how many customers have a strictly worse value, so equal values share a score (most customers with one
// order all score F = 1). Recency is whole days since the last paid order (fewer is better), frequency the number
// of paid orders, monetary the amount paid. A dimension is high when its score is at least kHighRfmScore (the
// upper three quintiles), and the three highs and lows name the segment:
//   R F M high high high 重要价值 important_value      high low  high 重要发展 important_develop
//         low  high high 重要保持 important_retain     low  low  high 重要挽留 important_winback
//         high high low  一般价值 general_value        high low  low  一般发展 general_develop
//         low  high low  一般保持 general_retain       low  low  low  一般挽留 general_winback
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/datahub/domain/customer_history.h"

namespace zhongtai::datahub {

enum class RfmSegment {
  kImportantValue,
  kImportantDevelop,
  kImportantRetain,
  kImportantWinback,
  kGeneralValue,
  kGeneralDevelop,
  kGeneralRetain,
  kGeneralWinback,
};

inline constexpr int kRfmSegmentCount = 8;
inline constexpr int kHighRfmScore = 3;

// "important_value", ...: the user tag's value ("rfm:important_value") and the API's segment code.
const char* RfmSegmentCode(RfmSegment segment);
// "重要价值", ...
const char* RfmSegmentLabel(RfmSegment segment);
// Every segment, in the order of the enum.
const std::vector<RfmSegment>& AllRfmSegments();

// Quintile score 1..5 of each value, a higher value scoring higher (see above); empty in, empty out.
std::vector<int> QuintileScores(const std::vector<double>& values);

RfmSegment SegmentOf(int recency_score, int frequency_score, int monetary_score);

struct RfmScore {
  std::string user_id;
  int64_t recency_days = 0;
  int64_t frequency = 0;
  int64_t monetary_minor = 0;
  int r = 0;
  int f = 0;
  int m = 0;
  RfmSegment segment = RfmSegment::kGeneralWinback;
};

// The scores of every customer with a paid order, as of `as_of`, in the input order.
std::vector<RfmScore> ScoreRfm(const std::vector<CustomerHistory>& customers, absl::Time as_of);

}  // namespace zhongtai::datahub
