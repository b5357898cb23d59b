#include "services/user/store/pg_user_store.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/store/pg_membership_store.h"  // kUserEventStream
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

const char* RoleText(Role role) { return role == Role::kAdmin ? "admin" : "customer"; }
Role ParseRole(const std::string& text) { return text == "admin" ? Role::kAdmin : Role::kCustomer; }

constexpr char kUserColumns[] =
    "user_id, COALESCE(email, ''), COALESCE(phone, ''), nickname, role, password_hash, zt_micros(created_at), "
    "avatar_url, COALESCE(to_char(birthday, 'YYYY-MM-DD'), ''), gender";

// The profile (migration 0006). An empty birthday is NULL; the domain checked the date.
constexpr char kUpdateProfileSql[] =
    "UPDATE users SET nickname = $2, email = NULLIF($3, ''), phone = NULLIF($4, ''), avatar_url = $5, "
    "birthday = NULLIF($6, '')::date, gender = $7, updated_at = now() WHERE user_id = $1";

const char* GenderText(Gender gender) {
  switch (gender) {
    case Gender::kFemale: return "female";
    case Gender::kMale: return "male";
    case Gender::kOther: return "other";
    case Gender::kUnspecified: break;
  }
  return "unspecified";
}

Gender ParseGender(const std::string& text) {
  if (text == "female") return Gender::kFemale;
  if (text == "male") return Gender::kMale;
  if (text == "other") return Gender::kOther;
  return Gender::kUnspecified;
}

// Logout: the family of the presented session, when the session is the caller's.
constexpr char kRevokeFamilySql[] =
    "UPDATE refresh_sessions SET revoked_at = zt_ts($3) WHERE revoked_at IS NULL AND family_id = "
    "(SELECT family_id FROM refresh_sessions WHERE token_hash = $1 AND user_id = $2)";

// The family of the session `token_hash` when it is the user's ($2), revoked or not.
constexpr char kFamilyOfSql[] = "SELECT family_id FROM refresh_sessions WHERE token_hash = $1 AND user_id = $2";

// The user's families with a session created after $2 (unix micros): those whose access tokens may still be live.
constexpr char kRecentFamiliesSql[] =
    "SELECT DISTINCT family_id FROM refresh_sessions WHERE user_id = $1 AND created_at > zt_ts($2)";

// A password or role change ends every session of the user.
constexpr char kRevokeUserSessionsSql[] =
    "UPDATE refresh_sessions SET revoked_at = zt_ts($2) WHERE user_id = $1 AND revoked_at IS NULL";

// The admins, locked (in user id order) so that concurrent demotions count one after the other: of two admins
// demoting each other only one passes.
constexpr char kLockAdminsSql[] = "SELECT user_id FROM users WHERE role = 'admin' ORDER BY user_id FOR UPDATE";

constexpr char kCountAdminsSql[] = "SELECT count(*) FROM users WHERE role = 'admin'";

// The role, only when the account still has the role the change was decided on ($3).
constexpr char kSetRoleSql[] =
    "UPDATE users SET role = $2, updated_at = zt_ts($4) WHERE user_id = $1 AND role = $3 RETURNING user_id";

// The account's role history (migration 0013).
constexpr char kRecordRoleChangeSql[] =
    "INSERT INTO role_changes (user_id, from_role, to_role, changed_by, changed_at) VALUES ($1, $2, $3, $4, zt_ts($5)) "
    "RETURNING change_id";

// One notice per account per interval (migration 0011): the row is written only when there is none or the last
// notice is at or before $3 (now - interval, unix micros); a row comes back only when this attempt sends one.
// Concurrent attempts queue on the row, so exactly one of them sends.
constexpr char kNoteRegistrationAttemptSql[] =
    "INSERT INTO registration_notices AS n (user_id, last_sent_at) VALUES ($1, zt_ts($2)) "
    "ON CONFLICT (user_id) DO UPDATE SET last_sent_at = EXCLUDED.last_sent_at WHERE n.last_sent_at <= zt_ts($3) "
    "RETURNING user_id";

// Login throttling (login_failures, migration 0002). Times are unix microseconds ($2 = now).

