// PgStockStore, stock operations and the ledger: inbound, outbound, transfer and stocktake, each one
// transaction that locks its stock rows, applies PlanOperation() of stock_ledger.h and writes a ledger row
// per movement; and the ledger as keyset pages.
#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/pg/arrays.h"
#include "common/status/status.h"
#include "services/product/store/pg_stock_events.h"
#include "services/product/store/pg_stock_store.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg::TextArrayLiteral;
using pg_store::FromMicros;
using pg_store::IsUniqueViolation;
using pg_store::Micros;

// The idempotency gate of an operation with a request id: $1 request id, $2 the operation's fingerprint,
// $3 now (Unix micros). Nothing comes back for an id used before; a concurrent first use makes this wait
// until that transaction ends.
constexpr char kClaimRequestSql[] =
    "INSERT INTO stock_requests (request_id, operation, created_at) VALUES ($1, $2, zt_ts($3)) "
    "ON CONFLICT (request_id) DO NOTHING RETURNING request_id";
// What an earlier use of the request id did: $1 request id.
constexpr char kRequestOperationSql[] = "SELECT operation FROM stock_requests WHERE request_id = $1";
// The levels its movements left, in movement order: $1 request id.
constexpr char kRequestLevelsSql[] =
    "SELECT sku_id, warehouse_id, on_hand_after, reserved_after FROM stock_ledger "
    "WHERE request_id = $1 AND kind IN ('inbound', 'outbound', 'transfer_out', 'transfer_in', 'stocktake') "
    "ORDER BY entry_id";
// $1 SKU id.
constexpr char kSkuExistsSql[] = "SELECT 1 FROM skus WHERE sku_id = $1";
// Which of the warehouses $1 (text[]) exist.
constexpr char kExistingWarehousesSql[] = "SELECT warehouse_id FROM warehouses WHERE warehouse_id = ANY ($1::text[])";
// The stock row of a warehouse the SKU has none in yet: $1 SKU id, $2 warehouse id, $3 now (Unix micros).
constexpr char kEnsureStockRowSql[] =
    "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, 0, 0, zt_ts($3)) "
    "ON CONFLICT (sku_id, warehouse_id) DO NOTHING";
// The rows of one SKU in the warehouses $2 (text[]), locked in the global order: $1 SKU id.
constexpr char kLockStockRowsSql[] =
    "SELECT warehouse_id, on_hand, reserved FROM stock WHERE sku_id = $1 AND warehouse_id = ANY ($2::text[]) "
    "ORDER BY warehouse_id COLLATE \"C\" FOR NO KEY UPDATE";
// One movement on a locked row: $1 SKU id, $2 warehouse id, $3 on-hand delta, $4 now. The CHECK constraints
// back PlanOperation() up.
constexpr char kMoveStockSql[] =
    "UPDATE stock SET on_hand = on_hand + $3, updated_at = zt_ts($4) WHERE sku_id = $1 AND warehouse_id = $2 "
    "RETURNING on_hand, reserved";
// Its ledger row: $1 SKU id, $2 warehouse id, $3 kind, $4 on-hand delta, $5/$6 on hand/reserved after,
// $7 request id ('' for none), $8 reason, $9 reference, $10 actor, $11 now (Unix micros).
constexpr char kInsertLedgerSql[] =
    "INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, "
    "reserved_after, request_id, reason, reference, actor, created_at) "
    "VALUES ($1, $2, $3, $4, 0, $5, $6, NULLIF($7, ''), $8, $9, $10, zt_ts($11)) RETURNING entry_id";

// A page of the ledger, newest first: $1 SKU id ('' any), $2 warehouse id ('' any), $3/$4 created in
// [from, to) (Unix micros), $5 only entries older than this id (0: from the newest), $6 limit. A
// reservation movement's reference is its order id.
constexpr char kListLedgerSql[] =
    "SELECT entry_id, sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, reserved_after, "
    "CASE WHEN reference <> '' THEN reference ELSE COALESCE(order_id, '') END, COALESCE(request_id, ''), reason, "
    "actor, zt_micros(created_at) FROM stock_ledger "
    "WHERE ($1 = '' OR sku_id = $1) AND ($2 = '' OR warehouse_id = $2) "
    "AND created_at >= zt_ts($3) AND created_at < zt_ts($4) AND ($5 = 0 OR entry_id < $5) "
    "ORDER BY entry_id DESC LIMIT $6";

std::string Fingerprint(const StockOperation& op) {
  return absl::StrCat(StockOperationName(op.kind), "|", op.sku_id, "|", op.warehouse_id, "|", op.to_warehouse_id, "|",
                      op.quantity);
}

// Times outside what the ledger can hold, clamped so that they convert to timestamps.
int64_t ClampedMicros(absl::Time t) {
  static const absl::Time kEarliest = absl::FromCivil(absl::CivilSecond(1970, 1, 1), absl::UTCTimeZone());
  static const absl::Time kLatest = absl::FromCivil(absl::CivilSecond(9999, 1, 1), absl::UTCTimeZone());
  return Micros(std::min(std::max(t, kEarliest), kLatest));
}

}  // namespace

