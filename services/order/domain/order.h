// The order and its state machine. Internal states CREATING, PAYING and FAILED exist so that every
// step that crosses a service boundary is claimed in the database first: a retry, a concurrent
// duplicate or a crash half way can always tell where the order stands.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace zhongtai::order {

enum class OrderStatus {
  kCreating,        // saga running: not yet visible to the buyer
  kPendingPayment,  // stock held, waiting for payment until pay_deadline
  kPaying,          // payment claimed this order; shown as pending payment
  kPaid,
  kCancelled,
  kFailed,            // the saga failed and was undone: never visible to the buyer
  kAwaitingShipment,  // paid and its effects applied (stock confirmed, coupon redeemed, points committed)
  kShipped,           // handed to a carrier: carrier and tracking number known
  kDelivered,         // the carrier reported delivery
  kCompleted,         // the buyer confirmed receipt, or the confirmation period ran out
  kClosed,            // fully refunded after payment: nothing left to ship or return
};

const char* StatusName(OrderStatus status);
bool ParseStatus(const std::string& name, OrderStatus* status);
// Whether the buyer can see this order (GetOrder, ListOrders).
bool IsVisible(OrderStatus status);
// Whether the buyer has paid: PAID and every state after it (fulfilment, completion, closed after a refund). Anything
// that treats an order as paid (payment replays, duplicate notifications, refusing a cancel, erasure) uses this.
bool IsPaidOrLater(OrderStatus status);
// Not yet paid and still holding stock, or about to: CREATING, PENDING_PAYMENT, PAYING.
bool IsOpenUnpaid(OrderStatus status);

// Hoarding stock with unpaid orders (OWASP API6): OK while the buyer has fewer than `max_open_orders` open unpaid
// orders (0: no cap); else FAILED_PRECONDITION OPEN_ORDERS_LIMIT_REACHED, saying the limit.
absl::Status CheckOpenOrders(int64_t open_orders, int max_open_orders);

struct LineRequest {
  std::string sku_id;
  int64_t quantity = 0;
};

// Amounts in minor units (fen) of the order's currency.
struct OrderLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  int64_t subtotal = 0;
  int64_t discount = 0;  // this line's share of the order discount (promotions and coupon)
  int64_t total = 0;     // subtotal - discount
  int64_t list_price = 0;
  std::string price_rule;        // what gave unit_price: "list", "member:gold", "scheduled:weekend"
  int64_t points_deduction = 0;  // this line's share of what the points paid
  // Non-empty: a gift (赠品) that this promotion added at unit price 0; it refunds 0 and is reserved with the order.
  std::string gift_promotion_id;
  bool IsGift() const { return !gift_promotion_id.empty(); }
};

// Where the order ships, as the address read when it was placed: editing the address book later never changes it.
struct ShippingAddress {
  std::string address_id;
  std::string recipient_name;
  std::string recipient_phone;
  std::string province_code;
  std::string city_code;
  std::string district_code;
  std::string detail;
};

// The part of an order one warehouse ships. The buyer pays the parent; each part carries its share of the parent's
// discount, shipping fee and points, so that the children's amounts sum exactly to the parent's.
struct ChildOrder {
  std::string child_order_id;
  std::string warehouse_id;
  std::vector<OrderLine> lines;
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t shipping_fee = 0;
  int64_t points_deduction = 0;
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
  int64_t shipping_fee = 0;
  int64_t points_used = 0;       // points spent on the order (1 point pays 1 fen)
  int64_t points_deduction = 0;  // what they paid, in fen
  int64_t total = 0;             // what the buyer pays: subtotal - discount + shipping_fee - points_deduction
  std::string coupon_id;         // empty: none
  ShippingAddress address;
  // The warehouse that ships the whole order, when one does; otherwise the child orders name theirs.
  std::string warehouse_id;
  std::vector<ChildOrder> children;  // empty unless the stock came from several warehouses
  absl::Time created_at;
  absl::Time pay_deadline;
  std::vector<StatusChange> history;
  // Gifts the quote offered that could not be reserved (out of stock, or not on sale): the order was placed without
  // them, and this says so. Empty when every gift is on the order.
  std::string gift_note;
  // For FAILED orders: the error the first attempt returned, replayed to retries with the same key.
  int failure_code = 0;
  std::string failure_reason;
  std::string failure_message;
};

}  // namespace zhongtai::order
