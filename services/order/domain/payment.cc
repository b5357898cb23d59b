#include "services/order/domain/payment.h"

#include "absl/strings/str_cat.h"

namespace zhongtai::order {

const char* AttemptStatusName(AttemptStatus status) {
  switch (status) {
    case AttemptStatus::kCreated: return "CREATED";
    case AttemptStatus::kAwaitingBuyer: return "AWAITING_BUYER";
    case AttemptStatus::kSucceeded: return "SUCCEEDED";
    case AttemptStatus::kDeclined: return "DECLINED";
    case AttemptStatus::kClosed: return "CLOSED";
    case AttemptStatus::kRefundDue: return "REFUND_DUE";
    case AttemptStatus::kRefunded: return "REFUNDED";
  }
  return "CREATED";
}

bool ParseAttemptStatus(const std::string& name, AttemptStatus* status) {
  for (AttemptStatus s :
       {AttemptStatus::kCreated, AttemptStatus::kAwaitingBuyer, AttemptStatus::kSucceeded, AttemptStatus::kDeclined,
        AttemptStatus::kClosed, AttemptStatus::kRefundDue, AttemptStatus::kRefunded}) {
    if (name == AttemptStatusName(s)) {
      *status = s;
      return true;
    }
  }
  return false;
}

bool IsOutcomeUnknown(AttemptStatus status) {
  return status == AttemptStatus::kCreated || status == AttemptStatus::kAwaitingBuyer;
}

bool NeedsSweep(AttemptStatus status, absl::Time updated_at, OrderStatus order_status, absl::Time stale_before) {
  if (IsOutcomeUnknown(status)) return updated_at < stale_before;
  if (status == AttemptStatus::kSucceeded) return order_status == OrderStatus::kPaying;
  return status == AttemptStatus::kRefundDue;
}

std::string AutomaticRefundId(const PaymentAttempt& attempt) {
  return absl::StrCat(attempt.order_id, "-refund-", attempt.attempt_no);
}

}  // namespace zhongtai::order