absl::StatusOr<std::vector<StockLevel>> PgStockStore::ApplyOperation(const StockOperation& op, absl::Time now) {
  const std::string fingerprint = Fingerprint(op);
  auto replay = [&](pqxx::work& tx) -> absl::StatusOr<std::vector<StockLevel>> {
    pqxx::result first = tx.exec_params(kRequestOperationSql, op.request_id);
    if (first.empty()) return Aborted("REQUEST_RACE", "the first use of this request id did not commit; retry");
    if (first[0][0].as<std::string>() != fingerprint) {
      return FailedPrecondition("REQUEST_ID_REUSED", "request id was used for a different stock operation");
    }
    std::vector<StockLevel> levels;
    for (const auto& row : tx.exec_params(kRequestLevelsSql, op.request_id)) {
      levels.push_back(
          {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>(), row[3].as<int64_t>()});
    }
    return levels;
  };
  std::vector<StockLevel> result;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    result.clear();
    if (!op.request_id.empty() && tx.exec_params(kClaimRequestSql, op.request_id, fingerprint, Micros(now)).empty()) {
      ASSIGN_OR_RETURN(result, replay(tx));
      return absl::OkStatus();
    }
    if (tx.exec_params(kSkuExistsSql, op.sku_id).empty()) {
      return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", op.sku_id, " does not exist"));
    }
    const bool transfer = op.kind == StockOperationKind::kTransfer;
    std::vector<std::string> warehouses = {op.warehouse_id};
    if (transfer) warehouses.push_back(op.to_warehouse_id);
    std::vector<std::string> known;
    for (const auto& row : tx.exec_params(kExistingWarehousesSql, TextArrayLiteral(warehouses))) {
      known.push_back(row[0].as<std::string>());
    }
    for (size_t i = 0; i < warehouses.size(); ++i) {
      if (std::find(known.begin(), known.end(), warehouses[i]) == known.end()) {
        return Error(absl::StatusCode::kNotFound, "WAREHOUSE_NOT_FOUND",
                     absl::StrCat("warehouse ", warehouses[i], " does not exist"),
                     i == 0 ? (transfer ? "fromWarehouseId" : "warehouseId") : "toWarehouseId");
      }
    }
    // The row that receives goods may not exist yet; the one that gives them has none to give if missing.
    const std::string& receiving = transfer ? op.to_warehouse_id : op.warehouse_id;
    tx.exec_params(kEnsureStockRowSql, op.sku_id, receiving, Micros(now));
    StockLevel from{op.sku_id, op.warehouse_id, 0, 0}, to{op.sku_id, op.to_warehouse_id, 0, 0};
    for (const auto& row : tx.exec_params(kLockStockRowsSql, op.sku_id, TextArrayLiteral(warehouses))) {
      StockLevel& level = row[0].as<std::string>() == op.warehouse_id ? from : to;
      level.on_hand = row[1].as<int64_t>();
      level.reserved = row[2].as<int64_t>();
    }
    ASSIGN_OR_RETURN(std::vector<StockMovement> movements, PlanOperation(op, from, to));
    std::vector<int64_t> entries;
    for (const StockMovement& m : movements) {
      pqxx::result moved = tx.exec_params(kMoveStockSql, m.sku_id, m.warehouse_id, m.on_hand_delta, Micros(now));
      if (moved.empty()) return Internal("STOCK_ROW_MISSING", "a locked stock row vanished");
      StockLevel after{m.sku_id, m.warehouse_id, moved[0][0].as<int64_t>(), moved[0][1].as<int64_t>()};
      entries.push_back(tx.exec_params(kInsertLedgerSql, m.sku_id, m.warehouse_id, m.kind, m.on_hand_delta,
                                       after.on_hand, after.reserved, op.request_id, op.reason, op.reference, op.actor,
                                       Micros(now))[0][0]
                            .as<int64_t>());
      result.push_back(after);
    }
    // Each movement that changed on hand is a StockChanged event (pg_stock_events.h).
    return pg_store::PublishStockMovements(tx, entries);
  });
  if (IsUniqueViolation(status) && !op.request_id.empty()) {
    // Cannot normally happen (the gate waits), but a replay is the right answer if it does.
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
      ASSIGN_OR_RETURN(result, replay(tx));
      return absl::OkStatus();
    }));
    return result;
  }
  RETURN_IF_ERROR(status);
  return result;
}

absl::StatusOr<std::vector<LedgerEntry>> PgStockStore::ListLedger(const LedgerQuery& query) {
  std::vector<LedgerEntry> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const auto& row : tx.exec_params(kListLedgerSql, query.sku_id, query.warehouse_id, ClampedMicros(query.from),
                                          ClampedMicros(query.to), query.before_entry_id, query.limit)) {
      LedgerEntry e;
      e.entry_id = row[0].as<int64_t>();
      e.sku_id = row[1].as<std::string>();
      e.warehouse_id = row[2].as<std::string>();
      e.kind = row[3].as<std::string>();
      e.on_hand_delta = row[4].as<int64_t>();
      e.reserved_delta = row[5].as<int64_t>();
      e.on_hand_after = row[6].as<int64_t>();
      e.reserved_after = row[7].as<int64_t>();
      e.reference = row[8].as<std::string>();
      e.request_id = row[9].as<std::string>();
      e.reason = row[10].as<std::string>();
      e.actor = row[11].as<std::string>();
      e.created_at = FromMicros(row[12]);
      out.push_back(std::move(e));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::product
