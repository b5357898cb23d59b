#include "services/user/domain/accounts.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/password.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/user/domain/rules.h"

namespace zhongtai::user {
namespace {

absl::Status InvalidCredentials() {
  return Error(absl::StatusCode::kUnauthenticated, "INVALID_CREDENTIALS", "login or password is wrong");
}

absl::Status LoginThrottled(absl::Duration left) {
  int64_t minutes = std::max<int64_t>(1, absl::ToInt64Minutes(absl::Ceil(left, absl::Minutes(1))));
  return Error(absl::StatusCode::kResourceExhausted, "LOGIN_THROTTLED",
               absl::StrCat("too many failed logins; try again in ", minutes, " min"));
}

absl::Status RefreshInvalid() {
  return Error(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_INVALID", "refresh token is not valid");
}

}  // namespace

const char* RoleName(Role role) { return role == Role::kAdmin ? "admin" : "customer"; }

absl::StatusOr<std::string> Argon2PasswordHasher::Hash(const std::string& password) {
  return auth::HashPassword(password);
}

bool Argon2PasswordHasher::Verify(const std::string& encoded_hash, const std::string& password) {
  return auth::VerifyPassword(encoded_hash, password);
}

Accounts::Accounts(UserStore& store, PasswordHasher& hasher, Clock& clock, IdGenerator& ids, AccountSettings settings,
                   AccessTokenRevoker* tokens)
    : store_(store),
      hasher_(hasher),
      clock_(clock),
      ids_(ids),
      settings_(std::move(settings)),
      tokens_(tokens),
      hash_slots_(settings_.max_concurrent_hashes, settings_.hash_wait) {}

absl::StatusOr<std::string> Accounts::Hash(const std::string& password) {
  ASSIGN_OR_RETURN(HashSlots::Slot slot, hash_slots_.Acquire());
  return hasher_.Hash(password);
}

absl::StatusOr<bool> Accounts::Verify(const std::string& encoded_hash, const std::string& password) {
  ASSIGN_OR_RETURN(HashSlots::Slot slot, hash_slots_.Acquire());
  return hasher_.Verify(encoded_hash, password);
}

absl::StatusOr<User> Accounts::Register(const RegisterCommand& command) {
  User user;
  if (command.email.empty() && command.phone.empty()) {
    return InvalidArgument("email", "LOGIN_MISSING", "an email or a phone number is required");
  }
  if (!command.email.empty()) {
    ASSIGN_OR_RETURN(user.email, NormalizeEmail(command.email));
  }
  if (!command.phone.empty()) {
    ASSIGN_OR_RETURN(user.phone, NormalizePhone(command.phone));
  }
  RETURN_IF_ERROR(CheckPassword(command.password));
  ASSIGN_OR_RETURN(user.nickname, NormalizeNickname(command.nickname));
  ASSIGN_OR_RETURN(user.password_hash, Hash(command.password));
  user.user_id = ids_.NewUserId();
  user.role = Role::kCustomer;
  user.created_at = clock_.Now();
  RETURN_IF_ERROR(store_.CreateUser(user));
  log::Info("user registered", {{"user_id", user.user_id}});
  return user;
}

absl::StatusOr<SignUpReceipt> Accounts::SignUp(const RegisterCommand& command) {
  absl::StatusOr<User> created = Register(command);
  if (!created.ok()) {
    if (ReasonOf(created.status()) != "LOGIN_TAKEN") return created.status();
    // No user id or login in the log: the line must not become the oracle the answer avoids.
    log::Info("registration for a login that has an account; answered as a new one");
    NoticeOwners(command);
  }
  // Register normalised both before it hashed: they are valid here.
  SignUpReceipt receipt;
  if (!command.email.empty()) receipt.email = NormalizeEmail(command.email).value_or("");
  if (!command.phone.empty()) receipt.phone = NormalizePhone(command.phone).value_or("");
  return receipt;
}

void Accounts::NoticeOwners(const RegisterCommand& command) {
  const absl::Time now = clock_.Now();
  std::string noticed;  // the account told already (email and phone may name the same one)
  for (const auto& [channel, login] : {std::pair<std::string, std::string>{"email", command.email},
                                       std::pair<std::string, std::string>{"phone", command.phone}}) {
    if (login.empty()) continue;
    absl::StatusOr<std::string> normalised = channel == "email" ? NormalizeEmail(login) : NormalizePhone(login);
    if (!normalised.ok()) continue;
    absl::StatusOr<User> owner = store_.FindByLogin(*normalised);
    if (!owner.ok() || owner->user_id == noticed) continue;
    noticed = owner->user_id;
    absl::StatusOr<bool> sent =
        store_.NoteRegistrationAttempt(owner->user_id, channel, now, settings_.registration_notice_interval);
    if (!sent.ok()) {
      log::Error("cannot notify an account of a registration attempt",
                 {{"user_id", owner->user_id}, {"error", sent.status().ToString()}});
    }
  }
}

absl::StatusOr<LoginResult> Accounts::Login(const std::string& login, const std::string& password) {
  // Cheap refusal first: a password no account can have costs no hash, for known and unknown logins alike.
  if (password.size() > static_cast<size_t>(kMaxPasswordBytes)) return InvalidCredentials();
  std::string normalised = NormalizeLogin(login);
  // Failures are counted per login whether or not an account has it: a lock never tells that one exists.
  // Only a hash of the login is stored.
  const std::string login_key = auth::Sha256Hex(normalised.empty() ? login : normalised);
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(absl::Time locked_until, store_.LoginLockedUntil(login_key, now));
  if (locked_until > now) return LoginThrottled(locked_until - now);

  absl::StatusOr<User> user =
      normalised.empty() ? absl::StatusOr<User>(absl::NotFoundError("no login")) : store_.FindByLogin(normalised);
  if (!user.ok() && user.status().code() != absl::StatusCode::kNotFound) return user.status();
  // Exactly one hash either way: an unknown login is checked against a dummy hash of the same cost.
  bool matches = false;
  if (user.ok()) {
    ASSIGN_OR_RETURN(matches, Verify(user->password_hash, password));
  } else {
    ASSIGN_OR_RETURN(HashSlots::Slot slot, hash_slots_.Acquire());
    hasher_.Verify(DummyHash(), password);
  }
  if (!matches) {
    ASSIGN_OR_RETURN(absl::Time locked, store_.RecordLoginFailure(login_key, now, settings_.login_throttle));
    if (locked > now) {
      log::Warn("login locked after repeated failures",
                {{"user_id", user.ok() ? user->user_id : ""},
                 {"lockout_s", absl::StrCat(absl::ToInt64Seconds(locked - now))}});
    }
    return InvalidCredentials();
  }
  RETURN_IF_ERROR(store_.ClearLoginFailures(login_key));
  LoginResult result;
  ASSIGN_OR_RETURN(result.tokens, StartSession(*user, ids_.NewSessionFamilyId()));
  result.user = std::move(*user);
  return result;
}

absl::StatusOr<IssuedTokens> Accounts::Refresh(const std::string& refresh_token) {
  if (refresh_token.empty()) return RefreshInvalid();
  const absl::Time now = clock_.Now();
  IssuedTokens tokens;
  tokens.refresh_token = auth::RandomToken();
  RefreshSession next;
  next.token_hash = auth::Sha256Hex(tokens.refresh_token);
  next.created_at = now;
  next.expires_at = now + settings_.refresh_ttl;
  ASSIGN_OR_RETURN(UserStore::RotateResult rotated, store_.RotateSession(auth::Sha256Hex(refresh_token), next, now,
                                                                         now - settings_.session_max_lifetime));
  switch (rotated.outcome) {
    case UserStore::RotateOutcome::kRotated: break;
    case UserStore::RotateOutcome::kExpired:
      return Error(absl::StatusCode::kUnauthenticated, "REFRESH_TOKEN_EXPIRED", "refresh token has expired");
    case UserStore::RotateOutcome::kReused:
      log::Warn("refresh token reused; session family revoked", {{"user_id", rotated.user_id}});
      // A stolen refresh token: the access tokens of the session stop too. Best effort (the answer is the same).
      if (tokens_ != nullptr && !rotated.family_id.empty()) {
        if (absl::Status revoked = tokens_->RevokeSessionTokens({rotated.family_id}); !revoked.ok()) {
          log::Error("cannot revoke the access tokens of a reused session", {{"error", revoked.ToString()}});
        }
      }
      return RefreshInvalid();
    case UserStore::RotateOutcome::kUnknown: return RefreshInvalid();
  }
  absl::StatusOr<User> user = store_.FindById(rotated.user_id);
  if (!user.ok()) {
    if (user.status().code() == absl::StatusCode::kNotFound) return RefreshInvalid();
    return user.status();
  }
  tokens.access_token =
      auth::SignAccessToken(settings_.token, user->user_id, RoleName(user->role), now, rotated.family_id);
  tokens.access_expires_at = now + settings_.token.access_ttl;
  tokens.access_ttl = settings_.token.access_ttl;
  return tokens;
}

absl::StatusOr<User> Accounts::GetMe(const std::string& user_id) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  return store_.FindById(user_id);
}

absl::StatusOr<User> Accounts::CheckCurrentPassword(const std::string& user_id, const std::string& current_password) {
  if (current_password.empty()) {
    return InvalidArgument("currentPassword", "CURRENT_PASSWORD_REQUIRED", "the current password is required");
  }
  ASSIGN_OR_RETURN(User user, store_.FindById(user_id));
  bool matches = false;
  if (current_password.size() <= static_cast<size_t>(kMaxPasswordBytes)) {
    ASSIGN_OR_RETURN(matches, Verify(user.password_hash, current_password));
  }
  if (!matches) return InvalidArgument("currentPassword", "CURRENT_PASSWORD_WRONG", "the current password is wrong");
  return user;
}

absl::Status Accounts::Logout(const std::string& user_id, const std::string& refresh_token) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (refresh_token.empty()) {
    return InvalidArgument("refreshToken", "REFRESH_TOKEN_MISSING", "refresh token is required");
  }
  ASSIGN_OR_RETURN(std::string family, store_.RevokeFamily(auth::Sha256Hex(refresh_token), user_id, clock_.Now()));
  if (family.empty() || tokens_ == nullptr) return absl::OkStatus();
  absl::Status revoked = tokens_->RevokeSessionTokens({family});
  if (!revoked.ok()) {
    log::Error("signed out, but the session's access tokens could not be revoked",
               {{"user_id", user_id}, {"error", revoked.ToString()}});
    return Unavailable("SESSION_REVOCATION_FAILED", "could not end the session's access tokens; retry");
  }
  return absl::OkStatus();
}

