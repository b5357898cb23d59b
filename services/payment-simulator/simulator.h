// The payment simulator's provider: the payments it holds and the rules a Chinese wallet provider applies to them,
// without any networking (api.cc puts HTTP/JSON around it, notifier.cc sends the notifications).
//
// One payment per order id at a time: creating again returns the pending or paid one (the order id is the merchant's
// idempotency key), and only after a decline does it start a new one. The buyer pays (the QR code scanned) and the
// provider notifies the merchant. Refunds are idempotent by refund id and never exceed what was paid. A control, per
// order or for all, makes it decline, delay the notification, send it twice or with a bad signature, or drop it.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"

namespace zhongtai::paysim {

// The provider's error code of a refused call ("REFUND_EXCEEDS_PAYMENT"), "" for none.
std::string ProviderCodeOf(const absl::Status& status);

enum class PaymentStatus { kPending, kSucceeded, kDeclined, kClosed };
const char* PaymentStatusName(PaymentStatus status);

struct Payment {
  std::string order_id;
  std::string payment_id;
  PaymentStatus status = PaymentStatus::kPending;
  int64_t amount = 0;
  std::string currency;
  std::string pay_url;
  std::string decline_reason;
  absl::Time created_at;
  absl::Time paid_at = absl::InfinitePast();
  int64_t refunded = 0;
};

struct Refund {
  std::string refund_id;
  std::string order_id;
  int64_t amount = 0;
  absl::Time created_at;
};

// How the provider misbehaves, on purpose.
struct Control {
  bool decline = false;                                // the buyer's payment is refused
  absl::Duration notify_delay = absl::ZeroDuration();  // the notification goes out this late
  bool duplicate_notify = false;                       // ... and twice
  bool bad_signature = false;                          // ... signed with a wrong key
  bool drop_notify = false;                            // ... or never (only a query tells)
};

class Simulator {
 public:
  // `pay_url_base`: the buyer's pay URL is this + "/v1/payments/{orderId}:pay".
  Simulator(std::string pay_url_base, Clock& clock) : pay_url_base_(std::move(pay_url_base)), clock_(clock) {}

  // INVALID_ARGUMENT for a bad order id, amount or currency; FAILED_PRECONDITION AMOUNT_MISMATCH when the order id
  // already has a payment of another amount.
  absl::StatusOr<Payment> Create(const std::string& order_id, int64_t amount, const std::string& currency);
  // NOT_FOUND PAYMENT_NOT_FOUND when the order id has no payment.
  absl::StatusOr<Payment> Get(const std::string& order_id) const;
  // The buyer pays a pending payment (or the control declines it). Paying a paid one returns it unchanged with
  // `changed` false; a closed or declined one is FAILED_PRECONDITION.
  absl::StatusOr<Payment> BuyerPays(const std::string& order_id, bool* changed);
  // A pending payment can no longer be paid; a paid one stays paid.
  absl::StatusOr<Payment> Close(const std::string& order_id);
  // FAILED_PRECONDITION PAYMENT_NOT_PAID, REFUND_EXCEEDS_PAYMENT, or REFUND_ID_REUSED (same id, other order or
  // amount); the same refund again returns the first.
  absl::StatusOr<Refund> RefundPayment(const std::string& order_id, const std::string& refund_id, int64_t amount);

  void SetControl(const std::optional<std::string>& order_id, const Control& control);
  Control ControlFor(const std::string& order_id) const;
  void ResetControls();

 private:
  std::string pay_url_base_;
  Clock& clock_;
  mutable std::mutex mu_;
  std::map<std::string, Payment> payments_;  // by order id
  std::map<std::string, Refund> refunds_;    // by refund id
  int next_payment_ = 0;
  Control global_;
  std::map<std::string, Control> per_order_;
};

}  // namespace zhongtai::paysim
