#include "services/product/domain/settlement.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

absl::StatusOr<std::vector<SettlementMove>> SplitSettlement(const Reservation& reservation, int64_t confirm_quantity) {
  if (reservation.lines.size() != 1) {
    return FailedPrecondition("RESERVATION_MISMATCH", "only a reservation of one SKU can be settled by quantity");
  }
  if (confirm_quantity < 0) {
    return InvalidArgument("confirmQuantity", "QUANTITY_NEGATIVE", "confirm quantity must not be negative");
  }
  if (confirm_quantity > reservation.lines[0].quantity) {
    return InvalidArgument("confirmQuantity", "QUANTITY_TOO_LARGE", "confirm quantity exceeds what is reserved");
  }
  std::vector<SettlementMove> moves;
  int64_t left = confirm_quantity;
  for (const Allocation& allocation : reservation.allocations) {
    const int64_t confirmed = std::min(left, allocation.quantity);
    left -= confirmed;
    moves.push_back({allocation, confirmed, allocation.quantity - confirmed});
  }
  return moves;
}

absl::StatusOr<std::vector<ResizeMove>> PlanResize(const Reservation& reservation, int64_t new_quantity,
                                                   const std::vector<ResizeSource>& sources) {
  if (reservation.lines.size() != 1) {
    return FailedPrecondition("RESERVATION_MISMATCH", "only a reservation of one SKU can be resized");
  }
  if (new_quantity <= 0) {
    return InvalidArgument("quantity", "QUANTITY_NOT_POSITIVE", "the new quantity must be positive");
  }
  const std::string& sku = reservation.lines[0].sku_id;
  int64_t delta = new_quantity - reservation.lines[0].quantity;
  std::map<std::string, int64_t> moves;  // warehouse -> delta; std::string order is byte order
  if (delta < 0) {
    for (auto it = reservation.allocations.rbegin(); it != reservation.allocations.rend() && delta < 0; ++it) {
      const int64_t given = std::min(-delta, it->quantity);
      moves[it->warehouse_id] -= given;
      delta += given;
    }
  } else if (delta > 0) {
    std::map<std::string, int64_t> available;
    for (const ResizeSource& s : sources) available[s.warehouse_id] = std::max<int64_t>(s.available, 0);
    std::vector<std::string> order;
    for (const Allocation& a : reservation.allocations) order.push_back(a.warehouse_id);
    for (const ResizeSource& s : sources) {
      if (std::find(order.begin(), order.end(), s.warehouse_id) == order.end()) order.push_back(s.warehouse_id);
    }
    for (const std::string& warehouse : order) {
      if (delta == 0) break;
      const int64_t taken = std::min(delta, available[warehouse]);
      if (taken == 0) continue;
      moves[warehouse] += taken;
      delta -= taken;
    }
    if (delta > 0) {
      return FailedPrecondition("INSUFFICIENT_STOCK",
                                absl::StrCat("not enough stock for sku ", sku, ": ", delta, " more units needed"));
    }
  }
  std::vector<ResizeMove> planned;
  for (const auto& [warehouse, d] : moves) {
    if (d != 0) planned.push_back({sku, warehouse, d});
  }
  return planned;
}

}  // namespace zhongtai::product
