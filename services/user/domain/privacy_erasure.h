// Account erasure (PIPL's right to deletion): DELETE /v1/users/me.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "common/clock/clock.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/privacy_ports.h"

namespace zhongtai::user {

// The nickname an erased account shows wherever its id still appears.
inline constexpr char kErasedNickname[] = "已注销用户";

class AccountErasure {
 public:
  AccountErasure(Accounts& accounts, ErasureStore& store, AccessTokenRevoker& tokens, Clock& clock)
      : accounts_(accounts), store_(store), tokens_(tokens), clock_(clock) {}

  // Erases the caller's account after checking the password (INVALID_ARGUMENT CURRENT_PASSWORD_REQUIRED /
  // CURRENT_PASSWORD_WRONG naming currentPassword). The account's personal data goes at once and every session
  // ends, its access tokens included (revoked first: when that fails nothing is erased and the call can be retried);
  // the UserErased event asks the other services to do the same. FAILED_PRECONDITION ADMIN_NOT_ERASABLE for
  // an admin account (it is configured, and would be made again at the next start). NOT_FOUND USER_NOT_FOUND once
  // erased.
  absl::Status Erase(const std::string& user_id, const std::string& current_password);

 private:
  Accounts& accounts_;
  ErasureStore& store_;
  AccessTokenRevoker& tokens_;
  Clock& clock_;
};

}  // namespace zhongtai::user
