// A/B experiment results: per arm exposures, conversion and average order value, each treatment arm against the
// control with a confidence interval and a p-value, and a sample-ratio-mismatch check of the exposures.
//
// Methods (two-sided, confidence 95% unless given):
// - Conversion: two-proportion z-test. z uses the pooled rate p = (x1 + x2) / (n1 + n2),
//   z = (p2 - p1) / sqrt(p (1 - p) (1/n1 + 1/n2)); the interval uses the unpooled standard error
//   sqrt(p1 (1 - p1) / n1 + p2 (1 - p2) / n2) with the normal quantile.
// - Average order value: Welch's t-test on the paid orders' amounts, t = (m2 - m1) / sqrt(v1/n1 + v2/n2) with the
//   Welch–Satterthwaite degrees of freedom, p-value and interval from Student's t with those degrees.
// - Sample ratio mismatch: Pearson's chi-square goodness of fit of the exposures per arm against the arms'
//   planned traffic shares (k - 1 degrees of freedom); a mismatch when p < 0.001, the usual alarm level: the
//   assignment or the exposure logging is broken and the comparison should not be trusted.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace zhongtai::datahub {

// What one arm did: exposed users, those who paid an order after their exposure, and the amounts of those
// orders as count, sum and sum of squares (fen), enough for a mean and a sample variance.
struct ArmOutcome {
  std::string arm;
  int64_t exposures = 0;
  int64_t converters = 0;
  int64_t orders = 0;
  double order_amount_sum = 0;
  double order_amount_sum_squares = 0;
};

struct SampleSummary {
  int64_t count = 0;
  double mean = 0;
  double variance = 0;  // sample variance (n - 1)
};

// Mean and sample variance from count, sum and sum of squares; variance 0 below two values.
SampleSummary SummaryFromSums(int64_t count, double sum, double sum_squares);

struct ProportionComparison {
  bool valid = false;  // false when an arm has no exposure (nothing to compare)
  double control_rate = 0;
  double treatment_rate = 0;
  double difference = 0;  // treatment - control
  double ci_low = 0;
  double ci_high = 0;
  double z = 0;
  double p_value = 1;
};

ProportionComparison TwoProportionZTest(int64_t control_successes, int64_t control_trials, int64_t treatment_successes,
                                        int64_t treatment_trials, double confidence = 0.95);

struct MeanComparison {
  bool valid = false;  // false unless both arms have two values or more and not both variances are 0
  double control_mean = 0;
  double treatment_mean = 0;
  double difference = 0;  // treatment - control
  double ci_low = 0;
  double ci_high = 0;
  double t = 0;
  double degrees_of_freedom = 0;
  double p_value = 1;
};

MeanComparison WelchTTest(const SampleSummary& control, const SampleSummary& treatment, double confidence = 0.95);

// Below this p-value the exposures do not follow the planned split.
inline constexpr double kSampleRatioMismatchAlpha = 0.001;

struct SampleRatioCheck {
  bool valid = false;  // false with fewer than two arms or no exposure
  double chi_square = 0;
  int degrees_of_freedom = 0;
  double p_value = 1;
  bool mismatch = false;
};

// `observed[i]` exposures of arm i against `shares[i]` of the traffic (any positive scale: basis points, weights).
SampleRatioCheck SampleRatioMismatch(const std::vector<int64_t>& observed, const std::vector<double>& shares);

// "control:5000,treatment:5000" -> {control: 5000, treatment: 5000}; empty -> empty (an even split).
// INVALID_ARGUMENT (field trafficSplit, TRAFFIC_SPLIT_INVALID) for anything else, a share <= 0 or an arm twice.
absl::StatusOr<std::map<std::string, double>> ParseTrafficSplit(const std::string& text);

struct ArmResult {
  ArmOutcome outcome;
  double conversion_rate = 0;       // converters / exposures
  int64_t average_order_value = 0;  // fen, half up; 0 without orders
  ProportionComparison conversion;  // against the control; invalid for the control itself
  MeanComparison order_value;       // against the control; invalid for the control itself
};

struct ExperimentResult {
  std::string control_arm;
  std::vector<ArmResult> arms;  // in arm name order
  SampleRatioCheck sample_ratio;
};

// Every arm against `control_arm` ("control" when empty and such an arm exists, else the first arm by name).
// `split` is the planned traffic per arm (empty: even); arms missing from it are expected to get no traffic.
// NOT_FOUND (EXPERIMENT_NOT_FOUND) when no arm has an exposure; INVALID_ARGUMENT (field controlArm,
// CONTROL_ARM_UNKNOWN) when the control arm is not among the arms.
absl::StatusOr<ExperimentResult> AnalyzeExperiment(std::vector<ArmOutcome> arms, const std::string& control_arm,
                                                   const std::map<std::string, double>& split,
                                                   double confidence = 0.95);

}  // namespace zhongtai::datahub
