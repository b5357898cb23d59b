// Forward-only schema migrations, applied at start. zt_embed_migrations (CMake) turns a folder of
// .sql files into a `Migrations()` function returning them in name order.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/pg/pool.h"

namespace zhongtai::pg {

struct Migration {
  std::string name;  // unique, e.g. "0001_init"; recorded in schema_migrations
  std::string sql;   // may hold several statements
};

// Applies the migrations not yet recorded in schema_migrations, in the given order, each in its
// own transaction under a PostgreSQL advisory lock, so that replicas starting at once apply each
// exactly once. A failed migration leaves nothing behind and returns its error (reason
// MIGRATION_FAILED, the name in the message).
absl::Status Migrate(Pool& pool, const std::vector<Migration>& migrations);

// What every service does at start: open its pool, then bring its schema up to date.
absl::StatusOr<std::unique_ptr<Pool>> OpenAndMigrate(PoolOptions options, const std::vector<Migration>& migrations);

}  // namespace zhongtai::pg
