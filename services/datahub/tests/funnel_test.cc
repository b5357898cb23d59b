#include "services/datahub/domain/funnel.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

const absl::Time kT0 = absl::FromCivil(absl::CivilHour(2026, 12, 3, 8), absl::UTCTimeZone());
const absl::Duration kWindow = absl::Hours(24);

StepEvent Step(FunnelStep step, absl::Duration at, const std::string& visitor = "u:1") {
  return {visitor, step, kT0 + at, "app"};
}

std::vector<Journey> Fold(std::vector<StepEvent> events, std::vector<Journey> journeys = {}) {
  FoldSteps(std::move(events), kWindow, &journeys);
  return journeys;
}

TEST_CASE("A view starts a journey and later steps inside the window join it in order") {
  auto journeys = Fold({Step(FunnelStep::kView, absl::ZeroDuration()), Step(FunnelStep::kAddToCart, absl::Minutes(5)),
                        Step(FunnelStep::kCheckout, absl::Minutes(9)), Step(FunnelStep::kOrder, absl::Minutes(10)),
                        Step(FunnelStep::kPay, absl::Minutes(11))});
  REQUIRE(journeys.size() == 1);
  CHECK(journeys[0].started_at == kT0);
  CHECK(journeys[0].channel == "app");
  CHECK(StepsReached(journeys[0], kWindow) == 5);
  // A query window of 10 minutes keeps view, cart and checkout only.
  CHECK(StepsReached(journeys[0], absl::Minutes(10)) == 3);
}

TEST_CASE("Steps out of order stop the journey at the first one that came too early") {
  // Checkout before add to cart (e.g. buy now, then a cart add): the funnel counts view and cart only.
  auto journeys = Fold({Step(FunnelStep::kView, absl::ZeroDuration()), Step(FunnelStep::kCheckout, absl::Minutes(2)),
                        Step(FunnelStep::kAddToCart, absl::Minutes(5)), Step(FunnelStep::kOrder, absl::Minutes(6))});
  REQUIRE(journeys.size() == 1);
  CHECK(StepsReached(journeys[0], kWindow) == 2);
  // Missing a step ends it too: view then order without cart is a view only.
  auto skipped = Fold({Step(FunnelStep::kView, absl::ZeroDuration()), Step(FunnelStep::kOrder, absl::Minutes(6))});
  CHECK(StepsReached(skipped[0], kWindow) == 1);
}

TEST_CASE("A view outside the window starts a second journey, a view inside changes nothing") {
  auto journeys = Fold({Step(FunnelStep::kView, absl::ZeroDuration()), Step(FunnelStep::kView, absl::Hours(3)),
                        Step(FunnelStep::kView, absl::Hours(25)), Step(FunnelStep::kAddToCart, absl::Hours(26))});
  REQUIRE(journeys.size() == 2);
  CHECK(journeys[0].started_at == kT0);
  CHECK(StepsReached(journeys[0], kWindow) == 1);
  CHECK(journeys[1].started_at == kT0 + absl::Hours(25));
  CHECK(StepsReached(journeys[1], kWindow) == 2);
}

TEST_CASE("A step without a journey to join is dropped") {
  auto journeys = Fold({Step(FunnelStep::kAddToCart, absl::ZeroDuration()), Step(FunnelStep::kPay, absl::Hours(1))});
  CHECK(journeys.empty());
}

