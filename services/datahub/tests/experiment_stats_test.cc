// The experiment statistics against values SciPy computed for the same inputs (tests/data/
// experiment_stats_fixtures.txt, written by make_experiment_stats_fixtures.py; the suite does not need SciPy).
#include "services/datahub/domain/experiment_stats.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "services/datahub/domain/distributions.h"

namespace zhongtai::datahub {
namespace {

std::vector<std::vector<std::string>> FixtureLines(const std::string& kind) {
  std::ifstream in(std::string(ZT_DATAHUB_TEST_DATA) + "/experiment_stats_fixtures.txt");
  REQUIRE(in.good());
  std::vector<std::vector<std::string>> lines;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields = absl::StrSplit(line, ' ', absl::SkipEmpty());
    if (!fields.empty() && fields[0] == kind) lines.push_back(fields);
  }
  REQUIRE(!lines.empty());
  return lines;
}

double D(const std::string& s) { return std::stod(s); }

std::vector<double> List(const std::string& s) {
  std::vector<double> out;
  for (absl::string_view part : absl::StrSplit(s, ',')) out.push_back(std::stod(std::string(part)));
  return out;
}

// Relative agreement to 1e-9, or absolute for values near 0.
void Near(double actual, double expected, double tolerance = 1e-9) {
  INFO("actual " << actual << " expected " << expected);
  CHECK(std::fabs(actual - expected) <= tolerance * std::max(1.0, std::fabs(expected)));
}

SampleSummary Summarize(const std::vector<double>& values) {
  double sum = 0;
  double squares = 0;
  for (double v : values) {
    sum += v;
    squares += v * v;
  }
  return SummaryFromSums(static_cast<int64_t>(values.size()), sum, squares);
}

}  // namespace

TEST_CASE("normal quantiles, t and chi-square tails agree with SciPy") {
  for (const auto& f : FixtureLines("normal_quantile")) Near(NormalQuantile(D(f[1])), D(f[2]));
  for (const auto& f : FixtureLines("t_cdf")) Near(StudentTCdf(D(f[1]), D(f[2])), D(f[3]));
  for (const auto& f : FixtureLines("chi2_sf")) {
    // Tiny tails keep their relative precision (a p-value of 1e-20 is not rounded to 0).
    const double expected = D(f[3]);
    INFO(f[1] << " " << f[2]);
    CHECK(std::fabs(ChiSquareSurvival(D(f[1]), D(f[2])) - expected) <= 1e-9 * expected + 1e-15);
  }
  // The t quantile inverts the CDF.
  Near(StudentTCdf(StudentTQuantile(0.975, 7.25), 7.25), 0.975, 1e-10);
}

TEST_CASE("the two-proportion z-test of conversion agrees with SciPy") {
  for (const auto& f : FixtureLines("proportion")) {
    INFO(f[1] << "/" << f[2] << " vs " << f[3] << "/" << f[4]);
    ProportionComparison c = TwoProportionZTest(std::stoll(f[1]), std::stoll(f[2]), std::stoll(f[3]), std::stoll(f[4]));
    REQUIRE(c.valid);
    Near(c.difference, D(f[5]));
    Near(c.ci_low, D(f[6]));
    Near(c.ci_high, D(f[7]));
    Near(c.z, D(f[8]));
    Near(c.p_value, D(f[9]));
  }
}

TEST_CASE("Welch's t-test of the order value agrees with SciPy, degrees of freedom included") {
  for (const auto& f : FixtureLines("welch")) {
    MeanComparison c = WelchTTest(Summarize(List(f[1])), Summarize(List(f[2])));
    REQUIRE(c.valid);
    // Sums of squares in doubles lose a little against NumPy's two-pass variance: 1e-8 relative.
    Near(c.difference, D(f[3]), 1e-8);
    Near(c.ci_low, D(f[4]), 1e-8);
    Near(c.ci_high, D(f[5]), 1e-8);
    Near(c.t, D(f[6]), 1e-8);
    Near(c.degrees_of_freedom, D(f[7]), 1e-8);
    Near(c.p_value, D(f[8]), 1e-8);
  }
}

