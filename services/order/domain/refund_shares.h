// What a return gives back, from the shares the order kept when it was priced: each line's goods after discounts
// (OrderLine::total) split into what the buyer paid in money and in points (OrderLine::points_deduction). A child
// order's lines carry their own shares (split.h), so a return against a child order refunds exactly that child's.
//
// Units of a line are refunded at an even share of the line's amount: the first n units returned are worth
// floor(amount * n / quantity), and whatever was claimed before is subtracted. However the units are returned (one at
// a time, several at once, with rejected returns in between) the claims on a line never sum to more than it was paid,
// and once every unit is returned they sum to exactly what it was paid.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "services/order/domain/order.h"

namespace zhongtai::order {

// One line a buyer can return: an order line, or a child order's line when the order was split.
struct RefundableLine {
  std::string child_order_id;  // empty when the order was not split
  std::string warehouse_id;    // the warehouse that shipped it (where returned goods go back)
  std::string sku_id;
  int64_t quantity = 0;
  int64_t cash = 0;    // paid in money: total - points_deduction
  int64_t points = 0;  // paid in points (1 point = 1 fen)
};

// What is already claimed on a line by returns that were not rejected.
struct ClaimedOnLine {
  int64_t quantity = 0;
  int64_t cash = 0;
  int64_t points = 0;
};

struct LineRefund {
  int64_t cash = 0;
  int64_t points = 0;
};

// The lines of `child_order_id` (or of the whole order when it was not split and the id is empty).
std::vector<RefundableLine> RefundableLines(const Order& order, const std::string& child_order_id);
// All refundable lines of the order, over every child order.
std::vector<RefundableLine> AllRefundableLines(const Order& order);

// floor(amount * units / of_units), exact (= amount) when units == of_units; 0 when of_units <= 0.
int64_t EvenShare(int64_t amount, int64_t units, int64_t of_units);

// What returning `quantity` more units of `line` refunds, given what was claimed on it before. Never negative, and
// `claimed` plus the result never exceeds the line's amounts.
LineRefund RefundForUnits(const RefundableLine& line, const ClaimedOnLine& claimed, int64_t quantity);

}  // namespace zhongtai::order