TEST_CASE("Folding in batches, late and twice gives the same journey as folding at once") {
  std::vector<StepEvent> all = {
      Step(FunnelStep::kView, absl::ZeroDuration()), Step(FunnelStep::kAddToCart, absl::Minutes(5)),
      Step(FunnelStep::kAddToCart, absl::Minutes(3)), Step(FunnelStep::kCheckout, absl::Minutes(9))};
  auto at_once = Fold(all);
  // The view and a cart first, then the checkout, then the late earlier cart, then everything again.
  auto in_batches = Fold({all[0], all[1]});
  for (Journey& j : in_batches) j.changed = false;
  in_batches = Fold({all[3]}, in_batches);
  in_batches = Fold({all[2]}, in_batches);
  CHECK(in_batches[0].changed);
  for (Journey& j : in_batches) j.changed = false;
  in_batches = Fold(all, in_batches);
  REQUIRE(in_batches.size() == 1);
  CHECK_FALSE(in_batches[0].changed);  // a replay changes nothing
  CHECK(in_batches[0].step_at == at_once[0].step_at);
  CHECK(*in_batches[0].step_at[0] == kT0 + absl::Minutes(3));
  CHECK(StepsReached(in_batches[0], kWindow) == 3);
}

TEST_CASE("Visitors are the signed-in user, else the device") {
  CHECK(VisitorOf("u1", "d1") == "u:u1");
  CHECK(VisitorOf("", "d1") == "d:d1");
  CHECK(StepOf(BehaviourEventType::kView) == FunnelStep::kView);
  CHECK(StepOf(BehaviourEventType::kCheckout) == FunnelStep::kCheckout);
  CHECK_FALSE(StepOf(BehaviourEventType::kSearch).has_value());
}

TEST_CASE("Funnel figures: conversion from the previous step and from the start, drop-off per step") {
  auto steps = FunnelFigures({1000, 250, 100, 80, 60});
  REQUIRE(steps.size() == 5);
  CHECK(steps[0].conversion_from_previous == 1.0);
  CHECK(steps[0].dropped == 0);
  CHECK(steps[1].conversion_from_previous == Approx(0.25));
  CHECK(steps[1].dropped == 750);
  CHECK(steps[2].conversion_from_previous == Approx(0.4));
  CHECK(steps[4].conversion_from_previous == Approx(0.75));
  CHECK(steps[4].conversion_from_start == Approx(0.06));
  CHECK(steps[4].dropped == 20);
  auto none = FunnelFigures({0, 0, 0, 0, 0});
  CHECK(none[0].conversion_from_previous == 0.0);
  CHECK(none[3].conversion_from_start == 0.0);
}

class CannedFunnelStore : public FunnelStore {
 public:
  absl::StatusOr<std::map<std::string, std::array<int64_t, kFunnelSteps>>> ReachedByChannel(
      const FunnelQuery& query) override {
    last = query;
    return std::map<std::string, std::array<int64_t, kFunnelSteps>>{{"app", {{10, 5, 4, 3, 2}}},
                                                                    {"web", {{30, 5, 1, 1, 0}}}};
  }
  FunnelQuery last;
};

TEST_CASE("The funnel adds channels up and checks its range and window") {
  CannedFunnelStore store;
  FunnelAnalytics funnel(store, kWindow);
  auto report = funnel.GetFunnel({kT0, kT0 + absl::Hours(24), absl::ZeroDuration(), ""});
  REQUIRE(report.ok());
  CHECK(store.last.window == kWindow);  // zero means the journeys' window
  CHECK(report->steps[0].journeys == 40);
  CHECK(report->steps[1].journeys == 10);
  CHECK(report->steps[4].conversion_from_start == Approx(0.05));
  CHECK(report->by_channel.at("app")[4].journeys == 2);

  auto reversed = funnel.GetFunnel({kT0, kT0, absl::ZeroDuration(), ""});
  CHECK(ReasonOf(reversed.status()) == "INVALID_TIME_RANGE");
  auto too_long = funnel.GetFunnel({kT0, kT0 + absl::Hours(1), absl::Hours(25), ""});
  CHECK(ReasonOf(too_long.status()) == "FUNNEL_WINDOW_INVALID");
  CHECK(FieldOf(too_long.status()) == "window");
  CHECK(ReasonOf(funnel.GetFunnel({kT0, kT0 + absl::Hours(1), -absl::Hours(1), ""}).status()) ==
        "FUNNEL_WINDOW_INVALID");
}

}  // namespace
}  // namespace zhongtai::datahub
