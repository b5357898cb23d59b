#include "services/user/store/pg_export_store.h"

#include <pqxx/pqxx>

#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

using pg::Micros;

// Serialises requests of one user (a transaction-scoped advisory lock on the user id), so two concurrent requests
// never make two open exports.
constexpr char kLockUserExportsSql[] = "SELECT pg_advisory_xact_lock(hashtext('data_exports:' || $1))";

// The export a request answers instead of making one: the same idempotency key ($2, when not empty), else the one
// still pending.
constexpr char kOpenExportSql[] =
    "SELECT export_id, user_id, request_id, state, attempts, zt_micros(created_at), zt_micros(completed_at), "
    "zt_micros(expires_at) FROM data_exports WHERE user_id = $1 AND "
    "((request_id = $2 AND $2 <> '') OR state = 'pending') ORDER BY (request_id = $2) DESC, created_at DESC LIMIT 1";

constexpr char kInsertExportSql[] =
    "INSERT INTO data_exports (export_id, user_id, request_id, state, created_at) "
    "VALUES ($1, $2, $3, 'pending', zt_ts($4))";

// The owner's export only: another user's id reads exactly like a missing one.
constexpr char kGetExportSql[] =
    "SELECT export_id, user_id, request_id, state, attempts, zt_micros(created_at), zt_micros(completed_at), "
    "zt_micros(expires_at), archive FROM data_exports WHERE export_id = $1 AND user_id = $2";

// Takes the oldest pending export no live worker holds ($1 now, $2 the lease's end); SKIP LOCKED so replicas
// claiming at once take different ones, and the lease so a job whose worker died (a restart) is due again.
constexpr char kClaimDueSql[] =
    "UPDATE data_exports SET lease_until = zt_ts($2), attempts = attempts + 1 WHERE export_id = "
    "(SELECT export_id FROM data_exports WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= zt_ts($1)) "
    " ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED) "
    "RETURNING export_id, user_id, request_id, state, attempts, zt_micros(created_at), zt_micros(completed_at), "
    "zt_micros(expires_at)";

constexpr char kCompleteSql[] =
    "UPDATE data_exports SET state = 'ready', archive = $2, lease_until = NULL, completed_at = zt_ts($3), "
    "expires_at = zt_ts($4) WHERE export_id = $1 AND state = 'pending'";

// Final: failed (kept as long as an archive would be, so the customer sees why); otherwise due again at $4.
constexpr char kGiveUpSql[] =
    "UPDATE data_exports SET "
    "  state = CASE WHEN $2 THEN 'failed' ELSE 'pending' END, "
    "  lease_until = CASE WHEN $2 THEN NULL ELSE zt_ts($4) END, "
    "  completed_at = CASE WHEN $2 THEN zt_ts($3) ELSE NULL END, "
    "  expires_at = CASE WHEN $2 THEN zt_ts($3) + interval '7 days' ELSE NULL END "
    "WHERE export_id = $1 AND state = 'pending'";

constexpr char kDeleteExpiredSql[] = "DELETE FROM data_exports WHERE expires_at <= zt_ts($1)";

ExportState ParseState(const std::string& text) {
  if (text == "ready") return ExportState::kReady;
  if (text == "failed") return ExportState::kFailed;
  return ExportState::kPending;
}

DataExport ReadExport(const pqxx::row& row) {
  DataExport out;
  out.export_id = row[0].as<std::string>();
  out.user_id = row[1].as<std::string>();
  out.request_id = row[2].as<std::string>();
  out.state = ParseState(row[3].as<std::string>());
  out.attempts = row[4].as<int>();
  out.created_at = pg::TimeFromMicros(row[5]);
  out.completed_at = pg::OptionalTimeFromMicros(row[6]);
  out.expires_at = pg::OptionalTimeFromMicros(row[7]);
  return out;
}

}  // namespace

absl::StatusOr<DataExport> PgExportStore::CreateOrGetOpen(const DataExport& fresh) {
  DataExport result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kLockUserExportsSql, fresh.user_id);
    pqxx::result open = tx.exec_params(kOpenExportSql, fresh.user_id, fresh.request_id);
    if (!open.empty()) {
      result = ReadExport(open[0]);
      return absl::OkStatus();
    }
    tx.exec_params(kInsertExportSql, fresh.export_id, fresh.user_id, fresh.request_id, Micros(fresh.created_at));
    result = fresh;
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<DataExport> PgExportStore::Get(const std::string& export_id, const std::string& user_id) {
  std::optional<DataExport> found;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    found.reset();
    pqxx::result rows = tx.exec_params(kGetExportSql, export_id, user_id);
    if (rows.empty()) return absl::OkStatus();
    found = ReadExport(rows[0]);
    if (!rows[0][8].is_null()) found->archive = pqxx::binarystring(rows[0][8]).str();
    return absl::OkStatus();
  }));
  if (!found) return NotFound("DATA_EXPORT_NOT_FOUND", "no such data export");
  return std::move(*found);
}

absl::StatusOr<std::optional<DataExport>> PgExportStore::ClaimDue(absl::Time now, absl::Duration lease) {
  std::optional<DataExport> claimed;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    claimed.reset();
    pqxx::result rows = tx.exec_params(kClaimDueSql, Micros(now), Micros(now + lease));
    if (!rows.empty()) claimed = ReadExport(rows[0]);
    return absl::OkStatus();
  }));
  return claimed;
}

absl::Status PgExportStore::Complete(const std::string& export_id, const std::string& archive, absl::Time now,
                                     absl::Time expires_at) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kCompleteSql, export_id, pqxx::binarystring(archive), Micros(now), Micros(expires_at));
    return absl::OkStatus();
  });
}

absl::Status PgExportStore::GiveUp(const std::string& export_id, bool final, absl::Time now, absl::Time retry_at) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kGiveUpSql, export_id, final, Micros(now), Micros(retry_at));
    return absl::OkStatus();
  });
}

absl::StatusOr<int> PgExportStore::DeleteExpired(absl::Time now) {
  int deleted = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    deleted = static_cast<int>(tx.exec_params(kDeleteExpiredSql, Micros(now)).affected_rows());
    return absl::OkStatus();
  }));
  return deleted;
}

}  // namespace zhongtai::user
