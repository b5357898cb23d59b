// Lifecycle stages: the rules at their thresholds, orders moving a customer back to active, out-of-order order
// events, and the sweep (only customers due, idempotent), on the in-memory store.
#include "services/user/domain/lifecycle.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_segment_stores.h"

namespace zhongtai::user {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);
const absl::Time kRegistered = absl::FromUnixSeconds(1700000000);

LifecycleStage StageAt(std::optional<absl::Time> last_order, absl::Duration after_registration) {
  return DecideLifecycle(kRegistered, last_order, kRegistered + after_registration, LifecycleSettings{}).stage;
}

}  // namespace

TEST_CASE("a customer who never ordered is new for 30 days, then active, dormant at 90 and churned at 180",
          "[lifecycle]") {
  CHECK(StageAt(std::nullopt, absl::ZeroDuration()) == LifecycleStage::kNew);
  CHECK(StageAt(std::nullopt, 30 * kDay - absl::Seconds(1)) == LifecycleStage::kNew);
  CHECK(StageAt(std::nullopt, 30 * kDay) == LifecycleStage::kActive);
  CHECK(StageAt(std::nullopt, 90 * kDay - absl::Seconds(1)) == LifecycleStage::kActive);
  CHECK(StageAt(std::nullopt, 90 * kDay) == LifecycleStage::kDormant);
  CHECK(StageAt(std::nullopt, 180 * kDay) == LifecycleStage::kChurned);
}

TEST_CASE("an order makes a customer active, and the dormant and churned clocks count from the last order",
          "[lifecycle]") {
  const absl::Time ordered = kRegistered + 5 * kDay;
  CHECK(StageAt(ordered, 5 * kDay) == LifecycleStage::kActive);  // ordered in the first days: no longer new
  CHECK(StageAt(ordered, 94 * kDay) == LifecycleStage::kActive);
  CHECK(StageAt(ordered, 95 * kDay) == LifecycleStage::kDormant);
  CHECK(StageAt(ordered, 185 * kDay) == LifecycleStage::kChurned);

  const LifecycleDecision dormant = DecideLifecycle(kRegistered, ordered, kRegistered + 100 * kDay, {});
  CHECK(dormant.since == ordered + 90 * kDay);
  CHECK(dormant.review_at == ordered + 180 * kDay);
  const LifecycleDecision churned = DecideLifecycle(kRegistered, ordered, kRegistered + 400 * kDay, {});
  CHECK(churned.since == ordered + 180 * kDay);
  CHECK_FALSE(churned.review_at.has_value());
}

TEST_CASE("lifecycle thresholds are configurable and checked", "[lifecycle]") {
  LifecycleSettings settings;
  settings.new_window = 7 * kDay;
  settings.dormant_after = 30 * kDay;
  settings.churned_after = 60 * kDay;
  REQUIRE(ValidateLifecycleSettings(settings).ok());
  CHECK(DecideLifecycle(kRegistered, std::nullopt, kRegistered + 8 * kDay, settings).stage == LifecycleStage::kActive);
  CHECK(DecideLifecycle(kRegistered, std::nullopt, kRegistered + 31 * kDay, settings).stage ==
        LifecycleStage::kDormant);
  settings.churned_after = 30 * kDay;
  CHECK(ReasonOf(ValidateLifecycleSettings(settings)) == "LIFECYCLE_THRESHOLDS_INVALID");
}

