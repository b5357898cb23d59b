#include "common/pg/migrate.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::pg {
namespace {

// One key for every service: advisory locks are scoped to the current database.
constexpr int64_t kMigrationLockKey = 0x7a745f6d696772;  // "zt_migr"

void LockMigrations(pqxx::work& tx) { tx.exec(absl::StrCat("SELECT pg_advisory_xact_lock(", kMigrationLockKey, ")")); }

}  // namespace

absl::Status Migrate(Pool& pool, const std::vector<Migration>& migrations) {
  std::set<std::string> names;
  for (const Migration& m : migrations) {
    if (m.name.empty() || !names.insert(m.name).second) {
      return Internal("MIGRATION_INVALID", absl::StrCat("duplicate or empty migration name '", m.name, "'"));
    }
  }
  absl::Status status = pool.Transact([](pqxx::work& tx) {
    LockMigrations(tx);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " name text PRIMARY KEY,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return Error(status.code(), "MIGRATION_FAILED",
                 absl::StrCat("creating schema_migrations failed: ", status.message()));
  }
  for (const Migration& m : migrations) {
    bool applied = false;
    status = pool.Transact([&](pqxx::work& tx) {
      applied = false;
      LockMigrations(tx);
      pqxx::result done = tx.exec_params("SELECT 1 FROM schema_migrations WHERE name = $1", m.name);
      if (!done.empty()) return absl::OkStatus();
      tx.exec(m.sql);
      tx.exec_params("INSERT INTO schema_migrations (name) VALUES ($1)", m.name);
      applied = true;
      return absl::OkStatus();
    });
    if (!status.ok()) {
      log::Error("migration failed", {{"pool", pool.name()}, {"migration", m.name}});
      return Error(status.code(), "MIGRATION_FAILED",
                   absl::StrCat("migration ", m.name, " failed: ", status.message()));
    }
    if (applied) log::Info("migration applied", {{"pool", pool.name()}, {"migration", m.name}});
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Pool>> OpenAndMigrate(PoolOptions options, const std::vector<Migration>& migrations) {
  absl::StatusOr<std::unique_ptr<Pool>> pool = Pool::Open(std::move(options));
  if (!pool.ok()) return pool.status();
  if (absl::Status migrated = Migrate(**pool, migrations); !migrated.ok()) return migrated;
  return pool;
}

}  // namespace zhongtai::pg
