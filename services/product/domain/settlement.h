// Settling a reservation that was held for a whole sale (a flash sale's quantity, keyed by the sale id): when the
// sale is over, the units sold leave stock as confirmed and the rest is available again, in one step.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

// What settling moves on one allocation.
struct SettlementMove {
  Allocation allocation;
  int64_t confirmed = 0;  // leave stock (on hand and reserved down)
  int64_t released = 0;   // available again (reserved down)
};

// Splits `confirm_quantity` over the reservation's allocations in their (sku id, warehouse id) order, each taking what
// it holds until the quantity is used up; the rest of every allocation is released. The reservation has one SKU
// (FAILED_PRECONDITION RESERVATION_MISMATCH otherwise). INVALID_ARGUMENT confirmQuantity QUANTITY_NEGATIVE, or
// QUANTITY_TOO_LARGE above what it holds.
absl::StatusOr<std::vector<SettlementMove>> SplitSettlement(const Reservation& reservation, int64_t confirm_quantity);

// What resizing moves on one stock row: `delta` units more (> 0) or fewer (< 0) held there for the reservation.
struct ResizeMove {
  std::string sku_id;
  std::string warehouse_id;
  int64_t delta = 0;
};

// A stock row of the reservation's SKU with what it has available, for an increase.
struct ResizeSource {
  std::string warehouse_id;
  int64_t available = 0;
};

// Resizes a held reservation of one SKU (FAILED_PRECONDITION RESERVATION_MISMATCH otherwise) to `new_quantity`
// (INVALID_ARGUMENT quantity QUANTITY_NOT_POSITIVE when not > 0). A decrease gives units back from the allocations
// in reverse (sku id, warehouse id) order; an increase takes first from the warehouses it already holds in, then
// from `sources` in the order given (the caller passes them in sourcing order), each as much as it has available;
// FAILED_PRECONDITION INSUFFICIENT_STOCK when they cannot cover it. No moves when the size is unchanged. The moves
// come in (sku id, warehouse id) byte order, the order stock rows are locked in.
absl::StatusOr<std::vector<ResizeMove>> PlanResize(const Reservation& reservation, int64_t new_quantity,
                                                   const std::vector<ResizeSource>& sources);

}  // namespace zhongtai::product
