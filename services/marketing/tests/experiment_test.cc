// A/B experiments without a database: validation, the stable assignment and its shares, and quotes that apply only
// the promotions of the buyer's arm.
#include "services/marketing/domain/experiment.h"

#include <catch2/catch.hpp>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/marketing/domain/promotions.h"
#include "services/marketing/tests/campaign_fakes.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

Experiment TwoArms(int32_t control_bp = 5000) {
  Experiment e;
  e.experiment_id = "ex_1";
  e.name = "满减 vs 折扣";
  e.start_time = absl::FromUnixSeconds(1700000000) - absl::Hours(1);
  e.end_time = absl::FromUnixSeconds(1700000000) + absl::Hours(24);
  e.arms = {{"control", control_bp, {}}, {"reduction", 10000 - control_bp, {"pr_exp"}}};
  return e;
}

}  // namespace

TEST_CASE("an experiment's arms share exactly 100% of the traffic") {
  CHECK(ValidateExperiment(TwoArms()).ok());
  Experiment over = TwoArms();
  over.arms[1].traffic_bp = 5001;
  CHECK(ReasonOf(ValidateExperiment(over)) == "EXPERIMENT_TRAFFIC_INVALID");
  CHECK(FieldOf(ValidateExperiment(over)) == "experiment.arms");
  Experiment zero = TwoArms(10000);
  CHECK(FieldOf(ValidateExperiment(zero)) == "experiment.arms[1].trafficBp");
  Experiment one_arm = TwoArms();
  one_arm.arms.pop_back();
  CHECK(ReasonOf(ValidateExperiment(one_arm)) == "EXPERIMENT_ARMS_INVALID");
  Experiment same_names = TwoArms();
  same_names.arms[1].name = "control";
  CHECK(ReasonOf(ValidateExperiment(same_names)) == "EXPERIMENT_ARMS_INVALID");
  Experiment shared = TwoArms();
  shared.arms[0].promotion_ids = {"pr_exp"};
  CHECK(FieldOf(ValidateExperiment(shared)) == "experiment.arms[1].promotionIds");
  Experiment backwards = TwoArms();
  backwards.end_time = backwards.start_time;
  CHECK(ReasonOf(ValidateExperiment(backwards)) == "END_BEFORE_START");
}

TEST_CASE("a user's arm is fixed by a documented hash, and the arms get their shares") {
  // FNV-1a 64 of "ex_1:u1", as documented in experiments.proto: pinned so that a change is noticed.
  uint64_t hash = 14695981039346656037ull;
  for (char c : std::string("ex_1:u1")) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  CHECK(ArmBucket("ex_1", "u1") == static_cast<int32_t>(hash % 10000));
  CHECK(ArmBucket("ex_1", "u1") == ArmBucket("ex_1", "u1"));
  CHECK(ArmBucket("ex_1", "u1") != ArmBucket("ex_2", "u1"));

  Experiment e = TwoArms(2000);
  std::map<std::string, int> counts;
  for (int i = 0; i < 20000; ++i) ++counts[AssignArm(e, absl::StrCat("user-", i)).name];
  CHECK(counts["control"] > 3600);  // 20% of 20000 is 4000
  CHECK(counts["control"] < 4400);
  CHECK(counts["control"] + counts["reduction"] == 20000);
}

TEST_CASE("a quote applies the promotions of the buyer's arm only, and records the exposure") {
  testing::InMemoryPromotionStore promotions_store;
  testing::FakeClock clock(absl::FromUnixSeconds(1700000000));
  testing::SequentialIds ids;
  testing::InMemoryExperimentStore experiment_store;
  Experiments experiments(experiment_store, clock, ids);
  Promotions promotions(promotions_store, clock, ids, nullptr, &experiments);

  Promotion exp = testing::Tiered("pr_exp", {{10000, 2000}});
  exp.start_time = clock.Now() - absl::Hours(1);
  exp.end_time = clock.Now() + absl::Hours(1);
  exp.request_id = "r1";
  REQUIRE(promotions_store.Create(exp).ok());
  auto created = experiments.Create(TwoArms(), "req-exp");
  REQUIRE(created.ok());

  // Find one user per arm.
  std::string in_control, in_reduction;
  for (int i = 0; in_control.empty() || in_reduction.empty(); ++i) {
    std::string user = absl::StrCat("u", i);
    (AssignArm(*created, user).name == "control" ? in_control : in_reduction) = user;
  }
  auto control_quote = promotions.QuotePrice(in_control, {testing::Item("sku-1", 12000, 1)});
  REQUIRE(control_quote.ok());
  CHECK(control_quote->discount == 0);
  auto reduction_quote = promotions.QuotePrice(in_reduction, {testing::Item("sku-1", 12000, 1)});
  REQUIRE(reduction_quote.ok());
  CHECK(reduction_quote->discount == 2000);
  auto anonymous = promotions.QuotePrice("", {testing::Item("sku-1", 12000, 1)});
  CHECK(anonymous->discount == 0);

  auto exposures = experiment_store.exposures();
  CHECK(exposures.size() == 2);
  CHECK(exposures[{created->experiment_id, in_control}] == "control");
  CHECK(exposures[{created->experiment_id, in_reduction}] == "reduction");
}

}  // namespace zhongtai::marketing