TEST_CASE("the sample ratio mismatch check agrees with SciPy's chi-square and flags p below 0.001") {
  for (const auto& f : FixtureLines("srm")) {
    std::vector<int64_t> observed;
    for (double v : List(f[1])) observed.push_back(static_cast<int64_t>(v));
    SampleRatioCheck c = SampleRatioMismatch(observed, List(f[2]));
    REQUIRE(c.valid);
    Near(c.chi_square, D(f[3]));
    CHECK(std::fabs(c.p_value - D(f[4])) <= 1e-9 * D(f[4]) + 1e-15);
    CHECK(c.degrees_of_freedom == static_cast<int>(observed.size()) - 1);
    CHECK(c.mismatch == (D(f[4]) < 0.001));
  }
  CHECK(SampleRatioMismatch({10, 5}, {1, 0}).mismatch);  // traffic where none was planned
  CHECK_FALSE(SampleRatioMismatch({10}, {1}).valid);
}

TEST_CASE("degenerate arms give no comparison rather than NaN") {
  CHECK_FALSE(TwoProportionZTest(0, 0, 3, 10).valid);
  CHECK_FALSE(WelchTTest(SummaryFromSums(1, 100, 10000), SummaryFromSums(5, 500, 50000)).valid);
  CHECK_FALSE(WelchTTest(SummaryFromSums(3, 300, 30000), SummaryFromSums(3, 300, 30000)).valid);  // no variance
  ProportionComparison none = TwoProportionZTest(0, 100, 0, 100);
  CHECK(none.valid);
  CHECK(none.p_value == 1.0);
}

TEST_CASE("an experiment is analysed arm by arm against the control") {
  std::vector<ArmOutcome> arms = {
      {"treatment", 2380, 150, 160, 160 * 12000.0, 160 * 12000.0 * 12000.0 + 159 * 4.0e6},
      {"control", 2400, 120, 125, 125 * 10000.0, 125 * 10000.0 * 10000.0 + 124 * 4.0e6},
  };
  absl::StatusOr<ExperimentResult> result = AnalyzeExperiment(arms, "", {});
  REQUIRE(result.ok());
  CHECK(result->control_arm == "control");
  REQUIRE(result->arms.size() == 2);
  const ArmResult& control = result->arms[0];
  const ArmResult& treatment = result->arms[1];
  CHECK(control.outcome.arm == "control");
  CHECK_FALSE(control.conversion.valid);
  CHECK(control.average_order_value == 10000);
  CHECK(treatment.average_order_value == 12000);
  Near(treatment.conversion_rate, 150.0 / 2380);
  CHECK(treatment.conversion.valid);
  Near(treatment.conversion.p_value, 0.05112902712129567);  // the first proportion fixture
  CHECK(treatment.order_value.valid);
  Near(treatment.order_value.difference, 2000, 1e-6);
  CHECK(treatment.order_value.p_value < 1e-6);  // sd 2000 over 125 and 160 orders: clearly different
  CHECK(result->sample_ratio.valid);
  CHECK_FALSE(result->sample_ratio.mismatch);

  // A planned 80/20 split makes the same exposures a mismatch; an arm of the plan without exposures counts as 0.
  absl::StatusOr<ExperimentResult> planned =
      AnalyzeExperiment(arms, "control", {{"control", 8000}, {"treatment", 2000}});
  REQUIRE(planned.ok());
  CHECK(planned->sample_ratio.mismatch);
  absl::StatusOr<ExperimentResult> third = AnalyzeExperiment(arms, "", {{"control", 1}, {"treatment", 1}, {"c", 1}});
  REQUIRE(third.ok());
  CHECK(third->arms.size() == 3);
  CHECK(third->sample_ratio.mismatch);

  CHECK(AnalyzeExperiment(arms, "nope", {}).status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(AnalyzeExperiment({}, "", {}).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a traffic split is arm:share pairs") {
  auto split = ParseTrafficSplit("control:5000, treatment:5000");
  REQUIRE(split.ok());
  CHECK(split->at("treatment") == 5000);
  CHECK(ParseTrafficSplit("")->empty());
  for (const char* bad : {"control", "control:0", "a:1,a:2", ":5", "a:x"}) {
    INFO(bad);
    CHECK(ParseTrafficSplit(bad).status().code() == absl::StatusCode::kInvalidArgument);
  }
}

}  // namespace zhongtai::datahub
