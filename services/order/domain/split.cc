#include "services/order/domain/split.h"

#include <algorithm>
#include <map>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/money/apportion.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

absl::Status Mismatch(const std::string& detail) {
  return Error(absl::StatusCode::kInternal, "ALLOCATION_MISMATCH",
               absl::StrCat("the stock reserved does not match the order: ", detail));
}

}  // namespace

absl::Status SplitByWarehouse(const std::vector<StockAllocation>& allocations, Order& order) {
  order.children.clear();
  order.warehouse_id.clear();
  if (allocations.empty()) return absl::OkStatus();

  // sku -> (warehouse -> quantity); warehouses in id order so the split is the same on every replay.
  std::map<std::string, std::map<std::string, int64_t>> held;
  std::map<std::string, size_t> child_of_warehouse;
  for (const StockAllocation& allocation : allocations) {
    if (allocation.quantity <= 0) return Mismatch(absl::StrCat("empty allocation of ", allocation.sku_id));
    held[allocation.sku_id][allocation.warehouse_id] += allocation.quantity;
    child_of_warehouse.emplace(allocation.warehouse_id, 0);
  }
  // A SKU may be on two lines (bought, and added as a gift): the reservation holds their sum.
  std::map<std::string, int64_t> ordered;
  for (const OrderLine& line : order.lines) ordered[line.sku_id] += line.quantity;
  for (const auto& [sku_id, ordered_quantity] : ordered) {
    int64_t quantity = 0;
    for (const auto& [warehouse, q] : held[sku_id]) quantity += q;
    if (quantity != ordered_quantity) {
      return Mismatch(absl::StrCat(sku_id, " ordered ", ordered_quantity, ", held ", quantity));
    }
  }
  if (held.size() != ordered.size()) return Mismatch("a SKU held that is not ordered");
  if (child_of_warehouse.size() == 1) {
    order.warehouse_id = child_of_warehouse.begin()->first;
    return absl::OkStatus();
  }

  std::vector<ChildOrder> children;
  for (auto& [warehouse, index] : child_of_warehouse) {
    index = children.size();
    ChildOrder child;
    child.child_order_id = absl::StrCat(order.order_id, "-", index + 1);
    child.warehouse_id = warehouse;
    children.push_back(std::move(child));
  }
  for (const OrderLine& line : order.lines) {
    // The line takes its units from the SKU's warehouses in id order; a second line of the SKU takes what is left.
    std::vector<std::string> warehouses;
    std::vector<int64_t> quantities;
    int64_t wanted = line.quantity;
    for (auto& [warehouse, q] : held[line.sku_id]) {
      if (wanted == 0) break;
      int64_t take = std::min(wanted, q);
      if (take == 0) continue;
      warehouses.push_back(warehouse);
      quantities.push_back(take);
      q -= take;
      wanted -= take;
    }
    std::vector<int64_t> subtotals = money::Apportion(line.subtotal, quantities);
    std::vector<int64_t> discounts = money::Apportion(line.discount, quantities);
    std::vector<int64_t> points = money::Apportion(line.points_deduction, quantities);
    for (size_t i = 0; i < warehouses.size(); ++i) {
      OrderLine part = line;
      part.quantity = quantities[i];
      part.subtotal = subtotals[i];
      part.discount = discounts[i];
      part.total = subtotals[i] - discounts[i];
      part.points_deduction = points[i];
      ChildOrder& child = children[child_of_warehouse[warehouses[i]]];
      child.subtotal += part.subtotal;
      child.discount += part.discount;
      child.points_deduction += part.points_deduction;
      child.lines.push_back(std::move(part));
    }
  }
  std::vector<int64_t> goods;
  for (const ChildOrder& child : children) goods.push_back(child.subtotal - child.discount);
  std::vector<int64_t> shipping = money::Apportion(order.shipping_fee, goods);
  for (size_t i = 0; i < children.size(); ++i) {
    ChildOrder& child = children[i];
    child.shipping_fee = shipping[i];
    child.total = child.subtotal - child.discount + child.shipping_fee - child.points_deduction;
  }
  order.children = std::move(children);
  return absl::OkStatus();
}

}  // namespace zhongtai::order