absl::Status Accounts::RevokeAllAccessTokens(const std::string& user_id) {
  if (tokens_ == nullptr) return absl::OkStatus();
  // Every access token is issued with a refresh session row (login, refresh), so the families with a row younger
  // than the access-token lifetime (plus a minute for clock skew) are all that may hold a live one.
  ASSIGN_OR_RETURN(std::vector<std::string> families,
                   store_.RecentSessionFamilies(user_id, clock_.Now() - settings_.token.access_ttl - absl::Minutes(1)));
  absl::Status revoked = tokens_->RevokeSessionTokens(families);
  if (!revoked.ok()) {
    log::Error("cannot revoke the access tokens of the user's sessions",
               {{"user_id", user_id}, {"error", revoked.ToString()}});
    return Unavailable("SESSION_REVOCATION_FAILED",
                       "could not end the sessions' access tokens; nothing changed, retry");
  }
  return absl::OkStatus();
}

absl::Status Accounts::ChangePassword(const std::string& user_id, const std::string& current_password,
                                      const std::string& new_password) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  if (current_password.empty()) {
    return InvalidArgument("currentPassword", "CURRENT_PASSWORD_REQUIRED", "the current password is required");
  }
  absl::Status rules = CheckPassword(new_password);
  if (!rules.ok()) {
    // The password rules name "password"; here the field is newPassword.
    rules.SetPayload(kFieldPayload, absl::Cord("newPassword"));
    return rules;
  }
  ASSIGN_OR_RETURN(User user, store_.FindById(user_id));
  bool matches = false;
  if (current_password.size() <= static_cast<size_t>(kMaxPasswordBytes)) {
    ASSIGN_OR_RETURN(matches, Verify(user.password_hash, current_password));
  }
  if (!matches) return InvalidArgument("currentPassword", "CURRENT_PASSWORD_WRONG", "the current password is wrong");
  ASSIGN_OR_RETURN(std::string hash, Hash(new_password));
  // The access tokens first: if that fails nothing has changed and the same request can be repeated.
  RETURN_IF_ERROR(RevokeAllAccessTokens(user_id));
  RETURN_IF_ERROR(store_.UpdateCredentials(user_id, user.role, hash));
  RETURN_IF_ERROR(store_.RevokeSessions(user_id, clock_.Now()));
  log::Info("password changed; sessions ended", {{"user_id", user_id}});
  return absl::OkStatus();
}

