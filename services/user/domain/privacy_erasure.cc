#include "services/user/domain/privacy_erasure.h"

#include "common/auth/password.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::user {

absl::Status AccountErasure::Erase(const std::string& user_id, const std::string& current_password) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  ASSIGN_OR_RETURN(User user, accounts_.CheckCurrentPassword(user_id, current_password));
  if (user.role == Role::kAdmin) {
    return FailedPrecondition("ADMIN_NOT_ERASABLE",
                              "an admin account is configured, not erased: remove it from the configuration instead");
  }
  Erasure erasure;
  erasure.user_id = user.user_id;
  if (!user.email.empty()) erasure.login_keys.push_back(auth::Sha256Hex(user.email));
  if (!user.phone.empty()) erasure.login_keys.push_back(auth::Sha256Hex(user.phone));
  erasure.erased_at = clock_.Now();
  erasure.event_id = "user-erased:" + user.user_id;
  RETURN_IF_ERROR(tokens_.RevokeAccessTokens(user.user_id, erasure.erased_at));
  RETURN_IF_ERROR(store_.EraseAccount(erasure));
  log::Info("account erased; sessions and access tokens ended", {{"user_id", user.user_id}});
  return absl::OkStatus();
}

}  // namespace zhongtai::user
