#include "services/order/domain/refund_shares.h"

#include <algorithm>

namespace zhongtai::order {
namespace {

RefundableLine FromOrderLine(const OrderLine& line, const std::string& child_order_id,
                             const std::string& warehouse_id) {
  RefundableLine out;
  out.child_order_id = child_order_id;
  out.warehouse_id = warehouse_id;
  out.sku_id = line.sku_id;
  out.quantity = line.quantity;
  out.cash = line.total - line.points_deduction;
  out.points = line.points_deduction;
  return out;
}

int64_t Remaining(int64_t amount, int64_t claimed_before, int64_t claimed_units, int64_t quantity, int64_t of_units) {
  int64_t after = EvenShare(amount, claimed_units + quantity, of_units);
  return std::clamp<int64_t>(after - claimed_before, 0, std::max<int64_t>(amount - claimed_before, 0));
}

}  // namespace

std::vector<RefundableLine> RefundableLines(const Order& order, const std::string& child_order_id) {
  std::vector<RefundableLine> out;
  if (order.children.empty()) {
    if (!child_order_id.empty()) return out;
    for (const OrderLine& line : order.lines) out.push_back(FromOrderLine(line, "", order.warehouse_id));
    return out;
  }
  for (const ChildOrder& child : order.children) {
    if (child.child_order_id != child_order_id) continue;
    for (const OrderLine& line : child.lines)
      out.push_back(FromOrderLine(line, child.child_order_id, child.warehouse_id));
  }
  return out;
}

std::vector<RefundableLine> AllRefundableLines(const Order& order) {
  if (order.children.empty()) return RefundableLines(order, "");
  std::vector<RefundableLine> out;
  for (const ChildOrder& child : order.children) {
    std::vector<RefundableLine> lines = RefundableLines(order, child.child_order_id);
    out.insert(out.end(), lines.begin(), lines.end());
  }
  return out;
}

int64_t EvenShare(int64_t amount, int64_t units, int64_t of_units) {
  if (of_units <= 0 || units <= 0) return 0;
  if (units >= of_units) return amount;
  return amount * units / of_units;
}

LineRefund RefundForUnits(const RefundableLine& line, const ClaimedOnLine& claimed, int64_t quantity) {
  LineRefund refund;
  refund.cash = Remaining(line.cash, claimed.cash, claimed.quantity, quantity, line.quantity);
  refund.points = Remaining(line.points, claimed.points, claimed.quantity, quantity, line.quantity);
  return refund;
}

}  // namespace zhongtai::order