absl::StatusOr<Accounts::RoleResult> Accounts::SetRole(const std::string& admin_id, const std::string& user_id,
                                                       const std::string& role) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  Role to;
  if (role == "admin") {
    to = Role::kAdmin;
  } else if (role == "customer") {
    to = Role::kCustomer;
  } else {
    return InvalidArgument("role", "ROLE_UNKNOWN", "role must be \"admin\" or \"customer\"");
  }
  // No admin changes their own role: no self-lockout, and no way around "the last admin stays".
  if (user_id == admin_id) {
    return Error(absl::StatusCode::kPermissionDenied, "OWN_ROLE_CHANGE_FORBIDDEN",
                 "an admin cannot change their own role");
  }
  ASSIGN_OR_RETURN(User user, store_.FindById(user_id));
  RoleResult result;
  if (user.role == to) {
    result.user = user;
    return result;
  }
  // Checked here too (the store checks again under lock) so a refused demotion does not end the admin's sessions.
  if (user.role == Role::kAdmin) {
    ASSIGN_OR_RETURN(int admins, store_.CountAdmins());
    if (admins <= 1) return FailedPrecondition("LAST_ADMIN", "the last admin cannot be demoted");
  }
  // The access tokens first: if that fails nothing has changed and the same request can be repeated.
  RETURN_IF_ERROR(RevokeAllAccessTokens(user_id));
  UserStore::RoleChange change;
  change.user_id = user_id;
  change.from = user.role;
  change.to = to;
  change.changed_by = admin_id;
  change.at = clock_.Now();
  RETURN_IF_ERROR(store_.ChangeRole(change));
  log::Info("role changed; sessions ended", {{"user_id", user_id}, {"role", RoleName(to)}, {"changed_by", admin_id}});
  user.role = to;
  result.user = user;
  result.sessions_ended = true;
  return result;
}

