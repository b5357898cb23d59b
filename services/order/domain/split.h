// Splitting an order by the warehouses its stock was reserved in: one child order per warehouse, each with its lines
// (a line held in two warehouses becomes a line in each) and its share of the discount, the points and the shipping
// fee. Every amount is split by largest remainder (common/money), so the children sum exactly to the parent.
#pragma once

#include <vector>

#include "absl/status/status.h"
#include "services/order/domain/order.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

// Fills `order`'s children (child ids "<order id>-1", "-2", ... in warehouse id order) when the allocations span
// several warehouses, or its warehouse_id when they name one; does nothing without allocations. A line's amounts are
// split over its warehouses by quantity, the shipping fee over the children by their goods (subtotal - discount).
// INTERNAL ALLOCATION_MISMATCH when the allocations do not hold exactly the order's lines.
absl::Status SplitByWarehouse(const std::vector<StockAllocation>& allocations, Order& order);

}  // namespace zhongtai::order
