#include "services/order/domain/order.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::order {

bool IsOpenUnpaid(OrderStatus status) {
  return status == OrderStatus::kCreating || status == OrderStatus::kPendingPayment || status == OrderStatus::kPaying;
}

absl::Status CheckOpenOrders(int64_t open_orders, int max_open_orders) {
  if (max_open_orders <= 0 || open_orders < max_open_orders) return absl::OkStatus();
  return FailedPrecondition("OPEN_ORDERS_LIMIT_REACHED",
                            absl::StrCat("you have ", open_orders, " unpaid orders, the most allowed (",
                                         max_open_orders, "): pay or cancel one first"));
}

const char* StatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kCreating: return "CREATING";
    case OrderStatus::kPendingPayment: return "PENDING_PAYMENT";
    case OrderStatus::kPaying: return "PAYING";
    case OrderStatus::kPaid: return "PAID";
    case OrderStatus::kCancelled: return "CANCELLED";
    case OrderStatus::kFailed: return "FAILED";
    case OrderStatus::kAwaitingShipment: return "AWAITING_SHIPMENT";
    case OrderStatus::kShipped: return "SHIPPED";
    case OrderStatus::kDelivered: return "DELIVERED";
    case OrderStatus::kCompleted: return "COMPLETED";
    case OrderStatus::kClosed: return "CLOSED";
  }
  return "FAILED";
}

bool ParseStatus(const std::string& name, OrderStatus* status) {
  for (OrderStatus s :
       {OrderStatus::kCreating, OrderStatus::kPendingPayment, OrderStatus::kPaying, OrderStatus::kPaid,
        OrderStatus::kCancelled, OrderStatus::kFailed, OrderStatus::kAwaitingShipment, OrderStatus::kShipped,
        OrderStatus::kDelivered, OrderStatus::kCompleted, OrderStatus::kClosed}) {
    if (name == StatusName(s)) {
      *status = s;
      return true;
    }
  }
  return false;
}

bool IsVisible(OrderStatus status) { return status != OrderStatus::kCreating && status != OrderStatus::kFailed; }

bool IsPaidOrLater(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPaid:
    case OrderStatus::kAwaitingShipment:
    case OrderStatus::kShipped:
    case OrderStatus::kDelivered:
    case OrderStatus::kCompleted:
    case OrderStatus::kClosed: return true;
    default: return false;
  }
}

}  // namespace zhongtai::order