absl::StatusOr<User> Accounts::UpdateProfile(const std::string& user_id, const ProfileUpdate& update) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  ASSIGN_OR_RETURN(User user, store_.FindById(user_id));
  bool logins_change = false;
  ASSIGN_OR_RETURN(User updated, ApplyProfileUpdate(user, update, clock_.Now(), &logins_change));
  if (logins_change) {
    if (update.current_password.empty()) {
      return InvalidArgument("currentPassword", "CURRENT_PASSWORD_REQUIRED",
                             "changing the email or the phone needs the current password");
    }
    if (update.current_password.size() > static_cast<size_t>(kMaxPasswordBytes)) {
      return InvalidArgument("currentPassword", "CURRENT_PASSWORD_WRONG", "the current password is wrong");
    }
    ASSIGN_OR_RETURN(bool matches, Verify(user.password_hash, update.current_password));
    if (!matches) return InvalidArgument("currentPassword", "CURRENT_PASSWORD_WRONG", "the current password is wrong");
  }
  RETURN_IF_ERROR(store_.UpdateProfile(updated));
  return updated;
}

absl::Status Accounts::EnsureAdmin(const std::string& login, const std::string& password) {
  std::string normalised = NormalizeLogin(login);
  if (normalised.empty()) return InvalidArgument("adminLogin", "LOGIN_INVALID", "admin login is not an email or phone");
  RETURN_IF_ERROR(CheckPassword(password));
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<User> existing = store_.FindByLogin(normalised);
    if (existing.ok()) {
      if (existing->role != Role::kAdmin) {
        return FailedPrecondition("ADMIN_LOGIN_IS_CUSTOMER",
                                  "the configured admin login belongs to a customer account, which is never made an "
                                  "admin: configure a login no customer uses");
      }
      ASSIGN_OR_RETURN(bool same_password, Verify(existing->password_hash, password));
      if (same_password) return absl::OkStatus();
      ASSIGN_OR_RETURN(std::string hash, Hash(password));
      RETURN_IF_ERROR(RevokeAllAccessTokens(existing->user_id));
      RETURN_IF_ERROR(store_.UpdateCredentials(existing->user_id, Role::kAdmin, hash));
      // Whoever held the old password loses its sessions.
      RETURN_IF_ERROR(store_.RevokeSessions(existing->user_id, clock_.Now()));
      log::Info("admin password changed; its sessions ended", {{"user_id", existing->user_id}});
      return absl::OkStatus();
    }
    if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();

    User admin;
    admin.user_id = ids_.NewUserId();
    if (absl::StrContains(normalised, "@")) {
      admin.email = normalised;
    } else {
      admin.phone = normalised;
    }
    admin.nickname = "admin";
    admin.role = Role::kAdmin;
    admin.created_at = clock_.Now();
    ASSIGN_OR_RETURN(admin.password_hash, Hash(password));
    absl::Status created = store_.CreateUser(admin);
    if (created.ok()) {
      log::Info("admin account created", {{"user_id", admin.user_id}});
      return absl::OkStatus();
    }
    // Another replica created it at the same moment: look again.
    if (created.code() != absl::StatusCode::kAlreadyExists) return created;
  }
  return Aborted("ADMIN_SETUP_CONFLICT", "admin account changed concurrently");
}

absl::StatusOr<IssuedTokens> Accounts::StartSession(const User& user, const std::string& family_id) {
  const absl::Time now = clock_.Now();
  IssuedTokens tokens;
  tokens.refresh_token = auth::RandomToken();
  RefreshSession session;
  session.token_hash = auth::Sha256Hex(tokens.refresh_token);
  session.user_id = user.user_id;
  session.family_id = family_id;
  session.created_at = now;
  session.expires_at = now + settings_.refresh_ttl;
  session.family_started_at = now;
  RETURN_IF_ERROR(store_.CreateSession(session));
  tokens.access_token = auth::SignAccessToken(settings_.token, user.user_id, RoleName(user.role), now, family_id);
  tokens.access_expires_at = now + settings_.token.access_ttl;
  tokens.access_ttl = settings_.token.access_ttl;
  return tokens;
}

const std::string& Accounts::DummyHash() {
  std::call_once(dummy_once_, [this] {
    // Once per process, by a caller holding a hash slot (Login), so it counts against the bound.
    absl::StatusOr<std::string> hash = hasher_.Hash(auth::RandomToken());
    if (hash.ok()) dummy_hash_ = *hash;
  });
  return dummy_hash_;
}

}  // namespace zhongtai::user
