#include "services/order/store/pg_order_import_store.h"

#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

// Inserts the claim unless the pair is taken; either way answers who holds it. ON CONFLICT DO NOTHING waits for a
// concurrent insert of the same key to commit, so the SELECT after it sees the winner.
constexpr char kClaim[] =
    "INSERT INTO order_imports (channel, external_order_id, order_id, imported_at) "
    "VALUES ($1, $2, $3, ('epoch'::timestamptz + $4::bigint * interval '1 microsecond')) "
    "ON CONFLICT (channel, external_order_id) DO NOTHING";
constexpr char kHolder[] = "SELECT order_id FROM order_imports WHERE channel = $1 AND external_order_id = $2";

constexpr char kReclaim[] =
    "UPDATE order_imports SET order_id = $4 WHERE channel = $1 AND external_order_id = $2 AND order_id = $3";

}  // namespace

absl::StatusOr<std::string> PgOrderImportStore::Claim(const std::string& channel, const std::string& external_order_id,
                                                      const std::string& order_id, absl::Time now) {
  std::string holder;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kClaim, channel, external_order_id, order_id, pg::Micros(now));
    pqxx::result rows = tx.exec_params(kHolder, channel, external_order_id);
    if (rows.empty()) return Aborted("IMPORT_IN_PROGRESS", "the import claim moved while reading it; retry");
    holder = rows[0][0].as<std::string>();
    return absl::OkStatus();
  }));
  return holder;
}

absl::StatusOr<bool> PgOrderImportStore::Reclaim(const std::string& channel, const std::string& external_order_id,
                                                 const std::string& failed_order_id, const std::string& order_id) {
  bool moved = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    moved = tx.exec_params(kReclaim, channel, external_order_id, failed_order_id, order_id).affected_rows() == 1;
    return absl::OkStatus();
  }));
  return moved;
}

}  // namespace zhongtai::order
