// Stock operations an admin runs (inbound, outbound, transfer, stocktake) and the ledger every movement is
// written to. The rules are pure functions the stores apply under their row locks.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

enum class StockOperationKind {
  kInbound,    // goods in: on hand += quantity
  kOutbound,   // goods out (sold off-platform, damaged, returned to the supplier): on hand -= quantity
  kTransfer,   // from one warehouse to another: available there -= quantity, on hand here += quantity
  kStocktake,  // a count: on hand := quantity
};
// "inbound", "outbound", "transfer", "stocktake".
const char* StockOperationName(StockOperationKind kind);

struct StockOperation {
  StockOperationKind kind = StockOperationKind::kInbound;
  std::string request_id;  // a repeat with the same id returns the first result; empty: not idempotent
  std::string sku_id;
  std::string warehouse_id;     // where (transfer: from where)
  std::string to_warehouse_id;  // transfer only
  int64_t quantity = 0;         // stocktake: the counted quantity
  std::string reason;           // why, free text
  std::string reference;        // the document it follows: delivery note, transfer order, count sheet
  std::string actor;            // the admin who ran it
};

// One row per movement of one stock row, with the level right after it.
struct LedgerEntry {
  int64_t entry_id = 0;
  std::string sku_id;
  std::string warehouse_id;
  // initial, adjust, opening, inbound, outbound, transfer_out, transfer_in, stocktake, reserve, confirm,
  // release, expire.
  std::string kind;
  int64_t on_hand_delta = 0;
  int64_t reserved_delta = 0;
  int64_t on_hand_after = 0;
  int64_t reserved_after = 0;
  std::string reference;  // the operation's reference, or the order id of a reservation movement
  std::string request_id;
  std::string reason;
  std::string actor;
  absl::Time created_at;
};

// A movement the store applies to one stock row (and records with the kind).
struct StockMovement {
  std::string sku_id;
  std::string warehouse_id;
  std::string kind;
  int64_t on_hand_delta = 0;
};

inline constexpr int64_t kMaxStockQuantity = 1000000000;

// Input checks, fields named as in the API (skuId, warehouseId, toWarehouseId, quantity, reason, reference,
// requestId): FIELD_REQUIRED, INVALID_WAREHOUSE_ID, QUANTITY_NOT_POSITIVE (stocktake: QUANTITY_NEGATIVE),
// QUANTITY_TOO_LARGE, TRANSFER_TO_SAME_WAREHOUSE, FIELD_TOO_LONG.
absl::Status ValidateOperation(const StockOperation& op);

// The movements of `op` given the current levels of the rows it touches (`from`: warehouse_id's row,
// `to`: to_warehouse_id's row for a transfer, zero when the SKU has none there yet). Keeps on hand >=
// reserved >= 0 in every row: FAILED_PRECONDITION STOCK_BELOW_RESERVED when an outbound or a count would
// leave less on hand than is reserved, INSUFFICIENT_STOCK when a transfer asks for more than is available.
// A stocktake that finds what the books say still records a movement of zero (the count happened).
absl::StatusOr<std::vector<StockMovement>> PlanOperation(const StockOperation& op, const StockLevel& from,
                                                         const StockLevel& to);

// A page of the ledger: newest entries after the cursor, filters optional.
struct LedgerQuery {
  std::string sku_id;
  std::string warehouse_id;
  absl::Time from = absl::InfinitePast();  // created at or after
  absl::Time to = absl::InfiniteFuture();  // created before
  int64_t before_entry_id = 0;             // keyset cursor: entries with a smaller id; 0 = from the newest
  int limit = 50;
};

// Whether the entries of one stock row explain its level: the deltas sum to it and each entry's level
// follows from the one before. For tests and audits.
bool LedgerExplains(const std::vector<LedgerEntry>& entries_oldest_first, const StockLevel& level);

}  // namespace zhongtai::product
