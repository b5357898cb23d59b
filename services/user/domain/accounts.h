// Accounts, credentials and sessions: registration, login, refresh-token rotation, the profile.
#pragma once

#include <mutex>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/auth/token.h"
#include "services/user/domain/hash_slots.h"
#include "services/user/domain/model.h"
#include "services/user/domain/ports.h"
#include "services/user/domain/profile.h"

namespace zhongtai::user {

struct AccountSettings {
  auth::TokenConfig token;  // secret, issuer, audience, access token lifetime
  absl::Duration refresh_ttl = absl::Hours(24 * 30);
  // A session (a login and its refresh rotations) ends this long after the login, however often it is refreshed.
  absl::Duration session_max_lifetime = absl::Hours(24 * 90);
  // Password hashes (argon2id, 64 MiB each) running at once, and how long a call waits for a turn before
  // RESOURCE_EXHAUSTED (OVERLOADED). The user pod's memory limit is sized for this bound.
  int max_concurrent_hashes = 4;
  absl::Duration hash_wait = absl::Seconds(2);
  UserStore::LoginThrottlePolicy login_throttle;
  // A registration with a login that has an account notifies its owner (RegistrationAttempted) at most this often.
  absl::Duration registration_notice_interval = absl::Hours(1);
};

struct RegisterCommand {
  std::string email;
  std::string phone;
  std::string password;
  std::string nickname;
};

// What a sign-up answers: the same for a new login and a taken one.
struct SignUpReceipt {
  std::string email;  // normalised; empty when not given
  std::string phone;  // normalised; empty when not given
};

struct LoginResult {
  User user;
  IssuedTokens tokens;
};

class Accounts {
 public:
  // `tokens`: where ended sessions' access tokens are revoked (the gateway refuses them at once); without one
  // (tests, tools) a session's access tokens live until they expire.
  Accounts(UserStore& store, PasswordHasher& hasher, Clock& clock, IdGenerator& ids, AccountSettings settings,
           AccessTokenRevoker* tokens = nullptr);

  // Self-service registration (POST /v1/users): creates the account when its logins are free, and answers exactly
  // the same when the email or phone already has an account (which stays as it is), so that registering never
  // tells whether someone is a customer. Both paths do the same work (the password is hashed, then the store is
  // asked once), so the timing tells nothing either. INVALID_ARGUMENT with the field for bad input, checked before
  // anything is looked up. The owner of a taken login is told instead (a RegistrationAttempted event per account
  // whose email or phone it is, at most one per settings.registration_notice_interval); a failure to tell is logged
  // and never changes the answer.
  absl::StatusOr<SignUpReceipt> SignUp(const RegisterCommand& command);
  // Creates a customer account: INVALID_ARGUMENT with the field for bad input; ALREADY_EXISTS (LOGIN_TAKEN) when the
  // email or phone has an account. For SignUp, seeding and tests; never answers a client directly.
  absl::StatusOr<User> Register(const RegisterCommand& command);
  // UNAUTHENTICATED (INVALID_CREDENTIALS) for an unknown login and a wrong password alike, after
  // the same amount of work (one password hash, the same store calls), so that neither the answer nor its
  // timing tells which. A password longer than kMaxPasswordBytes is refused the same way before any hash.
  // After settings.login_throttle.max_failures failures within its window the login (known or not) is
  // locked: RESOURCE_EXHAUSTED (LOGIN_THROTTLED) without a hash, even with the right password, until the
  // lockout ends. RESOURCE_EXHAUSTED (OVERLOADED) when no hash slot frees in time.
  absl::StatusOr<LoginResult> Login(const std::string& login, const std::string& password);
  // Rotates: the presented refresh token stops working and a new pair is issued. UNAUTHENTICATED
  // with REFRESH_TOKEN_INVALID (unknown, already used: its whole family is then revoked) or
  // REFRESH_TOKEN_EXPIRED (the token expired, or the session is older than settings.session_max_lifetime).
  absl::StatusOr<IssuedTokens> Refresh(const std::string& refresh_token);
  // Ends the session of `refresh_token` (its whole family) when it is the user's, its access tokens included; OK
  // either way (idempotent, and tells nothing about other users' tokens). UNAVAILABLE when the access tokens could
  // not be revoked (the refresh token is revoked already; a retry revokes the access tokens).
  absl::Status Logout(const std::string& user_id, const std::string& refresh_token);
  // INVALID_ARGUMENT CURRENT_PASSWORD_WRONG / CURRENT_PASSWORD_REQUIRED (currentPassword), or the password rules
  // for newPassword. Every session of the account ends, access tokens included. The access tokens are revoked
  // first: UNAVAILABLE when that fails, and then nothing changed (a retry with the same passwords works).
  absl::Status ChangePassword(const std::string& user_id, const std::string& current_password,
                              const std::string& new_password);
  // NOT_FOUND (USER_NOT_FOUND).
  absl::StatusOr<User> GetMe(const std::string& user_id);
  // The account, when `current_password` is its password (a real verify, in a hash slot): INVALID_ARGUMENT
  // CURRENT_PASSWORD_REQUIRED / CURRENT_PASSWORD_WRONG (currentPassword). For acts that need the password again.
  absl::StatusOr<User> CheckCurrentPassword(const std::string& user_id, const std::string& current_password);
  // Changes the caller's profile (profile.h). Changing the email or the phone needs the current password:
  // INVALID_ARGUMENT CURRENT_PASSWORD_REQUIRED when missing, CURRENT_PASSWORD_WRONG when wrong (after a real
  // verify). ALREADY_EXISTS LOGIN_TAKEN when another account has the new email or phone.
  absl::StatusOr<User> UpdateProfile(const std::string& user_id, const ProfileUpdate& update);