TEST_CASE("order events keep the latest order, whatever their order of arrival", "[lifecycle]") {
  testing::InMemorySegmentStores store;
  testing::FakeClock clock(kRegistered + 200 * kDay);
  store.AddCustomer("u1", {"Ann", kRegistered});
  Lifecycle lifecycle(store, clock, {});
  CHECK(lifecycle.Current("u1")->stage == LifecycleStage::kChurned);

  const absl::Time recent = kRegistered + 150 * kDay;
  REQUIRE(lifecycle.RecordOrder("u1", recent).ok());
  REQUIRE(lifecycle.RecordOrder("u1", kRegistered + 10 * kDay).ok());           // an old event delivered late
  absl::StatusOr<LifecycleRecord> again = lifecycle.RecordOrder("u1", recent);  // redelivered
  REQUIRE(again.ok());
  CHECK(again->stage == LifecycleStage::kActive);
  CHECK(again->last_order_at == recent);
  CHECK(again->review_at == recent + 90 * kDay);
  CHECK(ReasonOf(lifecycle.RecordOrder("nobody", recent).status()) == "USER_NOT_FOUND");
}

TEST_CASE("the daily sweep reviews only customers due and a second run finds none", "[lifecycle]") {
  testing::InMemorySegmentStores store;
  testing::FakeClock clock(kRegistered);
  store.AddCustomer("fresh", {"A", kRegistered});
  store.AddCustomer("buyer", {"B", kRegistered - 10 * kDay});
  Lifecycle lifecycle(store, clock, {});
  REQUIRE(lifecycle.RecordOrder("buyer", kRegistered - kDay).ok());

  CHECK(*lifecycle.Sweep() == 1);  // "fresh" had never been decided; "buyer" is not due
  CHECK(*lifecycle.Sweep() == 0);
  clock.Advance(30 * kDay);
  CHECK(*lifecycle.Sweep() == 1);  // "fresh" stops being new
  clock.Advance(60 * kDay);
  CHECK(*lifecycle.Sweep() == 2);  // "fresh" (90 days after registration) and "buyer" (89 + 1 days) go dormant
  CHECK(*lifecycle.Sweep() == 0);

  MemberFilter dormant;
  dormant.stage = LifecycleStage::kDormant;
  CHECK(store.ListMembers(dormant, std::nullopt, 10)->size() == 2);
  clock.Advance(365 * kDay);
  CHECK(*lifecycle.Sweep() == 2);  // both churn, and stay churned
  CHECK(*lifecycle.Sweep() == 0);
}

TEST_CASE("every stage change is published once, with the stage it left and when the new one began",
          "[lifecycle][events]") {
  testing::InMemorySegmentStores store;
  testing::FakeClock clock(kRegistered);
  store.AddCustomer("u1", {"Ann", kRegistered});
  Lifecycle lifecycle(store, clock, {});

  REQUIRE(lifecycle.Sweep().ok());
  CHECK(store.lifecycle_changes().empty());  // new, as stored for a customer never decided: no change

  clock.Advance(10 * kDay);
  REQUIRE(lifecycle.RecordOrder("u1", clock.Now()).ok());
  REQUIRE(lifecycle.RecordOrder("u1", clock.Now()).ok());  // redelivered: no second change
  clock.Advance(95 * kDay);
  REQUIRE(lifecycle.Sweep().ok());
  REQUIRE(lifecycle.Sweep().ok());
  clock.Advance(1 * kDay);
  REQUIRE(lifecycle.RecordOrder("u1", clock.Now()).ok());  // back from dormant

  auto changes = store.lifecycle_changes();
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].user_id == "u1");
  CHECK(changes[0].change.from == LifecycleStage::kNew);
  CHECK(changes[0].change.to == LifecycleStage::kActive);
  CHECK(changes[0].change.since == kRegistered + 10 * kDay);
  CHECK(changes[1].change.from == LifecycleStage::kActive);
  CHECK(changes[1].change.to == LifecycleStage::kDormant);
  CHECK(changes[1].change.since == kRegistered + 100 * kDay);  // 90 days after the order, noticed at day 105
  CHECK(changes[1].change.decided_at == kRegistered + 105 * kDay);
  CHECK(changes[2].change.from == LifecycleStage::kDormant);
  CHECK(changes[2].change.to == LifecycleStage::kActive);
}

}  // namespace zhongtai::user