// The lock's end when `login_hash` is locked now; no row otherwise.
constexpr char kLoginLockedUntilSql[] =
    "SELECT zt_micros(locked_until) FROM login_failures WHERE login_hash = $1 AND locked_until > zt_ts($2)";

// Counts one failure and returns the count in the current window. A window older than $3 microseconds
// starts again at 1. The upsert holds the row lock until commit, so concurrent failures queue and each counts.
constexpr char kCountLoginFailureSql[] =
    "INSERT INTO login_failures AS f (login_hash, failures, window_start, updated_at) "
    "VALUES ($1, 1, zt_ts($2), zt_ts($2)) "
    "ON CONFLICT (login_hash) DO UPDATE SET "
    "  failures = CASE WHEN f.window_start <= zt_ts($2::bigint - $3::bigint) THEN 1 ELSE f.failures + 1 END, "
    "  window_start = CASE WHEN f.window_start <= zt_ts($2::bigint - $3::bigint) THEN zt_ts($2) ELSE f.window_start "
    "END, "
    "  updated_at = zt_ts($2) "
    "RETURNING failures";

// The failure that reached the limit: lock until $2 + $3 microseconds and start counting afresh.
constexpr char kLockLoginSql[] =
    "UPDATE login_failures SET locked_until = zt_ts($2::bigint + $3::bigint), failures = 0, window_start = zt_ts($2) "
    "WHERE login_hash = $1";

// Rows untouched since before $1 (no lock or window can still be running) go, at most 100 per call, so the
// table stays as small as the logins that failed recently.
constexpr char kPruneLoginFailuresSql[] =
    "DELETE FROM login_failures WHERE login_hash IN "
    "(SELECT login_hash FROM login_failures WHERE updated_at < zt_ts($1) AND "
    " (locked_until IS NULL OR locked_until < zt_ts($1)) LIMIT 100)";

// A successful login forgets the failures.
constexpr char kClearLoginFailuresSql[] = "DELETE FROM login_failures WHERE login_hash = $1";

User ReadUser(const pqxx::row& row) {
  User u;
  u.user_id = row[0].as<std::string>();
  u.email = row[1].as<std::string>();
  u.phone = row[2].as<std::string>();
  u.nickname = row[3].as<std::string>();
  u.role = ParseRole(row[4].as<std::string>());
  u.password_hash = row[5].as<std::string>();
  u.created_at = TimeFromMicros(row[6]);
  u.avatar_url = row[7].as<std::string>();
  u.birthday = row[8].as<std::string>();
  u.gender = ParseGender(row[9].as<std::string>());
  return u;
}

absl::StatusOr<User> FindOne(pg::Pool& pool, const std::string& where, const std::string& arg) {
  std::optional<User> found;
  RETURN_IF_ERROR(pool.Transact([&](pqxx::work& tx) {
    found.reset();
    // An erased account (migration 0009) is gone for every lookup: no login, no refresh, no profile.
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", kUserColumns, " FROM users WHERE erased_at IS NULL AND (", where, ")"), arg);
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
    pqxx::result updated =
        tx.exec_params("UPDATE users SET role = $2, password_hash = $3, updated_at = now() WHERE user_id = $1", user_id,
                       RoleText(role), password_hash);
    if (updated.affected_rows() == 0) return NotFound("USER_NOT_FOUND", "no such user");
    return absl::OkStatus();
  });
}

absl::Status PgUserStore::UpdateProfile(const User& user) {
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    pqxx::result updated = tx.exec_params(kUpdateProfileSql, user.user_id, user.nickname, user.email, user.phone,
                                          user.avatar_url, user.birthday, GenderText(user.gender));
    if (updated.affected_rows() == 0) return NotFound("USER_NOT_FOUND", "no such user");
    return absl::OkStatus();
  });
  if (status.code() == absl::StatusCode::kAlreadyExists) {
    return AlreadyExists("LOGIN_TAKEN", "this email or phone is already registered");
  }
  return status;
}

