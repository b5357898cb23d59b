#include "services/order/domain/refund_shares.h"

#include <catch2/catch.hpp>
#include <random>

namespace zhongtai::order {
namespace {

RefundableLine Line(int64_t quantity, int64_t cash, int64_t points) {
  RefundableLine line;
  line.sku_id = "sku-a";
  line.quantity = quantity;
  line.cash = cash;
  line.points = points;
  return line;
}

TEST_CASE("units of a line are refunded at an even share and the last unit takes what is left") {
  RefundableLine line = Line(3, 1000, 100);
  ClaimedOnLine claimed;
  LineRefund first = RefundForUnits(line, claimed, 1);
  CHECK(first.cash == 333);
  CHECK(first.points == 33);
  claimed = {1, first.cash, first.points};
  LineRefund second = RefundForUnits(line, claimed, 1);
  CHECK(second.cash == 333);
  claimed = {2, first.cash + second.cash, first.points + second.points};
  LineRefund last = RefundForUnits(line, claimed, 1);
  CHECK(last.cash == 334);
  CHECK(last.points == 34);
  CHECK(RefundForUnits(line, {}, 3).cash == 1000);
}

TEST_CASE("any sequence of partial returns with rejections refunds a line at most once and exactly when all is back") {
  std::mt19937 random(7);
  for (int round = 0; round < 500; ++round) {
    const int64_t quantity = 1 + random() % 12;
    RefundableLine line = Line(quantity, random() % 100000, random() % 3000);
    // Returns that are still standing: (units, cash, points).
    std::vector<ClaimedOnLine> standing;
    auto total = [&] {
      ClaimedOnLine sum;
      for (const ClaimedOnLine& c : standing) {
        sum.quantity += c.quantity;
        sum.cash += c.cash;
        sum.points += c.points;
      }
      return sum;
    };
    for (int step = 0; step < 40; ++step) {
      ClaimedOnLine claimed = total();
      if (!standing.empty() && random() % 4 == 0) {  // a return is rejected: its units may be asked for again
        standing.erase(standing.begin() + random() % standing.size());
        continue;
      }
      const int64_t left = quantity - claimed.quantity;
      if (left == 0) break;
      const int64_t units = 1 + random() % left;
      LineRefund refund = RefundForUnits(line, claimed, units);
      REQUIRE(refund.cash >= 0);
      REQUIRE(refund.points >= 0);
      standing.push_back({units, refund.cash, refund.points});
      ClaimedOnLine after = total();
      REQUIRE(after.cash <= line.cash);
      REQUIRE(after.points <= line.points);
    }
    ClaimedOnLine claimed = total();
    if (claimed.quantity < quantity) {
      LineRefund rest = RefundForUnits(line, claimed, quantity - claimed.quantity);
      claimed.cash += rest.cash;
      claimed.points += rest.points;
    }
    REQUIRE(claimed.cash == line.cash);
    REQUIRE(claimed.points == line.points);
  }
}

TEST_CASE("a split order's lines are refundable per child order with the child's own shares") {
  Order order;
  order.order_id = "o1";
  OrderLine a;
  a.sku_id = "sku-a";
  a.quantity = 2;
  a.total = 1800;
  a.points_deduction = 100;
  order.lines = {a};
  ChildOrder c1, c2;
  c1.child_order_id = "o1-1";
  c1.warehouse_id = "wh-1";
  c2.child_order_id = "o1-2";
  c2.warehouse_id = "wh-2";
  OrderLine half = a;
  half.quantity = 1;
  half.total = 900;
  half.points_deduction = 50;
  c1.lines = {half};
  c2.lines = {half};
  order.children = {c1, c2};
  std::vector<RefundableLine> lines = RefundableLines(order, "o1-2");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].warehouse_id == "wh-2");
  CHECK(lines[0].quantity == 1);
  CHECK(lines[0].cash == 850);
  CHECK(lines[0].points == 50);
  CHECK(RefundableLines(order, "").empty());
  CHECK(AllRefundableLines(order).size() == 2);
}

}  // namespace
}  // namespace zhongtai::order