  // Admin: sets the role ("admin" or "customer") of `user_id`, on behalf of the admin `admin_id`. Every session of
  // the account ends: the access tokens of its sessions are revoked first (UNAVAILABLE when that fails, and then
  // nothing changed), then its refresh sessions, in the same transaction as the role, its history and the
  // RoleChanged event. INVALID_ARGUMENT ROLE_UNKNOWN (role), USER_ID_MISSING (userId); PERMISSION_DENIED
  // OWN_ROLE_CHANGE_FORBIDDEN when `user_id` is the admin's own; FAILED_PRECONDITION LAST_ADMIN when it would demote
  // the last admin; NOT_FOUND USER_NOT_FOUND. The role it already has changes nothing (sessions_ended false).
  struct RoleResult {
    User user;
    bool sessions_ended = false;
  };
  absl::StatusOr<RoleResult> SetRole(const std::string& admin_id, const std::string& user_id, const std::string& role);

  // Makes sure an admin account with this login and password exists: creates it, or re-keys the existing admin
  // when its password differs (ending all its sessions). Never promotes a customer: FAILED_PRECONDITION
  // ADMIN_LOGIN_IS_CUSTOMER when the login belongs to one (start-up stops). Safe to run on every start and from
  // several replicas at once.
  absl::Status EnsureAdmin(const std::string& login, const std::string& password);

 private:
  absl::StatusOr<IssuedTokens> StartSession(const User& user, const std::string& family_id);
  // Revokes the access tokens of every session of the user that may hold a live one (before a password or role
  // change ends the sessions).
  absl::Status RevokeAllAccessTokens(const std::string& user_id);
  const std::string& DummyHash();
  // SignUp's notice to the owners of the taken logins; best effort.
  void NoticeOwners(const RegisterCommand& command);
  // The hasher, one slot of hash_slots_ at a time.
  absl::StatusOr<std::string> Hash(const std::string& password);
  absl::StatusOr<bool> Verify(const std::string& encoded_hash, const std::string& password);

  UserStore& store_;
  PasswordHasher& hasher_;
  Clock& clock_;
  IdGenerator& ids_;
  AccountSettings settings_;
  AccessTokenRevoker* tokens_;
  HashSlots hash_slots_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
};

}  // namespace zhongtai::user