absl::Status PgUserStore::CreateSession(const RefreshSession& session) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO refresh_sessions (token_hash, user_id, family_id, created_at, expires_at, family_started_at) "
        "VALUES ($1, $2, $3, zt_ts($4), zt_ts($5), zt_ts($6))",
        session.token_hash, session.user_id, session.family_id, Micros(session.created_at), Micros(session.expires_at),
        Micros(session.family_started_at));
    return absl::OkStatus();
  });
}

absl::StatusOr<UserStore::RotateResult> PgUserStore::RotateSession(const std::string& old_hash, RefreshSession next,
                                                                   absl::Time now, absl::Time families_started_after) {
  RotateResult result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    result = RotateResult{};
    // FOR UPDATE: two refreshes with the same token are serialised, and the second sees it revoked.
    pqxx::result rows = tx.exec_params(
        "SELECT user_id, family_id, zt_micros(expires_at), revoked_at IS NOT NULL, "
        "zt_micros(COALESCE(family_started_at, created_at)) FROM refresh_sessions WHERE token_hash = $1 FOR UPDATE",
        old_hash);
    if (rows.empty()) {
      result.outcome = RotateOutcome::kUnknown;
      return absl::OkStatus();
    }
    result.user_id = rows[0][0].as<std::string>();
    const std::string family_id = rows[0][1].as<std::string>();
    result.family_id = family_id;
    const absl::Time expires_at = TimeFromMicros(rows[0][2]);
    if (rows[0][3].as<bool>()) {
      tx.exec_params("UPDATE refresh_sessions SET revoked_at = zt_ts($2) WHERE family_id = $1 AND revoked_at IS NULL",
                     family_id, Micros(now));
      result.outcome = RotateOutcome::kReused;
      return absl::OkStatus();
    }
    const absl::Time family_started_at = TimeFromMicros(rows[0][4]);
    // The token's own expiry, or the session's absolute lifetime (counted from the login).
    if (now >= expires_at || family_started_at <= families_started_after) {
      result.outcome = RotateOutcome::kExpired;
      return absl::OkStatus();
    }
    tx.exec_params("UPDATE refresh_sessions SET revoked_at = zt_ts($2) WHERE token_hash = $1", old_hash, Micros(now));
    tx.exec_params(
        "INSERT INTO refresh_sessions (token_hash, user_id, family_id, created_at, expires_at, family_started_at) "
        "VALUES ($1, $2, $3, zt_ts($4), zt_ts($5), zt_ts($6))",
        next.token_hash, result.user_id, family_id, Micros(next.created_at), Micros(next.expires_at),
        Micros(family_started_at));
    result.outcome = RotateOutcome::kRotated;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::string> PgUserStore::RevokeFamily(const std::string& token_hash, const std::string& user_id,
                                                      absl::Time now) {
  std::string family;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    family.clear();
    pqxx::result rows = tx.exec_params(kFamilyOfSql, token_hash, user_id);
    if (rows.empty()) return absl::OkStatus();
    family = rows[0][0].as<std::string>();
    tx.exec_params(kRevokeFamilySql, token_hash, user_id, Micros(now));
    return absl::OkStatus();
  }));
  return family;
}

absl::StatusOr<std::vector<std::string>> PgUserStore::RecentSessionFamilies(const std::string& user_id,
                                                                            absl::Time created_after) {
  std::vector<std::string> families;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    families.clear();
    for (const auto& row : tx.exec_params(kRecentFamiliesSql, user_id, Micros(created_after))) {
      families.push_back(row[0].as<std::string>());
    }
    return absl::OkStatus();
  }));
  return families;
}

absl::Status PgUserStore::RevokeSessions(const std::string& user_id, absl::Time now) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(kRevokeUserSessionsSql, user_id, Micros(now));
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PgUserStore::CountAdmins() {
  int admins = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    admins = tx.exec1(kCountAdminsSql)[0].as<int>();
    return absl::OkStatus();
  }));
  return admins;
}

