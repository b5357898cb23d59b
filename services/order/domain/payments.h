// Paying an order through a wallet-style provider (payment_ports.h):
//
//   PENDING_PAYMENT --pay--> PAYING --provider says paid--> PAID
//                              |  \--provider declined, or never created it--> PENDING_PAYMENT (pay again)
//                              \--deadline passed, closed at the provider--> CANCELLED
//
// Paying saves an attempt (CREATED) together with the order's move to PAYING BEFORE the provider is asked, then asks
// the provider to create the payment keyed by the order id and hands the buyer the pay URL. The outcome arrives as a
// signed notification (HandleNotification) or, when none came, from the sweeper querying the provider by order id.
// Every step is conditional on the state it starts from and the provider is idempotent per order id, so duplicate or
// late notifications, retries, two sweepers and crashes never pay twice. Money that arrives for an order that can no
// longer be delivered is refunded (idempotent by a fixed refund id).
#pragma once

#include <optional>
#include <string>

#include "common/async/callback.h"
#include "common/clock/clock.h"
#include "services/order/domain/order.h"
#include "services/order/domain/payment.h"
#include "services/order/domain/payment_ports.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

struct PaymentSettings {
  // An attempt whose outcome is unknown this long is looked up at the provider by the sweeper.
  absl::Duration query_after = absl::Seconds(30);
  // How long one sweeper holds an attempt; a look that failed is retried when the lease ends.
  absl::Duration lease = absl::Minutes(1);
  int sweep_batch = 50;
  // Names this process's sweeper in the leases it takes (unique per process).
  std::string sweeper_id = "sweeper";
};

// What the buyer needs to pay: the order (PAYING, or PAID when already paid) and the attempt with the pay URL.
struct PayResult {
  Order order;
  PaymentAttempt attempt;
};

class Payments {
 public:
  Payments(OrderStore& orders, PaymentStore& payments, PaymentProvider& provider, ProductCatalog& catalog,
           PaidOrderEffects& effects, Clock& clock, IdGenerator& ids, OrderObserver& observer, Executor& blocking,
           PaymentSettings settings = {});

  // Starts paying, or answers the attempt already under way (a double click gets the same pay URL). Paying a paid
  // order returns it; a cancelled or overdue one is FAILED_PRECONDITION; a decline is FAILED_PRECONDITION
  // PAYMENT_DECLINED with the order back in PENDING_PAYMENT; a provider that did not answer is UNAVAILABLE
  // PAYMENT_PROVIDER_UNAVAILABLE (retry: the same order id asks the provider again, never twice).
  void Pay(const std::string& user_id, const std::string& order_id, Callback<PayResult> done);

  // Applies a provider's notification; duplicates and late or out-of-order ones change nothing. An error asks the
  // provider to send it again later.
  void HandleNotification(const PaymentNotification& notification, StatusCallback done);

  // One pass of the payment sweeper: leases attempts that need it and settles them by querying the provider. Waits
  // for each, so it runs on a thread of its own (server::PeriodicTask). Returns the attempts settled.
  int SweepOnce();

 private:
  void PayAttempt(Order order, int attempt, Callback<PayResult> done);
  void AskProvider(Order order, PaymentAttempt attempt, Callback<PayResult> done);
  // The provider took the money for the order: the order becomes PAID, or the money goes back when the order can no
  // longer be delivered.
  void Succeeded(PaymentAttempt attempt, const ProviderPayment& paid, StatusCallback done);
  // Once the provider has the money: confirm the reserved stock (product), then PAYING -> PAID with the payment record
  // and the OrderPaid event, then the order's other holds become final (PaidOrderEffects). Idempotent. A reservation
  // that expired meanwhile cancels the order and refunds. `known` is the order as the caller just read it, if it did:
  // its coupon and points (set when it was placed) are what the effects need, so it is not read again.
  void CompletePaidOrder(const PaymentAttempt& attempt, absl::Time paid_at, StatusCallback done,
                         std::optional<Order> known = std::nullopt);
  absl::Status RefundIfDue(PaymentAttempt attempt);
  absl::Status SweepAttempt(const PaymentAttempt& attempt);
  absl::Status SweepUnknownOutcome(const PaymentAttempt& attempt);

  OrderStore& orders_;
  PaymentStore& payments_;
  PaymentProvider& provider_;
  ProductCatalog& catalog_;
  PaidOrderEffects& effects_;
  Clock& clock_;
  IdGenerator& ids_;
  OrderObserver& observer_;
  Executor& blocking_;
  PaymentSettings settings_;
};

}  // namespace zhongtai::order
