// UserStore over PostgreSQL (common/pg). SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/ports.h"

namespace zhongtai::user {

class PgUserStore : public UserStore {
 public:
  explicit PgUserStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status CreateUser(const User& user) override;
  absl::StatusOr<User> FindByLogin(const std::string& login) override;
  absl::StatusOr<User> FindById(const std::string& user_id) override;
  absl::Status UpdateCredentials(const std::string& user_id, Role role, const std::string& password_hash) override;
  absl::Status UpdateProfile(const User& user) override;
  absl::Status CreateSession(const RefreshSession& session) override;
  absl::StatusOr<RotateResult> RotateSession(const std::string& old_hash, RefreshSession next, absl::Time now,
                                             absl::Time families_started_after) override;
  absl::StatusOr<std::string> RevokeFamily(const std::string& token_hash, const std::string& user_id,
                                           absl::Time now) override;
  absl::StatusOr<std::vector<std::string>> RecentSessionFamilies(const std::string& user_id,
                                                                 absl::Time created_after) override;
  absl::Status RevokeSessions(const std::string& user_id, absl::Time now) override;
  absl::StatusOr<int> CountAdmins() override;
  absl::Status ChangeRole(const RoleChange& change) override;
  absl::StatusOr<bool> NoteRegistrationAttempt(const std::string& user_id, const std::string& channel, absl::Time now,
                                               absl::Duration min_interval) override;
  absl::StatusOr<absl::Time> LoginLockedUntil(const std::string& login_key, absl::Time now) override;
  absl::StatusOr<absl::Time> RecordLoginFailure(const std::string& login_key, absl::Time now,
                                                const LoginThrottlePolicy& policy) override;
  absl::Status ClearLoginFailures(const std::string& login_key) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
