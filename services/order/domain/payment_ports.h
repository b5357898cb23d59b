// What paying needs from the outside world: the payment provider (clients/payment_provider_http.h; a simulator
// process locally and in tests) and the store of payment attempts (store/pg_payment_store.h). Both block: they are
// called from worker threads or the sweeper's thread, never from gRPC's.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/callback.h"
#include "services/order/domain/order.h"
#include "services/order/domain/payment.h"

namespace zhongtai::order {

// A wallet-style provider: the merchant creates a payment for an order, the buyer pays it in the wallet app, and the
// provider reports the outcome by a signed notification and on query. Every call is keyed by the order id.
// UNAVAILABLE or DEADLINE_EXCEEDED mean the outcome is unknown: the call may or may not have taken effect.
// What happens once an order is paid (Orders::ApplyPaid): its holds (stock, coupon, points) become final.
class PaidOrderEffects {
 public:
  virtual ~PaidOrderEffects() = default;
  // stock_confirmed: the caller has just confirmed the order's reservation (Payments does before recording the
  // payment), so only the rest is applied; false confirms it too (idempotent).
  virtual void ApplyPaid(const Order& paid, bool stock_confirmed, async::StatusCallback done) = 0;
};

class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string name() const = 0;
  // Idempotent per order id: while a payment is pending or paid, asking again returns it; after a decline a new one
  // is created. A refused payment comes back with status kDeclined.
  virtual absl::StatusOr<ProviderPayment> Create(const std::string& order_id, int64_t amount,
                                                 const std::string& currency) = 0;
  // Status kNotFound when the provider never created a payment for the order.
  virtual absl::StatusOr<ProviderPayment> Query(const std::string& order_id) = 0;
  // Closes a pending payment so it can no longer be paid; returns the payment as it ends up (kSucceeded when the
  // buyer was faster).
  virtual absl::StatusOr<ProviderPayment> Close(const std::string& order_id) = 0;
  // Idempotent per refund id; never more than was paid (FAILED_PRECONDITION).
  virtual absl::Status Refund(const std::string& order_id, const std::string& refund_id, int64_t amount) = 0;
};

class PaymentStore {
 public:
  virtual ~PaymentStore() = default;

  // In one transaction: the order PENDING_PAYMENT -> PAYING (only before its deadline) and `attempt` saved in CREATED
  // with the next attempt number. nullopt when the order was not PENDING_PAYMENT or its deadline passed.
  virtual absl::StatusOr<std::optional<PaymentAttempt>> StartAttempt(const PaymentAttempt& attempt, absl::Time now) = 0;
  // The order's newest attempt; NOT_FOUND when it has none.
  virtual absl::StatusOr<PaymentAttempt> LatestAttempt(const std::string& order_id) = 0;
  // CREATED -> AWAITING_BUYER with the provider's payment id and pay URL. False when it was no longer CREATED.
  virtual absl::StatusOr<bool> RecordCreated(const PaymentAttempt& attempt, const std::string& provider_payment_id,
                                             const std::string& pay_url, absl::Time now) = 0;
  // In one transaction: the attempt, if its outcome is still unknown, -> `to` (DECLINED or CLOSED) with `reason`, and
  // its order PAYING -> PENDING_PAYMENT, so the buyer can pay again. False when the attempt had already ended.
  virtual absl::StatusOr<bool> EndUnpaid(const PaymentAttempt& attempt, AttemptStatus to, const std::string& reason,
                                         absl::Time now) = 0;
  // The attempt -> `to` if it is in one of `from`, recording the provider's payment id when given. False otherwise.
  virtual absl::StatusOr<bool> Transition(const PaymentAttempt& attempt, const std::vector<AttemptStatus>& from,
                                          AttemptStatus to, const std::string& provider_payment_id, absl::Time now) = 0;
  // For the sweeper: up to `limit` attempts that need it, each leased to `owner` until `lease_until` so that no other
  // sweeper touches it meanwhile (rows another sweeper is leasing are skipped, not waited for). Needing it: outcome
  // unknown and untouched since `stale_before`; succeeded while the order is still PAYING; owing a refund.
  virtual absl::StatusOr<std::vector<PaymentAttempt>> LeaseForSweep(const std::string& owner, absl::Time now,
                                                                    absl::Time stale_before, absl::Time lease_until,
                                                                    int limit) = 0;
  // Gives the lease back and notes the attempt as looked at `now` (the next look is a full `stale_before` later).
  virtual absl::Status ReleaseLease(const PaymentAttempt& attempt, const std::string& owner, absl::Time now) = 0;
};

}  // namespace zhongtai::order
