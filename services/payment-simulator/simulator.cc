#include "services/payment-simulator/simulator.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace zhongtai::paysim {
namespace {

constexpr char kProviderCodePayload[] = "zhongtai.paysim.code";

// The provider's own error codes (README.md), which its merchants see; not the suite's API error reasons.
absl::Status Refusal(absl::StatusCode code, absl::string_view provider_code, absl::string_view message) {
  absl::Status status(code, message);
  status.SetPayload(kProviderCodePayload, absl::Cord(provider_code));
  return status;
}

}  // namespace

std::string ProviderCodeOf(const absl::Status& status) {
  absl::optional<absl::Cord> code = status.GetPayload(kProviderCodePayload);
  return code.has_value() ? std::string(*code) : "";
}

const char* PaymentStatusName(PaymentStatus status) {
  switch (status) {
    case PaymentStatus::kPending: return "PENDING";
    case PaymentStatus::kSucceeded: return "SUCCEEDED";
    case PaymentStatus::kDeclined: return "DECLINED";
    case PaymentStatus::kClosed: return "CLOSED";
  }
  return "PENDING";
}

absl::StatusOr<Payment> Simulator::Create(const std::string& order_id, int64_t amount, const std::string& currency) {
  if (order_id.empty() || order_id.size() > 128) {
    return Refusal(absl::StatusCode::kInvalidArgument, "ORDER_ID_INVALID", "orderId must be 1 to 128 characters");
  }
  if (amount <= 0)
    return Refusal(absl::StatusCode::kInvalidArgument, "AMOUNT_NOT_POSITIVE", "amountMinor must be positive");
  if (currency.size() != 3)
    return Refusal(absl::StatusCode::kInvalidArgument, "CURRENCY_INVALID", "currency is a 3-letter code");
  std::lock_guard<std::mutex> lock(mu_);
  auto it = payments_.find(order_id);
  if (it != payments_.end() && it->second.status != PaymentStatus::kDeclined) {
    if (it->second.amount != amount || it->second.currency != currency) {
      return Refusal(absl::StatusCode::kFailedPrecondition, "AMOUNT_MISMATCH",
                     "this order id already has a payment of another amount");
    }
    return it->second;
  }
  Payment payment;
  payment.order_id = order_id;
  payment.payment_id = absl::StrCat("sim_", absl::ToUnixMillis(clock_.Now()), "_", ++next_payment_);
  payment.amount = amount;
  payment.currency = currency;
  payment.pay_url = absl::StrCat(pay_url_base_, "/v1/payments/", order_id, ":pay");
  payment.created_at = clock_.Now();
  payments_[order_id] = payment;
  return payment;
}

absl::StatusOr<Payment> Simulator::Get(const std::string& order_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = payments_.find(order_id);
  if (it == payments_.end())
    return Refusal(absl::StatusCode::kNotFound, "PAYMENT_NOT_FOUND", "no payment for this order id");
  return it->second;
}

absl::StatusOr<Payment> Simulator::BuyerPays(const std::string& order_id, bool* changed) {
  *changed = false;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = payments_.find(order_id);
  if (it == payments_.end())
    return Refusal(absl::StatusCode::kNotFound, "PAYMENT_NOT_FOUND", "no payment for this order id");
  Payment& payment = it->second;
  if (payment.status == PaymentStatus::kSucceeded) return payment;
  if (payment.status != PaymentStatus::kPending) {
    return Refusal(absl::StatusCode::kFailedPrecondition, "PAYMENT_NOT_PAYABLE",
                   absl::StrCat("the payment is ", PaymentStatusName(payment.status)));
  }
  auto control = per_order_.find(order_id);
  bool decline = control != per_order_.end() ? control->second.decline : global_.decline;
  if (decline) {
    payment.status = PaymentStatus::kDeclined;
    payment.decline_reason = "INSUFFICIENT_BALANCE";
  } else {
    payment.status = PaymentStatus::kSucceeded;
    payment.paid_at = clock_.Now();
  }
  *changed = true;
  return payment;
}

absl::StatusOr<Payment> Simulator::Close(const std::string& order_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = payments_.find(order_id);
  if (it == payments_.end())
    return Refusal(absl::StatusCode::kNotFound, "PAYMENT_NOT_FOUND", "no payment for this order id");
  if (it->second.status == PaymentStatus::kPending) it->second.status = PaymentStatus::kClosed;
  return it->second;
}

absl::StatusOr<Refund> Simulator::RefundPayment(const std::string& order_id, const std::string& refund_id,
                                                int64_t amount) {
  if (refund_id.empty() || refund_id.size() > 128) {
    return Refusal(absl::StatusCode::kInvalidArgument, "REFUND_ID_INVALID", "refundId must be 1 to 128 characters");
  }
  if (amount <= 0)
    return Refusal(absl::StatusCode::kInvalidArgument, "AMOUNT_NOT_POSITIVE", "amountMinor must be positive");
  std::lock_guard<std::mutex> lock(mu_);
  auto existing = refunds_.find(refund_id);
  if (existing != refunds_.end()) {
    if (existing->second.order_id != order_id || existing->second.amount != amount) {
      return Refusal(absl::StatusCode::kFailedPrecondition, "REFUND_ID_REUSED",
                     "this refund id was used for another refund");
    }
    return existing->second;
  }
  auto it = payments_.find(order_id);
  if (it == payments_.end())
    return Refusal(absl::StatusCode::kNotFound, "PAYMENT_NOT_FOUND", "no payment for this order id");
  Payment& payment = it->second;
  if (payment.status != PaymentStatus::kSucceeded) {
    return Refusal(absl::StatusCode::kFailedPrecondition, "PAYMENT_NOT_PAID", "only a paid payment can be refunded");
  }
  if (payment.refunded + amount > payment.amount) {
    return Refusal(absl::StatusCode::kFailedPrecondition, "REFUND_EXCEEDS_PAYMENT",
                   absl::StrCat("at most ", payment.amount - payment.refunded, " can still be refunded"));
  }
  payment.refunded += amount;
  Refund refund{refund_id, order_id, amount, clock_.Now()};
  refunds_[refund_id] = refund;
  return refund;
}

void Simulator::SetControl(const std::optional<std::string>& order_id, const Control& control) {
  std::lock_guard<std::mutex> lock(mu_);
  if (order_id.has_value()) {
    per_order_[*order_id] = control;
  } else {
    global_ = control;
  }
}

Control Simulator::ControlFor(const std::string& order_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = per_order_.find(order_id);
  return it != per_order_.end() ? it->second : global_;
}

void Simulator::ResetControls() {
  std::lock_guard<std::mutex> lock(mu_);
  global_ = Control();
  per_order_.clear();
}

}  // namespace zhongtai::paysim
