// The order and its state machine. Internal states CREATING, PAYING and FAILED exist so that every
// step that crosses a service boundary is claimed in the database first: a retry, a concurrent
// duplicate or a crash half way can always tell where the order stands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhongtai::order {

enum class OrderStatus {
  kCreating,        // saga running: not yet visible to the buyer
  kPendingPayment,  // stock held, waiting for payment until pay_deadline
  kPaying,          // payment claimed this order; shown as pending payment
  kPaid,
  kCancelled,
  kFailed,  // the saga failed and was undone: never visible to the buyer
};

const char* StatusName(OrderStatus status);
bool ParseStatus(const std::string& name, OrderStatus* status);
// Whether the buyer can see this order (GetOrder, ListOrders).
bool IsVisible(OrderStatus status);

struct LineRequest {
  std::string sku_id;
  int64_t quantity = 0;
};

struct OrderLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  int64_t subtotal = 0;
  int64_t discount = 0;  // this line's share of the order discount
  int64_t total = 0;
};

struct StatusChange {
  OrderStatus status;
  absl::Time at;
  std::string reason;
};

struct Order {
  std::string order_id;
  std::string user_id;
  std::string request_id;
  // Canonical form of the request, so that a reused idempotency key with a different body is refused.
  std::string request_fingerprint;
  OrderStatus status = OrderStatus::kCreating;
  std::string channel;
  std::string currency = "CNY";
  std::vector<OrderLine> lines;
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  absl::Time created_at;
  absl::Time pay_deadline;
  std::vector<StatusChange> history;
  // For FAILED orders: the error the first attempt returned, replayed to retries with the same key.
  int failure_code = 0;
  std::string failure_reason;
  std::string failure_message;
};

}  // namespace zhongtai::order
