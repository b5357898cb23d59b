// In-memory fakes of the user domain's ports, for unit tests.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/auth/token.h"
#include "common/status/status.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/ports.h"
#include "services/user/domain/privacy_ports.h"

namespace zhongtai::user::testing {

// Account settings with a token key pair made for the test run.
inline AccountSettings TestAccountSettings() {
  static const auth::KeyPair keys = auth::NewKeyPair();
  AccountSettings settings;
  settings.token.signing_key = keys.signing_key;
  settings.token.public_key = keys.public_key;
  return settings;
}

class InMemoryUserStore : public UserStore {
 public:
  absl::Status CreateUser(const User& user) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, u] : users_) {
      if ((!user.email.empty() && u.email == user.email) || (!user.phone.empty() && u.phone == user.phone)) {
        return AlreadyExists("LOGIN_TAKEN", "login is taken");
      }
    }
    users_[user.user_id] = user;
    return absl::OkStatus();
  }
  absl::StatusOr<User> FindByLogin(const std::string& login) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, u] : users_) {
      if ((!u.email.empty() && u.email == login) || (!u.phone.empty() && u.phone == login)) return u;
    }
    return NotFound("USER_NOT_FOUND", "no such user");
  }
  absl::StatusOr<User> FindById(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(user_id);
    if (it == users_.end()) return NotFound("USER_NOT_FOUND", "no such user");
    return it->second;
  }
  absl::Status UpdateCredentials(const std::string& user_id, Role role, const std::string& hash) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(user_id);
    if (it == users_.end()) return NotFound("USER_NOT_FOUND", "no such user");
    it->second.role = role;
    it->second.password_hash = hash;
    return absl::OkStatus();
  }
  absl::Status UpdateProfile(const User& user) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(user.user_id);
    if (it == users_.end()) return NotFound("USER_NOT_FOUND", "no such user");
    for (const auto& [id, u] : users_) {
      if (id != user.user_id &&
          ((!user.email.empty() && u.email == user.email) || (!user.phone.empty() && u.phone == user.phone))) {
        return AlreadyExists("LOGIN_TAKEN", "login is taken");
      }
    }
    User updated = user;
    updated.password_hash = it->second.password_hash;
    updated.role = it->second.role;
    it->second = updated;
    return absl::OkStatus();
  }
  absl::Status CreateSession(const RefreshSession& session) override {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[session.token_hash] = {session, false};
    return absl::OkStatus();
  }
  absl::StatusOr<RotateResult> RotateSession(const std::string& old_hash, RefreshSession next, absl::Time now,
                                             absl::Time families_started_after) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(old_hash);
    if (it == sessions_.end()) return RotateResult{RotateOutcome::kUnknown, "", ""};
    Entry& old = it->second;
    if (old.revoked) {
      for (auto& [hash, entry] : sessions_) {
        if (entry.session.family_id == old.session.family_id) entry.revoked = true;
      }
      return RotateResult{RotateOutcome::kReused, old.session.user_id, old.session.family_id};
    }
    if (now >= old.session.expires_at || old.session.family_started_at <= families_started_after) {
      return RotateResult{RotateOutcome::kExpired, old.session.user_id, old.session.family_id};
    }
    old.revoked = true;
    next.user_id = old.session.user_id;
    next.family_id = old.session.family_id;
    next.family_started_at = old.session.family_started_at;
    sessions_[next.token_hash] = {next, false};
    return RotateResult{RotateOutcome::kRotated, next.user_id, next.family_id};
  }

  absl::StatusOr<std::string> RevokeFamily(const std::string& token_hash, const std::string& user_id,
                                           absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sessions_.find(token_hash);
    if (it == sessions_.end() || it->second.session.user_id != user_id) return std::string();
    const std::string family = it->second.session.family_id;
    for (auto& [hash, entry] : sessions_) {
      if (entry.session.family_id == family) entry.revoked = true;
    }
    return family;
  }
  absl::StatusOr<std::vector<std::string>> RecentSessionFamilies(const std::string& user_id,
                                                                 absl::Time created_after) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> families;
    for (const auto& [hash, entry] : sessions_) {
      if (entry.session.user_id == user_id && entry.session.created_at > created_after) {
        families.insert(entry.session.family_id);
      }
    }
    return std::vector<std::string>(families.begin(), families.end());
  }
  absl::Status RevokeSessions(const std::string& user_id, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [hash, entry] : sessions_) {
      if (entry.session.user_id == user_id) entry.revoked = true;
    }
    return absl::OkStatus();
  }
  absl::StatusOr<int> CountAdmins() override {
    std::lock_guard<std::mutex> lock(mu_);
    int admins = 0;
    for (const auto& [id, u] : users_) admins += u.role == Role::kAdmin ? 1 : 0;
    return admins;
  }
  absl::Status ChangeRole(const RoleChange& change) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = users_.find(change.user_id);
    if (it == users_.end()) return NotFound("USER_NOT_FOUND", "no such user");
    if (it->second.role != change.from) return Aborted("ROLE_CHANGED_CONCURRENTLY", "the role changed meanwhile");
    if (change.from == Role::kAdmin && change.to != Role::kAdmin) {
      int admins = 0;
      for (const auto& [id, u] : users_) admins += u.role == Role::kAdmin ? 1 : 0;
      if (admins <= 1) return FailedPrecondition("LAST_ADMIN", "the last admin cannot be demoted");
    }
    it->second.role = change.to;
    for (auto& [hash, entry] : sessions_) {
      if (entry.session.user_id == change.user_id) entry.revoked = true;
    }
    role_changes.push_back(change);
    return absl::OkStatus();
  }
  // The RoleChanged events the PostgreSQL store would have written.
  std::vector<RoleChange> role_changes;

  absl::StatusOr<bool> NoteRegistrationAttempt(const std::string& user_id, const std::string& channel, absl::Time now,
                                               absl::Duration min_interval) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = notices_.try_emplace(user_id, now);
    if (!fresh && it->second > now - min_interval) return false;
    it->second = now;
    sent_notices.push_back({user_id, channel});
    return true;
  }
  // The RegistrationAttempted events the PostgreSQL store would have written: (user id, channel).
  std::vector<std::pair<std::string, std::string>> sent_notices;

  absl::StatusOr<absl::Time> LoginLockedUntil(const std::string& login_key, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = failures_.find(login_key);
    if (it == failures_.end() || it->second.locked_until <= now) return absl::InfinitePast();
    return it->second.locked_until;
  }
  absl::StatusOr<absl::Time> RecordLoginFailure(const std::string& login_key, absl::Time now,
                                                const LoginThrottlePolicy& policy) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto [it, fresh] = failures_.try_emplace(login_key, Failures{0, now, absl::InfinitePast()});
    Failures& f = it->second;
    if (f.window_start <= now - policy.window) {
      f.count = 0;
      f.window_start = now;
    }
    if (++f.count < policy.max_failures) return absl::InfinitePast();
    f = Failures{0, now, now + policy.lockout};
    return f.locked_until;
  }
  absl::Status ClearLoginFailures(const std::string& login_key) override {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.erase(login_key);
    return absl::OkStatus();
  }

  int live_sessions() {
    std::lock_guard<std::mutex> lock(mu_);
    int live = 0;
    for (const auto& [hash, entry] : sessions_) live += entry.revoked ? 0 : 1;
    return live;
  }
  bool has_session_hash(const std::string& hash) {
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_.count(hash) > 0;
  }

 private:
  struct Entry {
    RefreshSession session;
    bool revoked = false;
  };
  struct Failures {
    int count = 0;
    absl::Time window_start;
    absl::Time locked_until;
  };
  std::mutex mu_;
  std::map<std::string, Failures> failures_;
  std::map<std::string, User> users_;
  std::map<std::string, Entry> sessions_;
  std::map<std::string, absl::Time> notices_;
};

