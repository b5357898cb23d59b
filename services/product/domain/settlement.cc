#include "services/product/domain/settlement.h"

#include <algorithm>

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

}  // namespace zhongtai::product
