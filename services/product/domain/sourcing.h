// Sourcing: which warehouses a reservation line takes its stock from, given where the order ships.
// PgProductStore::Reserve applies the same rule in SQL; a store test checks that the two agree.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/product/domain/model.h"
#include "services/product/domain/warehouses.h"

namespace zhongtai::product {

// The warehouses that may ship to `region` (Serves()), in the order sourcing tries them: front before
// regional before central, then the smaller priority, then the warehouse id (byte order).
std::vector<Warehouse> SourcingOrder(std::vector<Warehouse> warehouses, const ShippingRegion& region);

// Splits `quantity` of one SKU over `eligible` (in sourcing order; `levels` holds the SKU's stock per
// warehouse, any order, missing ones have none): all of it from the first warehouse whose available stock
// covers it, so that a line ships as one parcel when it can; otherwise from each warehouse in order as much
// as it has until the line is covered. Allocations in sourcing order. FAILED_PRECONDITION
// INSUFFICIENT_STOCK naming the SKU when the eligible warehouses together cannot cover it.
absl::StatusOr<std::vector<Allocation>> SourceLine(const std::string& sku_id, int64_t quantity,
                                                   const std::vector<StockLevel>& levels,
                                                   const std::vector<Warehouse>& eligible);

}  // namespace zhongtai::product
