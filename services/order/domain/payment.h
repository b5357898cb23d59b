// A payment attempt: one try of the buyer to pay an order through the provider. The attempt is saved before the
// provider is asked, and the provider knows the payment by the order id (its idempotency key), so a retry, a replay,
// two sweepers or a crash between asking and recording can always find out what happened and never pay twice.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "services/order/domain/order.h"

namespace zhongtai::order {

enum class AttemptStatus {
  kCreated,        // saved; the provider may or may not have heard of it (outcome unknown)
  kAwaitingBuyer,  // the provider created it: the buyer scans and pays; the notification (or a query) tells the rest
  kSucceeded,      // the provider took the money; the order is (being made) PAID
  kDeclined,       // the provider refused; the order went back to PENDING_PAYMENT
  kClosed,         // given up unpaid (deadline passed, or the provider never created it)
  kRefundDue,      // money arrived for an order that can no longer be delivered: it goes back to the buyer
  kRefunded,
};

const char* AttemptStatusName(AttemptStatus status);
bool ParseAttemptStatus(const std::string& name, AttemptStatus* status);
// CREATED and AWAITING_BUYER: only the provider knows how this attempt ends.
bool IsOutcomeUnknown(AttemptStatus status);

struct PaymentAttempt {
  std::string order_id;
  int attempt_no = 0;  // 1, 2, ... per order; a new one only after the previous ended unpaid
  AttemptStatus status = AttemptStatus::kCreated;
  std::string provider;
  int64_t amount = 0;
  std::string currency;
  std::string provider_payment_id;  // the provider's id, once it answered
  std::string pay_url;              // where the buyer pays (the QR code's content)
  std::string reason;               // why it was declined or closed
  absl::Time created_at;
  absl::Time updated_at;
};

// What a provider says about the payment of an order.
enum class ProviderStatus { kNotFound, kPending, kSucceeded, kDeclined, kClosed };

struct ProviderPayment {
  ProviderStatus status = ProviderStatus::kNotFound;
  std::string order_id;
  std::string payment_id;
  int64_t amount = 0;
  std::string currency;
  std::string pay_url;
  std::string decline_reason;
  absl::Time paid_at = absl::InfinitePast();
};

// An asynchronous notification from the provider; its signature was checked at the gateway.
struct PaymentNotification {
  std::string provider;
  std::string order_id;
  std::string payment_id;
  ProviderStatus status = ProviderStatus::kNotFound;  // kSucceeded or kDeclined
  int64_t amount = 0;
  std::string currency;
  std::string decline_reason;
  absl::Time paid_at = absl::InfinitePast();
};

// Whether the payment sweeper must look at an attempt: its outcome is unknown and nobody touched it since
// `stale_before` (no notification came), or it succeeded but its order is still PAYING (finishing was interrupted), or
// it owes a refund. store/pg_payment_store.cc says the same in SQL (kLeaseForSweepSql); a store test checks they agree.
bool NeedsSweep(AttemptStatus status, absl::Time updated_at, OrderStatus order_status, absl::Time stale_before);

// The refund id for giving back the money of an attempt: fixed, so that asking again never refunds twice.
std::string AutomaticRefundId(const PaymentAttempt& attempt);

}  // namespace zhongtai::order