// Cheap and transparent, counting its work so tests can see that unknown logins cost a verify too.
class FakeHasher : public PasswordHasher {
 public:
  absl::StatusOr<std::string> Hash(const std::string& password) override {
    ++hashes;
    return "fake$" + password;
  }
  bool Verify(const std::string& encoded_hash, const std::string& password) override {
    ++verifies;
    return encoded_hash == "fake$" + password;
  }
  std::atomic<int> hashes{0};
  std::atomic<int> verifies{0};
};

using FakeClock = zhongtai::FakeClock;

class SequentialIds : public IdGenerator {
 public:
  std::string NewUserId() override { return absl::StrCat("u_", ++next_); }
  std::string NewSessionFamilyId() override { return absl::StrCat("sf_", ++next_); }

 private:
  std::atomic<int> next_{0};
};

// Remembers the revocations asked for; fails them while `fail` is set.
class RecordingTokenRevoker : public AccessTokenRevoker {
 public:
  absl::Status RevokeAccessTokens(const std::string& user_id, absl::Time at) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail) return absl::UnavailableError("redis is down");
    revoked_[user_id] = at;
    return absl::OkStatus();
  }
  absl::Status RevokeSessionTokens(const std::vector<std::string>& session_ids) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (fail) return absl::UnavailableError("redis is down");
    revoked_sessions_.insert(session_ids.begin(), session_ids.end());
    return absl::OkStatus();
  }
  std::map<std::string, absl::Time> revoked() {
    std::lock_guard<std::mutex> lock(mu_);
    return revoked_;
  }
  std::set<std::string> revoked_sessions() {
    std::lock_guard<std::mutex> lock(mu_);
    return revoked_sessions_;
  }
  std::atomic<bool> fail{false};

 private:
  std::mutex mu_;
  std::map<std::string, absl::Time> revoked_;
  std::set<std::string> revoked_sessions_;
};

}  // namespace zhongtai::user::testing
