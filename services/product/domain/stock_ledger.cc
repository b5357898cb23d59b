#include "services/product/domain/stock_ledger.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/warehouses.h"

namespace zhongtai::product {
namespace {

constexpr size_t kMaxIdLength = 64;
constexpr size_t kMaxRequestIdLength = 128;
constexpr size_t kMaxTextLength = 200;

absl::Status Within(const std::string& value, const std::string& field, size_t max_length) {
  if (value.size() > max_length) {
    return InvalidArgument(field, "FIELD_TOO_LONG", absl::StrCat(field, " is longer than ", max_length));
  }
  return absl::OkStatus();
}

}  // namespace

const char* StockOperationName(StockOperationKind kind) {
  switch (kind) {
    case StockOperationKind::kInbound: return "inbound";
    case StockOperationKind::kOutbound: return "outbound";
    case StockOperationKind::kTransfer: return "transfer";
    case StockOperationKind::kStocktake: return "stocktake";
  }
  return "unknown";
}

absl::Status ValidateOperation(const StockOperation& op) {
  if (absl::StripAsciiWhitespace(op.sku_id).empty()) {
    return InvalidArgument("skuId", "FIELD_REQUIRED", "skuId is required");
  }
  RETURN_IF_ERROR(Within(op.sku_id, "skuId", kMaxIdLength));
  const bool transfer = op.kind == StockOperationKind::kTransfer;
  RETURN_IF_ERROR(ValidateWarehouseId(op.warehouse_id, transfer ? "fromWarehouseId" : "warehouseId"));
  if (transfer) {
    RETURN_IF_ERROR(ValidateWarehouseId(op.to_warehouse_id, "toWarehouseId"));
    if (op.to_warehouse_id == op.warehouse_id) {
      return InvalidArgument("toWarehouseId", "TRANSFER_TO_SAME_WAREHOUSE",
                             "a transfer moves stock between two warehouses");
    }
  }
  if (op.kind == StockOperationKind::kStocktake) {
    if (op.quantity < 0) return InvalidArgument("quantity", "QUANTITY_NEGATIVE", "a count is 0 or more");
    if (op.quantity > kMaxStockQuantity) {
      return InvalidArgument("quantity", "QUANTITY_TOO_LARGE", "a count is at most 1e9");
    }
  } else {
    if (op.quantity <= 0) return InvalidArgument("quantity", "QUANTITY_NOT_POSITIVE", "quantity must be positive");
    if (op.quantity > kMaxStockQuantity) {
      return InvalidArgument("quantity", "QUANTITY_TOO_LARGE", "quantity must be at most 1e9");
    }
  }
  RETURN_IF_ERROR(Within(op.reason, "reason", kMaxTextLength));
  RETURN_IF_ERROR(Within(op.reference, "reference", kMaxTextLength));
  return Within(op.request_id, "requestId", kMaxRequestIdLength);
}

absl::StatusOr<std::vector<StockMovement>> PlanOperation(const StockOperation& op, const StockLevel& from,
                                                         const StockLevel& to) {
  const std::string where = absl::StrCat("sku ", op.sku_id, " in warehouse ", op.warehouse_id);
  switch (op.kind) {
    case StockOperationKind::kInbound:
      if (from.on_hand + op.quantity > kMaxStockQuantity) {
        return FailedPrecondition("STOCK_LIMIT_EXCEEDED", absl::StrCat("on hand of ", where, " would exceed 1e9"));
      }
      return std::vector<StockMovement>{{op.sku_id, op.warehouse_id, "inbound", op.quantity}};
    case StockOperationKind::kOutbound:
      if (from.on_hand - op.quantity < from.reserved) {
        return FailedPrecondition("STOCK_BELOW_RESERVED",
                                  absl::StrCat("on hand of ", where, " would drop below what is reserved: available ",
                                               from.available(), ", requested ", op.quantity));
      }
      return std::vector<StockMovement>{{op.sku_id, op.warehouse_id, "outbound", -op.quantity}};
    case StockOperationKind::kStocktake:
      if (op.quantity < from.reserved) {
        return FailedPrecondition("STOCK_BELOW_RESERVED",
                                  absl::StrCat("counted ", op.quantity, " of ", where, " but ", from.reserved,
                                               " are reserved; release or confirm those orders first"));
      }
      return std::vector<StockMovement>{{op.sku_id, op.warehouse_id, "stocktake", op.quantity - from.on_hand}};
    case StockOperationKind::kTransfer:
      if (from.available() < op.quantity) {
        return FailedPrecondition("INSUFFICIENT_STOCK", absl::StrCat("not enough stock for sku ", op.sku_id,
                                                                     " in warehouse ", op.warehouse_id, ": requested ",
                                                                     op.quantity, ", available ", from.available()));
      }
      if (to.on_hand + op.quantity > kMaxStockQuantity) {
        return FailedPrecondition("STOCK_LIMIT_EXCEEDED", absl::StrCat("on hand of sku ", op.sku_id, " in warehouse ",
                                                                       op.to_warehouse_id, " would exceed 1e9"));
      }
      return std::vector<StockMovement>{{op.sku_id, op.warehouse_id, "transfer_out", -op.quantity},
                                        {op.sku_id, op.to_warehouse_id, "transfer_in", op.quantity}};
  }
  return std::vector<StockMovement>{};
}

bool LedgerExplains(const std::vector<LedgerEntry>& entries, const StockLevel& level) {
  int64_t on_hand = 0, reserved = 0;
  for (const LedgerEntry& e : entries) {
    on_hand += e.on_hand_delta;
    reserved += e.reserved_delta;
    if (e.on_hand_after != on_hand || e.reserved_after != reserved) return false;
    if (reserved < 0 || on_hand < reserved) return false;
  }
  return on_hand == level.on_hand && reserved == level.reserved;
}

}  // namespace zhongtai::product
