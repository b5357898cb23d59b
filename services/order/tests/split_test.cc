// Splitting by warehouse without a database: an example, and property checks over many random orders that the
// children always sum exactly to the parent, amount by amount, and hold exactly the quantities allocated.
#include "services/order/domain/split.h"

#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "common/status/status.h"

namespace zhongtai::order {
namespace {

OrderLine Line(std::string sku, int64_t quantity, int64_t unit_price, int64_t discount, int64_t points) {
  OrderLine line;
  line.sku_id = std::move(sku);
  line.quantity = quantity;
  line.unit_price = unit_price;
  line.subtotal = unit_price * quantity;
  line.discount = discount;
  line.total = line.subtotal - discount;
  line.points_deduction = points;
  return line;
}

void Total(Order& order) {
  order.subtotal = order.discount = order.points_deduction = 0;
  for (const OrderLine& line : order.lines) {
    order.subtotal += line.subtotal;
    order.discount += line.discount;
    order.points_deduction += line.points_deduction;
  }
  order.total = order.subtotal - order.discount + order.shipping_fee - order.points_deduction;
}

TEST_CASE("one warehouse: no child orders, the order names the warehouse") {
  Order order;
  order.order_id = "o1";
  order.lines = {Line("a", 2, 1000, 100, 0)};
  Total(order);
  REQUIRE(SplitByWarehouse({{"a", "wh-1", 2}}, order).ok());
  CHECK(order.children.empty());
  CHECK(order.warehouse_id == "wh-1");
}

TEST_CASE("a line held in two warehouses becomes a line in each, with shares by quantity") {
  Order order;
  order.order_id = "o1";
  order.lines = {Line("a", 3, 1000, 100, 50), Line("b", 1, 500, 0, 0)};
  order.shipping_fee = 1000;
  Total(order);
  REQUIRE(SplitByWarehouse({{"a", "wh-2", 1}, {"a", "wh-1", 2}, {"b", "wh-2", 1}}, order).ok());
  REQUIRE(order.children.size() == 2);
  const ChildOrder& first = order.children[0];
  const ChildOrder& second = order.children[1];
  CHECK(first.child_order_id == "o1-1");
  CHECK(first.warehouse_id == "wh-1");
  REQUIRE(first.lines.size() == 1);
  CHECK(first.lines[0].quantity == 2);
  CHECK(first.lines[0].subtotal == 2000);
  CHECK(first.lines[0].discount == 67);  // 100 by 2:1, the larger remainder to the larger part
  CHECK(second.lines.size() == 2);
  CHECK(second.lines[0].discount == 33);
  CHECK(first.shipping_fee + second.shipping_fee == 1000);
  CHECK(first.total + second.total == order.total);
}

TEST_CASE("allocations that do not hold exactly the order's lines are refused") {
  Order order;
  order.order_id = "o1";
  order.lines = {Line("a", 3, 1000, 0, 0)};
  Total(order);
  CHECK(ReasonOf(SplitByWarehouse({{"a", "wh-1", 2}}, order)) == "ALLOCATION_MISMATCH");
  CHECK(ReasonOf(SplitByWarehouse({{"a", "wh-1", 3}, {"z", "wh-2", 1}}, order)) == "ALLOCATION_MISMATCH");
}

TEST_CASE("property: child orders sum exactly to the parent, amount by amount, for random orders") {
  std::mt19937_64 random(20261203);
  auto between = [&](int64_t low, int64_t high) { return std::uniform_int_distribution<int64_t>(low, high)(random); };
  for (int round = 0; round < 2000; ++round) {
    Order order;
    order.order_id = "o" + std::to_string(round);
    std::vector<StockAllocation> allocations;
    int warehouses = static_cast<int>(between(2, 5));
    int lines = static_cast<int>(between(1, 6));
    for (int i = 0; i < lines; ++i) {
      int64_t quantity = between(1, 20);
      int64_t unit_price = between(0, 100000);
      int64_t subtotal = unit_price * quantity;
      int64_t discount = between(0, subtotal);
      int64_t points = between(0, (subtotal - discount) / 2);
      std::string sku = "sku-" + std::to_string(i);
      order.lines.push_back(Line(sku, quantity, unit_price, discount, points));
      // Spread the quantity over random warehouses.
      int64_t left = quantity;
      while (left > 0) {
        int64_t part = between(1, left);
        allocations.push_back({sku, "wh-" + std::to_string(between(1, warehouses)), part});
        left -= part;
      }
    }
    order.shipping_fee = between(0, 3000);
    Total(order);
    INFO("round " << round);
    REQUIRE(SplitByWarehouse(allocations, order).ok());
    if (order.children.empty()) {
      CHECK(!order.warehouse_id.empty());  // every allocation happened to land in one warehouse
      continue;
    }

    std::map<std::string, int64_t> allocated;  // warehouse|sku -> quantity
    for (const StockAllocation& a : allocations) allocated[a.warehouse_id + "|" + a.sku_id] += a.quantity;
    std::map<std::string, int64_t> in_children;
    int64_t subtotal = 0, discount = 0, shipping = 0, points = 0, total = 0;
    std::map<std::string, int64_t> line_discount, line_points;
    for (const ChildOrder& child : order.children) {
      int64_t child_subtotal = 0, child_discount = 0, child_points = 0;
      for (const OrderLine& line : child.lines) {
        in_children[child.warehouse_id + "|" + line.sku_id] += line.quantity;
        CHECK(line.subtotal == line.unit_price * line.quantity);
        CHECK(line.discount >= 0);
        CHECK(line.discount <= line.subtotal);
        CHECK(line.total == line.subtotal - line.discount);
        line_discount[line.sku_id] += line.discount;
        line_points[line.sku_id] += line.points_deduction;
        child_subtotal += line.subtotal;
        child_discount += line.discount;
        child_points += line.points_deduction;
      }
      CHECK(child.subtotal == child_subtotal);
      CHECK(child.discount == child_discount);
      CHECK(child.points_deduction == child_points);
      CHECK(child.shipping_fee >= 0);
      CHECK(child.total == child.subtotal - child.discount + child.shipping_fee - child.points_deduction);
      subtotal += child.subtotal;
      discount += child.discount;
      shipping += child.shipping_fee;
      points += child.points_deduction;
      total += child.total;
    }
    CHECK(in_children == allocated);
    for (const OrderLine& line : order.lines) {
      CHECK(line_discount[line.sku_id] == line.discount);
      CHECK(line_points[line.sku_id] == line.points_deduction);
    }
    CHECK(subtotal == order.subtotal);
    CHECK(discount == order.discount);
    CHECK(shipping == order.shipping_fee);
    CHECK(points == order.points_deduction);
    CHECK(total == order.total);
  }
}

}  // namespace
}  // namespace zhongtai::order
