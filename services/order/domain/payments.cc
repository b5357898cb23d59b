#include "services/order/domain/payments.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"
#include "services/order/domain/orders.h"

namespace zhongtai::order {
namespace {

absl::Status ProviderUnavailable(const absl::Status& cause) {
  log::Warn("payment provider call failed", {{"error", cause.ToString()}});
  return Unavailable("PAYMENT_PROVIDER_UNAVAILABLE", "the payment provider did not answer; retry");
}

}  // namespace

Payments::Payments(OrderStore& orders, PaymentStore& payments, PaymentProvider& provider, ProductCatalog& catalog,
                   PaidOrderEffects& effects, Clock& clock, IdGenerator& ids, OrderObserver& observer,
                   Executor& blocking, PaymentSettings settings)
    : orders_(orders),
      payments_(payments),
      provider_(provider),
      catalog_(catalog),
      effects_(effects),
      clock_(clock),
      ids_(ids),
      observer_(observer),
      blocking_(blocking),
      settings_(std::move(settings)) {}

void Payments::Pay(const std::string& user_id, const std::string& order_id, Callback<PayResult> done) {
  absl::StatusOr<Order> order = LoadOwnOrder(orders_, user_id, order_id);
  if (!order.ok()) return done(order.status());
  PayAttempt(*std::move(order), 0, std::move(done));
}

// Acts on the order's state; when someone changed it meanwhile, looks again (a few times).
void Payments::PayAttempt(Order order, int tries, Callback<PayResult> done) {
  const std::string order_id = order.order_id;
  if (IsPaidOrLater(order.status)) {
    absl::StatusOr<PaymentAttempt> latest = payments_.LatestAttempt(order_id);
    if (!latest.ok()) return done(latest.status());
    return done(PayResult{std::move(order), *std::move(latest)});
  }
  switch (order.status) {
    case OrderStatus::kCancelled: return done(FailedPrecondition("ORDER_CANCELLED", "the order was cancelled"));
    case OrderStatus::kPendingPayment: {
      absl::Time now = clock_.Now();
      if (now >= order.pay_deadline) {
        return done(FailedPrecondition("PAYMENT_DEADLINE_PASSED", "the order was not paid in time"));
      }
      PaymentAttempt draft;
      draft.order_id = order_id;
      draft.provider = provider_.name();
      draft.amount = order.total;
      draft.currency = order.currency;
      draft.created_at = now;
      draft.updated_at = now;
      absl::StatusOr<std::optional<PaymentAttempt>> started = payments_.StartAttempt(draft, now);
      if (!started.ok()) return done(started.status());
      if (started->has_value()) {
        order.status = OrderStatus::kPaying;
        return AskProvider(std::move(order), **std::move(started), std::move(done));
      }
      break;  // someone changed it meanwhile: look again
    }
    case OrderStatus::kPaying: {
      absl::StatusOr<PaymentAttempt> latest = payments_.LatestAttempt(order_id);
      if (!latest.ok()) return done(latest.status());
      switch (latest->status) {
        // A double click, or the buyer coming back: the same payment, never a second one.
        case AttemptStatus::kAwaitingBuyer:
        case AttemptStatus::kSucceeded: return done(PayResult{std::move(order), *std::move(latest)});
        // Saved but the provider's answer was lost: asking again is safe, the provider knows the order id.
        case AttemptStatus::kCreated: return AskProvider(std::move(order), *std::move(latest), std::move(done));
        default: break;  // it just ended: look again
      }
      break;
    }
    default: return done(NotFound("ORDER_NOT_FOUND", "no such order"));
  }
  if (tries + 1 >= 3) return done(Aborted("ORDER_CHANGED", "the order changed while paying; retry"));
  absl::StatusOr<Order> reloaded = orders_.Get(order_id);
  if (!reloaded.ok()) return done(reloaded.status());
  PayAttempt(*std::move(reloaded), tries + 1, std::move(done));
}

void Payments::AskProvider(Order order, PaymentAttempt attempt, Callback<PayResult> done) {
  absl::StatusOr<ProviderPayment> created = provider_.Create(order.order_id, attempt.amount, attempt.currency);
  // Whether or not the provider created it, the attempt stays CREATED: a retry or the sweeper finds out.
  if (!created.ok()) return done(ProviderUnavailable(created.status()));
  absl::Time now = clock_.Now();
  switch (created->status) {
    case ProviderStatus::kPending: {
      absl::StatusOr<bool> recorded = payments_.RecordCreated(attempt, created->payment_id, created->pay_url, now);
      if (!recorded.ok()) return done(recorded.status());
      attempt.status = AttemptStatus::kAwaitingBuyer;
      attempt.provider_payment_id = created->payment_id;
      attempt.pay_url = created->pay_url;
      attempt.updated_at = now;
      return done(PayResult{std::move(order), std::move(attempt)});
    }
    case ProviderStatus::kDeclined: {
      absl::StatusOr<bool> ended = payments_.EndUnpaid(attempt, AttemptStatus::kDeclined, created->decline_reason, now);
      if (!ended.ok()) return done(ended.status());
      if (*ended) observer_.PaymentFinished("declined");
      return done(FailedPrecondition("PAYMENT_DECLINED", "the payment provider declined the payment; pay again"));
    }
    case ProviderStatus::kSucceeded: {
      // Paid before we heard back (a retry after a lost answer): settle it now.
      std::string order_id = order.order_id;
      Succeeded(attempt, *created, [this, order_id, attempt, done = std::move(done)](absl::Status settled) mutable {
        if (!settled.ok()) return done(settled);
        absl::StatusOr<Order> reloaded = orders_.Get(order_id);
        if (!reloaded.ok()) return done(reloaded.status());
        absl::StatusOr<PaymentAttempt> latest = payments_.LatestAttempt(order_id);
        if (!latest.ok()) return done(latest.status());
        done(PayResult{*std::move(reloaded), *std::move(latest)});
      });
      return;
    }
    default:
      log::Error("the payment provider closed or lost a payment it was asked to create",
                 {{"order_id", order.order_id}});
      return done(FailedPrecondition("PAYMENT_DEADLINE_PASSED", "the order can no longer be paid"));
  }
}

void Payments::HandleNotification(const PaymentNotification& notification, StatusCallback done) {
  if (notification.order_id.empty()) {
    return done(InvalidArgument("orderId", "ORDER_ID_MISSING", "the notification names no order"));
  }
  if (notification.provider != provider_.name()) {
    return done(InvalidArgument("provider", "PAYMENT_PROVIDER_UNKNOWN",
                                absl::StrCat("payments go through \"", provider_.name(), "\"")));
  }
  absl::StatusOr<PaymentAttempt> attempt = payments_.LatestAttempt(notification.order_id);
  if (!attempt.ok()) {
    if (attempt.status().code() == absl::StatusCode::kNotFound) {
      return done(NotFound("PAYMENT_NOT_FOUND", "no payment was started for this order"));
    }
    return done(attempt.status());
  }
  switch (notification.status) {
    case ProviderStatus::kSucceeded: {
      ProviderPayment paid;
      paid.status = ProviderStatus::kSucceeded;
      paid.order_id = notification.order_id;
      paid.payment_id = notification.payment_id;
      paid.amount = notification.amount;
      paid.currency = notification.currency;
      paid.paid_at = notification.paid_at;
      return Succeeded(*std::move(attempt), paid, std::move(done));
    }
    case ProviderStatus::kDeclined: {
      // Only for the payment it is about: a late decline of an earlier payment leaves a newer attempt alone.
      if (!IsOutcomeUnknown(attempt->status) ||
          (!attempt->provider_payment_id.empty() && attempt->provider_payment_id != notification.payment_id)) {
        return done(absl::OkStatus());
      }
      absl::StatusOr<bool> ended =
          payments_.EndUnpaid(*attempt, AttemptStatus::kDeclined, notification.decline_reason, clock_.Now());
      if (!ended.ok()) return done(ended.status());
      if (*ended) observer_.PaymentFinished("declined");
      return done(absl::OkStatus());
    }
    default:
      return done(InvalidArgument("status", "PAYMENT_STATUS_UNKNOWN", "a notification is SUCCEEDED or DECLINED"));
  }
}

void Payments::Succeeded(PaymentAttempt attempt, const ProviderPayment& paid, StatusCallback done) {
  if (paid.amount != attempt.amount || paid.currency != attempt.currency) {
    log::Error("the provider reports a payment that differs from the order; left for review",
               {{"order_id", attempt.order_id},
                {"expected", absl::StrCat(attempt.amount, " ", attempt.currency)},
                {"reported", absl::StrCat(paid.amount, " ", paid.currency)}});
    observer_.PaymentFinished("amount_mismatch");
    return done(FailedPrecondition("PAYMENT_AMOUNT_MISMATCH", "the paid amount differs from the order's total"));
  }
  absl::StatusOr<Order> order = orders_.Get(attempt.order_id);
  if (!order.ok()) return done(order.status());
  absl::Time now = clock_.Now();
  absl::Time paid_at = paid.paid_at == absl::InfinitePast() ? now : paid.paid_at;
  const std::vector<AttemptStatus> not_yet_paid = {AttemptStatus::kCreated, AttemptStatus::kAwaitingBuyer,
                                                   AttemptStatus::kDeclined, AttemptStatus::kClosed};
  if (IsPaidOrLater(order->status)) return done(absl::OkStatus());  // a duplicate or a late notification
  switch (order->status) {
    case OrderStatus::kPaying: {
      // The provider's word that the money arrived wins over what we had concluded about the attempt.
      absl::StatusOr<bool> moved =
          payments_.Transition(attempt, not_yet_paid, AttemptStatus::kSucceeded, paid.payment_id, now);
      if (!moved.ok()) return done(moved.status());
      attempt.status = AttemptStatus::kSucceeded;
      return CompletePaidOrder(attempt, paid_at, std::move(done), *std::move(order));
    }
    default: {
      // Cancelled (the deadline passed while the buyer paid), or no longer waiting for this payment: nothing can be
      // delivered for this money, so it goes back.
      std::vector<AttemptStatus> from = not_yet_paid;
      from.push_back(AttemptStatus::kSucceeded);
      absl::StatusOr<bool> moved = payments_.Transition(attempt, from, AttemptStatus::kRefundDue, paid.payment_id, now);
      if (!moved.ok()) return done(moved.status());
      if (!*moved) return done(absl::OkStatus());  // already refunding or refunded
      attempt.status = AttemptStatus::kRefundDue;
      log::Warn("money arrived for an order that cannot be delivered; refunding",
                {{"order_id", attempt.order_id}, {"order_status", StatusName(order->status)}});
      if (absl::Status refunded = RefundIfDue(attempt); !refunded.ok()) {
        log::Warn("refund failed; the sweeper will retry",
                  {{"order_id", attempt.order_id}, {"error", refunded.ToString()}});
      }
      return done(absl::OkStatus());
    }
  }
}

void Payments::CompletePaidOrder(const PaymentAttempt& attempt, absl::Time paid_at, StatusCallback done,
                                 std::optional<Order> known) {
  catalog_.Confirm(
      attempt.order_id, async::On<absl::Status>(blocking_, [this, attempt, paid_at, known = std::move(known),
                                                            done = std::move(done)](absl::Status confirmed) mutable {
        PaymentAttempt settled = attempt;
        if (confirmed.code() == absl::StatusCode::kFailedPrecondition) {
          // The reservation expired or was released: the goods are gone, the order is cancelled and
          // the money returned.
          absl::Time now = clock_.Now();
          absl::StatusOr<bool> cancelled =
              orders_.Cancel(attempt.order_id, OrderStatus::kPaying, "RESERVATION_EXPIRED", now);
          if (!cancelled.ok()) return done(cancelled.status());
          absl::StatusOr<bool> moved =
              payments_.Transition(settled, {AttemptStatus::kSucceeded}, AttemptStatus::kRefundDue, "", now);
          if (!moved.ok()) return done(moved.status());
          observer_.PaymentFinished("reservation_expired");
          settled.status = AttemptStatus::kRefundDue;
          if (absl::Status refunded = RefundIfDue(settled); !refunded.ok()) {
            log::Warn("refund failed; the sweeper will retry",
                      {{"order_id", attempt.order_id}, {"error", refunded.ToString()}});
          }
          return done(absl::OkStatus());
        }
        if (!confirmed.ok()) return done(confirmed);  // stays PAYING; the provider's retry or the sweeper finishes it
        Payment payment;
        payment.payment_id = ids_.NewPaymentId();
        payment.order_id = attempt.order_id;
        payment.amount = attempt.amount;
        payment.currency = attempt.currency;
        payment.provider = attempt.provider;
        payment.paid_at = paid_at;
        absl::StatusOr<bool> marked = orders_.MarkPaid(payment);
        if (!marked.ok()) return done(marked.status());
        if (!*marked) return done(absl::OkStatus());  // someone else recorded it (and applies it)
        observer_.PaymentFinished("succeeded");
        absl::StatusOr<Order> paid =
            known.has_value() ? absl::StatusOr<Order>(*std::move(known)) : orders_.Get(attempt.order_id);
        if (!paid.ok()) return done(absl::OkStatus());  // the order sweeper applies it
        // The buyer has paid whatever the effects answer: a failed one is the order sweeper's.
        // The reservation was confirmed above: the effects need not ask the product center again.
        effects_.ApplyPaid(*paid, /*stock_confirmed=*/true,
                           [done = std::move(done)](absl::Status) { done(absl::OkStatus()); });
      }));
}

absl::Status Payments::RefundIfDue(PaymentAttempt attempt) {
  if (attempt.status != AttemptStatus::kRefundDue) return absl::OkStatus();
  RETURN_IF_ERROR(provider_.Refund(attempt.order_id, AutomaticRefundId(attempt), attempt.amount));
  ASSIGN_OR_RETURN(bool moved, payments_.Transition(attempt, {AttemptStatus::kRefundDue}, AttemptStatus::kRefunded, "",
                                                    clock_.Now()));
  if (moved) observer_.PaymentFinished("refunded");
  return absl::OkStatus();
}

int Payments::SweepOnce() {
  absl::Time now = clock_.Now();
  absl::StatusOr<std::vector<PaymentAttempt>> leased = payments_.LeaseForSweep(
      settings_.sweeper_id, now, now - settings_.query_after, now + settings_.lease, settings_.sweep_batch);
  if (!leased.ok()) {
    log::Warn("payment sweep could not lease attempts", {{"error", leased.status().ToString()}});
    return 0;
  }
  int settled = 0;
  for (const PaymentAttempt& attempt : *leased) {
    absl::Status swept = SweepAttempt(attempt);
    if (!swept.ok()) {
      // The lease stays: this attempt is looked at again when it ends, not at every pass.
      log::Warn(
          "payment sweep will retry an attempt",
          {{"order_id", attempt.order_id}, {"status", AttemptStatusName(attempt.status)}, {"error", swept.ToString()}});
      continue;
    }
    absl::Status released = payments_.ReleaseLease(attempt, settings_.sweeper_id, clock_.Now());
    if (!released.ok()) log::Warn("payment lease not released", {{"error", released.ToString()}});
    ++settled;
  }
  return settled;
}

absl::Status Payments::SweepAttempt(const PaymentAttempt& attempt) {
  switch (attempt.status) {
    case AttemptStatus::kSucceeded:
      return async::Await<absl::Status>(
          [&](StatusCallback done) { CompletePaidOrder(attempt, clock_.Now(), std::move(done)); });
    case AttemptStatus::kRefundDue: return RefundIfDue(attempt);
    case AttemptStatus::kCreated:
    case AttemptStatus::kAwaitingBuyer: return SweepUnknownOutcome(attempt);
    default: return absl::OkStatus();
  }
}

// No notification came (lost, delayed, or the answer to "create" never arrived): ask the provider by order id.
absl::Status Payments::SweepUnknownOutcome(const PaymentAttempt& attempt) {
  absl::StatusOr<ProviderPayment> found = provider_.Query(attempt.order_id);
  if (!found.ok()) return found.status();
  absl::Time now = clock_.Now();
  switch (found->status) {
    case ProviderStatus::kSucceeded:
      return async::Await<absl::Status>([&](StatusCallback done) { Succeeded(attempt, *found, std::move(done)); });
    case ProviderStatus::kDeclined: {
      ASSIGN_OR_RETURN(bool ended, payments_.EndUnpaid(attempt, AttemptStatus::kDeclined, found->decline_reason, now));
      if (ended) observer_.PaymentFinished("declined");
      return absl::OkStatus();
    }
    case ProviderStatus::kNotFound:
      // The provider never created it (the process stopped before asking): the buyer may pay again.
      return payments_.EndUnpaid(attempt, AttemptStatus::kClosed, "PAYMENT_NOT_CREATED", now).status();
    case ProviderStatus::kClosed:
      return payments_.EndUnpaid(attempt, AttemptStatus::kClosed, "CLOSED_BY_PROVIDER", now).status();
    case ProviderStatus::kPending: {
      ASSIGN_OR_RETURN(Order order, orders_.Get(attempt.order_id));
      if (order.status != OrderStatus::kPaying || now < order.pay_deadline) return absl::OkStatus();
      // Past the deadline: close it at the provider first, so the buyer can no longer pay it, then cancel.
      ASSIGN_OR_RETURN(ProviderPayment closed, provider_.Close(attempt.order_id));
      if (closed.status == ProviderStatus::kSucceeded) {
        return async::Await<absl::Status>([&](StatusCallback done) { Succeeded(attempt, closed, std::move(done)); });
      }
      if (closed.status == ProviderStatus::kPending)
        return Unavailable("PAYMENT_NOT_CLOSED", "the provider kept it open");
      // Cancel first: if we stop in between, the next pass finds the attempt open and the provider's payment closed.
      ASSIGN_OR_RETURN(bool cancelled, orders_.Cancel(attempt.order_id, OrderStatus::kPaying, "PAYMENT_TIMEOUT", now));
      RETURN_IF_ERROR(payments_
                          .Transition(attempt, {AttemptStatus::kCreated, AttemptStatus::kAwaitingBuyer},
                                      AttemptStatus::kClosed, "", now)
                          .status());
      if (cancelled) observer_.PaymentFinished("deadline_passed");
      return absl::OkStatus();
    }
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::order
