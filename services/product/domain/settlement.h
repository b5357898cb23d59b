// Settling a reservation that was held for a whole sale (a flash sale's quantity, keyed by the sale id): when the
// sale is over, the units sold leave stock as confirmed and the rest is available again, in one step.
#pragma once

#include <cstdint>
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

}  // namespace zhongtai::product
