#include "services/datahub/domain/experiment_stats.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"
#include "services/datahub/domain/distributions.h"

namespace zhongtai::datahub {
namespace {

absl::Status SplitInvalid(const std::string& why) {
  return InvalidArgument(
      "trafficSplit", "TRAFFIC_SPLIT_INVALID",
      "trafficSplit is arm:share pairs separated by commas (e.g. control:5000,treatment:5000): " + why);
}

int64_t RoundHalfUp(double value) { return static_cast<int64_t>(std::floor(value + 0.5)); }

}  // namespace

SampleSummary SummaryFromSums(int64_t count, double sum, double sum_squares) {
  SampleSummary summary;
  summary.count = count;
  if (count <= 0) return summary;
  summary.mean = sum / static_cast<double>(count);
  if (count >= 2) {
    const double centred = sum_squares - sum * summary.mean;
    summary.variance = std::max(0.0, centred / static_cast<double>(count - 1));
  }
  return summary;
}

ProportionComparison TwoProportionZTest(int64_t control_successes, int64_t control_trials, int64_t treatment_successes,
                                        int64_t treatment_trials, double confidence) {
  ProportionComparison out;
  if (control_trials <= 0 || treatment_trials <= 0) return out;
  const double n1 = static_cast<double>(control_trials);
  const double n2 = static_cast<double>(treatment_trials);
  const double p1 = control_successes / n1;
  const double p2 = treatment_successes / n2;
  out.valid = true;
  out.control_rate = p1;
  out.treatment_rate = p2;
  out.difference = p2 - p1;
  const double pooled = (control_successes + treatment_successes) / (n1 + n2);
  const double pooled_se = std::sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  if (pooled_se > 0) {
    out.z = out.difference / pooled_se;
    out.p_value = std::erfc(std::fabs(out.z) / std::sqrt(2.0));
  }
  const double se = std::sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
  const double q = NormalQuantile(0.5 + confidence / 2);
  out.ci_low = out.difference - q * se;
  out.ci_high = out.difference + q * se;
  return out;
}

MeanComparison WelchTTest(const SampleSummary& control, const SampleSummary& treatment, double confidence) {
  MeanComparison out;
  out.control_mean = control.mean;
  out.treatment_mean = treatment.mean;
  out.difference = treatment.mean - control.mean;
  if (control.count < 2 || treatment.count < 2) return out;
  const double a = control.variance / control.count;
  const double b = treatment.variance / treatment.count;
  const double se2 = a + b;
  if (se2 <= 0) return out;
  out.valid = true;
  const double se = std::sqrt(se2);
  out.t = out.difference / se;
  out.degrees_of_freedom = se2 * se2 / (a * a / (control.count - 1) + b * b / (treatment.count - 1));
  out.p_value = 2 * StudentTCdf(-std::fabs(out.t), out.degrees_of_freedom);
  const double q = StudentTQuantile(0.5 + confidence / 2, out.degrees_of_freedom);
  out.ci_low = out.difference - q * se;
  out.ci_high = out.difference + q * se;
  return out;
}

SampleRatioCheck SampleRatioMismatch(const std::vector<int64_t>& observed, const std::vector<double>& shares) {
  SampleRatioCheck out;
  if (observed.size() < 2 || observed.size() != shares.size()) return out;
  double total = 0;
  double share_total = 0;
  for (size_t i = 0; i < observed.size(); ++i) {
    total += static_cast<double>(observed[i]);
    share_total += shares[i];
  }
  if (total <= 0 || share_total <= 0) return out;
  out.valid = true;
  out.degrees_of_freedom = static_cast<int>(observed.size()) - 1;
  for (size_t i = 0; i < observed.size(); ++i) {
    const double expected = total * shares[i] / share_total;
    if (expected <= 0) {
      if (observed[i] > 0) {
        // Traffic where none was planned: as far from the plan as it gets.
        out.chi_square = std::numeric_limits<double>::infinity();
        out.p_value = 0;
        out.mismatch = true;
        return out;
      }
      continue;
    }
    const double deviation = static_cast<double>(observed[i]) - expected;
    out.chi_square += deviation * deviation / expected;
  }
  out.p_value = ChiSquareSurvival(out.chi_square, out.degrees_of_freedom);
  out.mismatch = out.p_value < kSampleRatioMismatchAlpha;
  return out;
}

absl::StatusOr<std::map<std::string, double>> ParseTrafficSplit(const std::string& text) {
  std::map<std::string, double> split;
  if (text.empty()) return split;
  for (absl::string_view pair : absl::StrSplit(text, ',')) {
    std::vector<absl::string_view> parts = absl::StrSplit(pair, absl::MaxSplits(':', 1));
    if (parts.size() != 2) return SplitInvalid("'" + std::string(pair) + "' has no ':'");
    const std::string arm(absl::StripAsciiWhitespace(parts[0]));
    double share = 0;
    if (arm.empty()) return SplitInvalid("an arm name is empty");
    if (!absl::SimpleAtod(absl::StripAsciiWhitespace(parts[1]), &share) || !std::isfinite(share) || share <= 0) {
      return SplitInvalid("the share of " + arm + " is not a positive number");
    }
    if (!split.emplace(arm, share).second) return SplitInvalid(arm + " is given twice");
  }
  return split;
}

absl::StatusOr<ExperimentResult> AnalyzeExperiment(std::vector<ArmOutcome> arms, const std::string& control_arm,
                                                   const std::map<std::string, double>& split, double confidence) {
  int64_t exposures = 0;
  for (const ArmOutcome& arm : arms) exposures += arm.exposures;
  if (exposures == 0) return NotFound("EXPERIMENT_NOT_FOUND", "no exposure was recorded for this experiment");
  // Planned arms nobody was exposed to still count (with 0) for the ratio check.
  for (const auto& [name, share] : split) {
    const bool seen =
        std::any_of(arms.begin(), arms.end(), [&name = name](const ArmOutcome& arm) { return arm.arm == name; });
    if (!seen) arms.push_back(ArmOutcome{name});
  }
  std::sort(arms.begin(), arms.end(), [](const ArmOutcome& a, const ArmOutcome& b) { return a.arm < b.arm; });

  ExperimentResult result;
  result.control_arm = control_arm;
  if (result.control_arm.empty()) {
    const bool has_control =
        std::any_of(arms.begin(), arms.end(), [](const ArmOutcome& arm) { return arm.arm == "control"; });
    result.control_arm = has_control ? "control" : arms.front().arm;
  }
  auto control =
      std::find_if(arms.begin(), arms.end(), [&](const ArmOutcome& arm) { return arm.arm == result.control_arm; });
  if (control == arms.end()) {
    return InvalidArgument("controlArm", "CONTROL_ARM_UNKNOWN", "the experiment has no arm " + result.control_arm);
  }
  const SampleSummary control_values =
      SummaryFromSums(control->orders, control->order_amount_sum, control->order_amount_sum_squares);

  std::vector<int64_t> observed;
  std::vector<double> shares;
  for (const ArmOutcome& arm : arms) {
    ArmResult out;
    out.outcome = arm;
    if (arm.exposures > 0) out.conversion_rate = static_cast<double>(arm.converters) / arm.exposures;
    if (arm.orders > 0) out.average_order_value = RoundHalfUp(arm.order_amount_sum / arm.orders);
    if (arm.arm != result.control_arm) {
      out.conversion =
          TwoProportionZTest(control->converters, control->exposures, arm.converters, arm.exposures, confidence);
      out.order_value = WelchTTest(
          control_values, SummaryFromSums(arm.orders, arm.order_amount_sum, arm.order_amount_sum_squares), confidence);
    }
    result.arms.push_back(out);
    observed.push_back(arm.exposures);
    if (split.empty()) {
      shares.push_back(1.0);
    } else {
      auto planned = split.find(arm.arm);
      shares.push_back(planned == split.end() ? 0.0 : planned->second);
    }
  }
  result.sample_ratio = SampleRatioMismatch(observed, shares);
  return result;
}

}  // namespace zhongtai::datahub
