#include "services/product/domain/sourcing.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

std::vector<Warehouse> SourcingOrder(std::vector<Warehouse> warehouses, const ShippingRegion& region) {
  warehouses.erase(
      std::remove_if(warehouses.begin(), warehouses.end(), [&](const Warehouse& w) { return !Serves(w, region); }),
      warehouses.end());
  std::sort(warehouses.begin(), warehouses.end(), [](const Warehouse& a, const Warehouse& b) {
    return std::make_tuple(SourcingRank(a.type), a.priority, a.warehouse_id) <
           std::make_tuple(SourcingRank(b.type), b.priority, b.warehouse_id);
  });
  return warehouses;
}

absl::StatusOr<std::vector<Allocation>> SourceLine(const std::string& sku_id, int64_t quantity,
                                                   const std::vector<StockLevel>& levels,
                                                   const std::vector<Warehouse>& eligible) {
  std::map<std::string, int64_t> available;
  for (const StockLevel& level : levels) available[level.warehouse_id] = level.available();
  std::vector<std::pair<std::string, int64_t>> ordered;  // eligible warehouses with stock, in order
  int64_t total = 0;
  for (const Warehouse& w : eligible) {
    auto it = available.find(w.warehouse_id);
    if (it == available.end() || it->second <= 0) continue;
    ordered.emplace_back(w.warehouse_id, it->second);
    total += it->second;
  }
  if (total < quantity) {
    return FailedPrecondition("INSUFFICIENT_STOCK", absl::StrCat("not enough stock for sku ", sku_id, ": requested ",
                                                                 quantity, ", available ", total));
  }
  for (const auto& [warehouse, has] : ordered) {
    if (has >= quantity) return std::vector<Allocation>{{sku_id, warehouse, quantity}};
  }
  std::vector<Allocation> out;
  int64_t left = quantity;
  for (const auto& [warehouse, has] : ordered) {
    if (left == 0) break;
    int64_t take = std::min(left, has);
    out.push_back({sku_id, warehouse, take});
    left -= take;
  }
  return out;
}

}  // namespace zhongtai::product