absl::Status PgUserStore::ChangeRole(const RoleChange& change) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    if (change.from == Role::kAdmin && change.to != Role::kAdmin) {
      pqxx::result admins = tx.exec(kLockAdminsSql);
      if (admins.size() <= 1) return FailedPrecondition("LAST_ADMIN", "the last admin cannot be demoted");
    }
    pqxx::result updated =
        tx.exec_params(kSetRoleSql, change.user_id, RoleText(change.to), RoleText(change.from), Micros(change.at));
    if (updated.empty()) {
      if (tx.exec_params("SELECT 1 FROM users WHERE user_id = $1", change.user_id).empty()) {
        return NotFound("USER_NOT_FOUND", "no such user");
      }
      return Aborted("ROLE_CHANGED_CONCURRENTLY", "the account's role changed meanwhile; read it again");
    }
    tx.exec_params(kRevokeUserSessionsSql, change.user_id, Micros(change.at));
    // The history row's id names the event: two changes of one account are two events, however close in time.
    const int64_t change_id = tx.exec_params1(kRecordRoleChangeSql, change.user_id, RoleText(change.from),
                                              RoleText(change.to), change.changed_by, Micros(change.at))[0]
                                  .as<int64_t>();
    v1::RoleChanged message;
    message.set_user_id(change.user_id);
    message.set_from_role(RoleText(change.from));
    message.set_to_role(RoleText(change.to));
    message.set_changed_by(change.changed_by);
    *message.mutable_occur_time() = proto::ToTimestamp(change.at);
    events::Event event;
    event.id = absl::StrCat("role-changed:", change_id);
    event.type = message.GetDescriptor()->full_name();
    event.key = change.user_id;
    event.payload = message.SerializeAsString();
    event.occurred_at = change.at;
    return events::AppendToOutbox(tx, kUserEventStream, event);
  });
}

absl::StatusOr<bool> PgUserStore::NoteRegistrationAttempt(const std::string& user_id, const std::string& channel,
                                                          absl::Time now, absl::Duration min_interval) {
  bool sent = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    sent = false;
    pqxx::result noted = tx.exec_params(kNoteRegistrationAttemptSql, user_id, Micros(now), Micros(now - min_interval));
    if (noted.empty()) return absl::OkStatus();
    v1::RegistrationAttempted message;
    message.set_user_id(user_id);
    message.set_channel(channel);
    *message.mutable_occur_time() = proto::ToTimestamp(now);
    events::Event event;
    event.id = absl::StrCat("registration-attempted:", user_id, ":", Micros(now));
    event.type = message.GetDescriptor()->full_name();
    event.key = user_id;
    event.payload = message.SerializeAsString();
    event.occurred_at = now;
    RETURN_IF_ERROR(events::AppendToOutbox(tx, kUserEventStream, event));
    sent = true;
    return absl::OkStatus();
  }));
  return sent;
}

absl::StatusOr<absl::Time> PgUserStore::LoginLockedUntil(const std::string& login_key, absl::Time now) {
  absl::Time until = absl::InfinitePast();
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    until = absl::InfinitePast();
    pqxx::result rows = tx.exec_params(kLoginLockedUntilSql, login_key, Micros(now));
    if (!rows.empty()) until = TimeFromMicros(rows[0][0]);
    return absl::OkStatus();
  }));
  return until;
}

absl::StatusOr<absl::Time> PgUserStore::RecordLoginFailure(const std::string& login_key, absl::Time now,
                                                           const LoginThrottlePolicy& policy) {
  absl::Time locked_until = absl::InfinitePast();
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    locked_until = absl::InfinitePast();
    pqxx::result counted =
        tx.exec_params(kCountLoginFailureSql, login_key, Micros(now), absl::ToInt64Microseconds(policy.window));
    if (counted[0][0].as<int>() >= policy.max_failures) {
      tx.exec_params(kLockLoginSql, login_key, Micros(now), absl::ToInt64Microseconds(policy.lockout));
      locked_until = now + policy.lockout;
    }
    tx.exec_params(kPruneLoginFailuresSql, Micros(now - std::max(policy.window, policy.lockout)));
    return absl::OkStatus();
  }));
  return locked_until;
}

absl::Status PgUserStore::ClearLoginFailures(const std::string& login_key) {
  return pool_.Transact([&](pqxx::work& tx) {
    tx.exec_params(kClearLoginFailuresSql, login_key);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
