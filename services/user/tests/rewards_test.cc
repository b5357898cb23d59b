// Sign-in points (once per day of the shop's calendar, off at 0, a double click earns once) and awards keyed by
// reason and reference, through the points ledger on the in-memory store.
#include "services/user/domain/rewards.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "common/status/status.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_points_store.h"

namespace zhongtai::user {
namespace {

// 2026-12-03 15:59:00 UTC is 23:59 in Shanghai.
const absl::Time kLateEvening = absl::FromCivil(absl::CivilSecond(2026, 12, 3, 15, 59, 0), absl::UTCTimeZone());

struct Fixture {
  explicit Fixture(int64_t sign_in_points = 5, int64_t review_points = 20)
      : clock(kLateEvening),
        points(store, clock, PointsSettings{}),
        rewards(points, clock, Settings(sign_in_points, review_points)) {}
  static RewardSettings Settings(int64_t sign_in_points, int64_t review_points) {
    RewardSettings settings;
    settings.sign_in_points = sign_in_points;
    settings.review_points = review_points;
    absl::LoadTimeZone("Asia/Shanghai", &settings.shop_time_zone);
    return settings;
  }
  testing::InMemoryPointsStore store;
  testing::FakeClock clock;
  Points points;
  Rewards rewards;
};

}  // namespace

TEST_CASE("signing in earns the configured points once per day of the shop's calendar", "[rewards]") {
  Fixture f;
  absl::StatusOr<SignInResult> first = f.rewards.SignIn("u1");
  REQUIRE(first.ok());
  CHECK(first->day == "2026-12-03");
  CHECK(first->points_awarded == 5);
  CHECK_FALSE(first->already_signed_in);
  CHECK(first->balance == 5);

  absl::StatusOr<SignInResult> again = f.rewards.SignIn("u1");
  REQUIRE(again.ok());
  CHECK(again->already_signed_in);
  CHECK(again->points_awarded == 0);
  CHECK(again->balance == 5);

  f.clock.Advance(absl::Minutes(2));  // 00:01 in Shanghai, still 2026-12-03 in UTC
  absl::StatusOr<SignInResult> next_day = f.rewards.SignIn("u1");
  REQUIRE(next_day.ok());
  CHECK(next_day->day == "2026-12-04");
  CHECK(next_day->points_awarded == 5);
  CHECK(*f.points.Balance("u1") == 10);
}

TEST_CASE("sign-in points at 0 turn sign-in off", "[rewards]") {
  Fixture f(0);
  absl::StatusOr<SignInResult> result = f.rewards.SignIn("u1");
  CHECK(result.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(result.status()) == "SIGN_IN_DISABLED");
  CHECK(*f.points.Balance("u1") == 0);
}

TEST_CASE("a double click on sign-in from many threads earns once", "[rewards]") {
  Fixture f;
  std::atomic<int> awarded{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<SignInResult> result = f.rewards.SignIn("u1");
      if (result.ok() && result->points_awarded > 0) ++awarded;
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(awarded == 1);
  CHECK(*f.points.Balance("u1") == 5);
}

TEST_CASE("an award is once per reason and reference, and nothing when not configured", "[rewards]") {
  Fixture f;
  absl::StatusOr<AwardResult> first = f.rewards.Award("u1", AwardReason::kProductReview, "review-1");
  REQUIRE(first.ok());
  CHECK(first->points_awarded == 20);
  CHECK_FALSE(first->duplicate);
  absl::StatusOr<AwardResult> again = f.rewards.Award("u1", AwardReason::kProductReview, "review-1");
  REQUIRE(again.ok());
  CHECK(again->duplicate);
  REQUIRE(f.rewards.Award("u1", AwardReason::kProductReview, "review-2").ok());
  CHECK(*f.points.Balance("u1") == 40);
  CHECK(ReasonOf(f.rewards.Award("u1", AwardReason::kProductReview, "").status()) == "POINTS_REFERENCE_MISSING");

  Fixture off(5, 0);
  absl::StatusOr<AwardResult> none = off.rewards.Award("u1", AwardReason::kProductReview, "review-1");
  REQUIRE(none.ok());
  CHECK(none->points_awarded == 0);
  CHECK(*off.points.Balance("u1") == 0);
}

}  // namespace zhongtai::user
