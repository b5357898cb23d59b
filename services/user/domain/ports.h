// What the user domain needs from the outside world.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/model.h"

namespace zhongtai::user {

class UserStore {
 public:
  virtual ~UserStore() = default;

  // ALREADY_EXISTS (reason LOGIN_TAKEN) when the email or the phone belongs to another account.
  virtual absl::Status CreateUser(const User& user) = 0;
  // By normalised email or phone; NOT_FOUND (USER_NOT_FOUND) when none.
  virtual absl::StatusOr<User> FindByLogin(const std::string& login) = 0;
  virtual absl::StatusOr<User> FindById(const std::string& user_id) = 0;
  // Sets role and password hash of an existing account.
  virtual absl::Status UpdateCredentials(const std::string& user_id, Role role, const std::string& password_hash) = 0;
  // Writes nickname, email, phone, avatar, birthday and gender of `user`. ALREADY_EXISTS (LOGIN_TAKEN) when the
  // email or the phone belongs to another account; NOT_FOUND (USER_NOT_FOUND).
  virtual absl::Status UpdateProfile(const User& user) = 0;

  virtual absl::Status CreateSession(const RefreshSession& session) = 0;

  enum class RotateOutcome { kRotated, kUnknown, kExpired, kReused };
  struct RotateResult {
    RotateOutcome outcome = RotateOutcome::kUnknown;
    std::string user_id;    // set when the presented session was found
    std::string family_id;  // likewise: the session (sign-in) it belongs to
  };
  // Atomically: find the session with `old_hash`; if it is live, revoke it and store `next` (whose
  // user_id, family_id and family_started_at the store fills from the old session). If it was already revoked,
  // revoke every live session of its family and answer kReused; that change must be kept (not rolled back).
  // A session past its expiry, or of a family started before `families_started_after`, answers kExpired.
  virtual absl::StatusOr<RotateResult> RotateSession(const std::string& old_hash, RefreshSession next, absl::Time now,
                                                     absl::Time families_started_after) = 0;
  // Revokes every live session of the family of the session `token_hash`, when that session is the user's, and
  // answers the family id (also when it was revoked before, so a retried logout finds it again); empty when the
  // session is unknown or another user's.
  virtual absl::StatusOr<std::string> RevokeFamily(const std::string& token_hash, const std::string& user_id,
                                                   absl::Time now) = 0;
  // The user's session families with a refresh session created after `created_after`: every access token is issued
  // with one (login and each refresh), so with created_after = now - access-token lifetime these are the sessions
  // that may hold a live access token.
  virtual absl::StatusOr<std::vector<std::string>> RecentSessionFamilies(const std::string& user_id,
                                                                         absl::Time created_after) = 0;
  // Revokes every live session of the user (a password or role change).
  virtual absl::Status RevokeSessions(const std::string& user_id, absl::Time now) = 0;

  // How many admin accounts there are.
  virtual absl::StatusOr<int> CountAdmins() = 0;
  struct RoleChange {
    std::string user_id;
    Role from = Role::kCustomer;
    Role to = Role::kCustomer;
    std::string changed_by;  // the admin's user id
    absl::Time at;
  };
  // Atomically: when the account still has `from`, sets `to`, revokes every live session of the account, records
  // the change in its history (role_changes) and writes RoleChanged to the outbox. FAILED_PRECONDITION LAST_ADMIN
  // when it would leave no admin (the admins are locked while counted, so two concurrent demotions cannot both
  // pass); ABORTED ROLE_CHANGED_CONCURRENTLY when the role is no longer `from`; NOT_FOUND USER_NOT_FOUND.
  virtual absl::Status ChangeRole(const RoleChange& change) = 0;

  // A registration was attempted with the account's `channel` ("email" or "phone"): when no notice went to the
  // account within `min_interval` before `now`, atomically records one and writes the RegistrationAttempted event
  // to the outbox; answers whether it did.
  virtual absl::StatusOr<bool> NoteRegistrationAttempt(const std::string& user_id, const std::string& channel,
                                                       absl::Time now, absl::Duration min_interval) = 0;

  // Failed logins, kept per login key (a hash of the normalised login, known account or not) where every
  // replica sees them.
  struct LoginThrottlePolicy {
    int max_failures = 5;  // this many failures within `window`...
    absl::Duration window = absl::Minutes(15);
    absl::Duration lockout = absl::Minutes(15);  // ...refuse further attempts for this long
  };
  // Until when attempts for `login_key` are refused; absl::InfinitePast() when they are not.
  virtual absl::StatusOr<absl::Time> LoginLockedUntil(const std::string& login_key, absl::Time now) = 0;
  // Counts one failure atomically (concurrent failures each count). The failure that reaches
  // policy.max_failures within policy.window locks the key until now + policy.lockout and starts the count
  // afresh. Returns the lock's end, or absl::InfinitePast() when this failure did not lock.
  virtual absl::StatusOr<absl::Time> RecordLoginFailure(const std::string& login_key, absl::Time now,
                                                        const LoginThrottlePolicy& policy) = 0;
  // After a successful login: forget the failures.
  virtual absl::Status ClearLoginFailures(const std::string& login_key) = 0;
};

// Access tokens are checked by their signature alone and live up to their lifetime; this ends the ones already issued,
// for every service that checks them (the gateway), at once.
class AccessTokenRevoker {
 public:
  virtual ~AccessTokenRevoker() = default;
  // Every token of the user issued up to `at` (an erased account: no new token can follow in the same second).
  virtual absl::Status RevokeAccessTokens(const std::string& user_id, absl::Time at) = 0;
  // Every token of these sessions (their "sid"): logout, a password or role change. Tokens of later sign-ins pass.
  virtual absl::Status RevokeSessionTokens(const std::vector<std::string>& session_ids) = 0;
};

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewUserId() = 0;
  virtual std::string NewSessionFamilyId() = 0;
};

// Slow on purpose (argon2id); the API runs every domain call on the worker pool.
class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  virtual absl::StatusOr<std::string> Hash(const std::string& password) = 0;
  virtual bool Verify(const std::string& encoded_hash, const std::string& password) = 0;
};

// argon2id via libsodium (common/auth).
class Argon2PasswordHasher : public PasswordHasher {
 public:
  absl::StatusOr<std::string> Hash(const std::string& password) override;
  bool Verify(const std::string& encoded_hash, const std::string& password) override;
};

}  // namespace zhongtai::user
