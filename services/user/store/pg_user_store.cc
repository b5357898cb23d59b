#include "services/user/store/pg_user_store.h"

#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(const pqxx::field& f) { return absl::FromUnixMicros(f.as<int64_t>()); }

const char* RoleText(Role role) { return role == Role::kAdmin ? "admin" : "customer"; }
Role ParseRole(const std::string& text) { return text == "admin" ? Role::kAdmin : Role::kCustomer; }

constexpr char kUserColumns[] =
    "user_id, COALESCE(email, ''), COALESCE(phone, ''), nickname, role, password_hash, zt_micros(created_at)";

User ReadUser(const pqxx::row& row) {
  User u;
  u.user_id = row[0].as<std::string>();
  u.email = row[1].as<std::string>();
  u.phone = row[2].as<std::string>();
  u.nickname = row[3].as<std::string>();
  u.role = ParseRole(row[4].as<std::string>());
  u.password_hash = row[5].as<std::string>();
  u.created_at = FromMicros(row[6]);
  return u;
}

absl::StatusOr<User> FindOne(pg::Pool& pool, const std::string& where, const std::string& arg) {
  std::optional<User> found;
  RETURN_IF_ERROR(pool.Transact([&](pqxx::work& tx) {
    found.reset();
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT ", kUserColumns, " FROM users WHERE ", where), arg);
    if (!rows.empty()) found = ReadUser(rows[0]);
    return absl::OkStatus();
  }));
  if (!found) return NotFound("USER_NOT_FOUND", "no such user");
  return std::move(*found);
}

}  // namespace

absl::Status PgUserStore::CreateUser(const User& user) {
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO users (user_id, email, phone, nickname, role, password_hash, created_at, updated_at) "
        "VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, $5, $6, zt_ts($7), zt_ts($7))",
        user.user_id, user.email, user.phone, user.nickname, RoleText(user.role), user.password_hash,
        Micros(user.created_at));
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return AlreadyExists("LOGIN_TAKEN", "this email or phone is already registered");
  }
  return status;
}

absl::StatusOr<User> PgUserStore::FindByLogin(const std::string& login) {
  if (login.empty()) return NotFound("USER_NOT_FOUND", "no such user");
  return FindOne(pool_, "email = $1 OR phone = $1", login);
}

absl::StatusOr<User> PgUserStore::FindById(const std::string& user_id) {
  return FindOne(pool_, "user_id = $1", user_id);
}

absl::Status PgUserStore::UpdateCredentials(const std::string& user_id, Role role, const std::string& password_hash) {
  return pool_.Transact([&](pqxx::work& tx) {
    pqxx::result updated = tx.exec_params(
        "UPDATE users SET role = $2, password_hash = $3, updated_at = now() WHERE user_id = $1", user_id,
        RoleText(role), password_hash);
    if (updated.affected_rows() == 0) return NotFound("USER_NOT_FOUND", "no such user");
    return absl::OkStatus();
  });
}

absl::Status PgUserStore::CreateSession(const RefreshSession& session) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO refresh_sessions (token_hash, user_id, family_id, created_at, expires_at) "
        "VALUES ($1, $2, $3, zt_ts($4), zt_ts($5))",
        session.token_hash, session.user_id, session.family_id, Micros(session.created_at),
        Micros(session.expires_at));
    return absl::OkStatus();
  });
}

absl::StatusOr<UserStore::RotateResult> PgUserStore::RotateSession(const std::string& old_hash,
                                                                   RefreshSession next, absl::Time now) {
  RotateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    result = RotateResult{};
    // FOR UPDATE: two refreshes with the same token are serialised, and the second sees it revoked.
    pqxx::result rows = tx.exec_params(
        "SELECT user_id, family_id, zt_micros(expires_at), revoked_at IS NOT NULL "
        "FROM refresh_sessions WHERE token_hash = $1 FOR UPDATE",
        old_hash);
    if (rows.empty()) {
      result.outcome = RotateOutcome::kUnknown;
      return absl::OkStatus();
    }
    result.user_id = rows[0][0].as<std::string>();
    const std::string family_id = rows[0][1].as<std::string>();
    const absl::Time expires_at = FromMicros(rows[0][2]);
    if (rows[0][3].as<bool>()) {
      tx.exec_params(
          "UPDATE refresh_sessions SET revoked_at = zt_ts($2) WHERE family_id = $1 AND revoked_at IS NULL",
          family_id, Micros(now));
      result.outcome = RotateOutcome::kReused;
      return absl::OkStatus();
    }
    if (now >= expires_at) {
      result.outcome = RotateOutcome::kExpired;
      return absl::OkStatus();
    }
    tx.exec_params("UPDATE refresh_sessions SET revoked_at = zt_ts($2) WHERE token_hash = $1", old_hash, Micros(now));
    tx.exec_params(
        "INSERT INTO refresh_sessions (token_hash, user_id, family_id, created_at, expires_at) "
        "VALUES ($1, $2, $3, zt_ts($4), zt_ts($5))",
        next.token_hash, result.user_id, family_id, Micros(next.created_at), Micros(next.expires_at));
    result.outcome = RotateOutcome::kRotated;
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace zhongtai::user
