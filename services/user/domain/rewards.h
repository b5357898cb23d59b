// Points for what a customer does besides buying: the daily sign-in (once per calendar day of the shop) and awards
// other services ask for (a product review), each at the amount the shop configured (0: none). Both earn through
// the points ledger (lots, expiry, FIFO spending), keyed so that a repeat, a retry or a double click earns once.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/points.h"

namespace zhongtai::user {

struct RewardSettings {
  // Points of the day's first sign-in; 0 turns sign-in off.
  int64_t sign_in_points = 0;
  // Points for a product review; 0: none.
  int64_t review_points = 0;
  // The shop's calendar: when a day starts.
  absl::TimeZone shop_time_zone = absl::FixedTimeZone(8 * 3600);
};

enum class AwardReason { kProductReview };

struct SignInResult {
  std::string day;  // "YYYY-MM-DD" in the shop's time zone
  int64_t points_awarded = 0;
  bool already_signed_in = false;
  int64_t balance = 0;
};

struct AwardResult {
  int64_t points_awarded = 0;
  bool duplicate = false;
};

// The shop's calendar day of `at`, "YYYY-MM-DD".
std::string ShopDay(absl::Time at, absl::TimeZone zone);

class Rewards {
 public:
  Rewards(Points& points, Clock& clock, RewardSettings settings)
      : points_(points), clock_(clock), settings_(settings) {}

  // FAILED_PRECONDITION SIGN_IN_DISABLED when sign-in gives no points.
  absl::StatusOr<SignInResult> SignIn(const std::string& user_id);
  // Once per (reason, reference): a repeat answers the first award with duplicate=true. Nothing (0 points, not an
  // error) when the shop gives none for the reason. INVALID_ARGUMENT USER_ID_MISSING, POINTS_REFERENCE_MISSING,
  // POINTS_REFERENCE_INVALID.
  absl::StatusOr<AwardResult> Award(const std::string& user_id, AwardReason reason, const std::string& reference_id);

 private:
  Points& points_;
  Clock& clock_;
  RewardSettings settings_;
};

}  // namespace zhongtai::user
