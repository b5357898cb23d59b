#include "services/user/domain/rewards.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {

std::string ShopDay(absl::Time at, absl::TimeZone zone) { return absl::FormatTime("%Y-%m-%d", at, zone); }

absl::StatusOr<SignInResult> Rewards::SignIn(const std::string& user_id) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (settings_.sign_in_points <= 0) {
    return FailedPrecondition("SIGN_IN_DISABLED", "this shop gives no points for signing in");
  }
  SignInResult result;
  result.day = ShopDay(clock_.Now(), settings_.shop_time_zone);
  // The ledger earns once per reference and account, under the account's lock: two clicks earn once.
  ASSIGN_OR_RETURN(EarnResult earned, points_.Earn({user_id, settings_.sign_in_points, "daily sign-in",
                                                    absl::StrCat("sign-in:", result.day)}));
  result.points_awarded = earned.points;
  result.already_signed_in = earned.duplicate;
  result.balance = earned.balance;
  return result;
}

absl::StatusOr<AwardResult> Rewards::Award(const std::string& user_id, AwardReason reason,
                                           const std::string& reference_id) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (reference_id.empty()) {
    return InvalidArgument("referenceId", "POINTS_REFERENCE_MISSING", "reference id is required");
  }
  if (reference_id.size() > 128) {
    return InvalidArgument("referenceId", "POINTS_REFERENCE_INVALID", "reference id is too long");
  }
  int64_t amount = 0;
  std::string reason_text;
  std::string key;
  switch (reason) {
    case AwardReason::kProductReview:
      amount = settings_.review_points;
      reason_text = "product review";
      key = absl::StrCat("review:", reference_id);
      break;
  }
  AwardResult result;
  if (amount <= 0) return result;
  ASSIGN_OR_RETURN(EarnResult earned, points_.Earn({user_id, amount, reason_text, key}));
  result.duplicate = earned.duplicate;
  result.points_awarded = amount;  // what the award earned, first time or again
  return result;
}

}  // namespace zhongtai::user
