// In-memory stand-ins for the payment ports (domain/payment_ports.h), for domain tests only.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/order/domain/payment_ports.h"
#include "services/order/tests/fakes.h"

namespace zhongtai::order::testing {

// A wallet provider in memory: one payment per order id at a time, as the simulator and the real ones behave.
class FakePaymentProvider : public PaymentProvider {
 public:
  // The next Create is refused (as a wallet declines a card).
  bool decline_create = false;
  // The next call fails with this error; with `lose_answer` it first takes effect (a timeout after the provider acted).
  absl::Status fail_next;
  bool lose_answer = false;
  int creates = 0, payments_created = 0, closes = 0;
  std::map<std::string, int64_t> refunded;  // per order
  std::map<std::string, int> refund_calls;  // per refund id
  std::map<std::string, ProviderPayment> by_order;

  std::string name() const override { return "fake"; }

  absl::StatusOr<ProviderPayment> Create(const std::string& order_id, int64_t amount,
                                         const std::string& currency) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++creates;
    if (absl::Status failed = TakeFailure(); !failed.ok() && !lose_answer) return failed;
    auto it = by_order.find(order_id);
    if (it == by_order.end() || it->second.status == ProviderStatus::kDeclined) {
      ProviderPayment payment;
      payment.order_id = order_id;
      payment.payment_id = absl::StrCat("fp", ++payments_created);
      payment.amount = amount;
      payment.currency = currency;
      payment.pay_url = absl::StrCat("https://pay.example/", payment.payment_id);
      payment.status = decline_create ? ProviderStatus::kDeclined : ProviderStatus::kPending;
      if (decline_create) payment.decline_reason = "INSUFFICIENT_BALANCE";
      decline_create = false;
      it = by_order.insert_or_assign(order_id, payment).first;
    }
    if (lose_answer) return LoseAnswer();
    return it->second;
  }
  absl::StatusOr<ProviderPayment> Query(const std::string& order_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::Status failed = TakeFailure(); !failed.ok()) return failed;
    auto it = by_order.find(order_id);
    if (it == by_order.end()) return ProviderPayment{};
    return it->second;
  }
  absl::StatusOr<ProviderPayment> Close(const std::string& order_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++closes;
    auto it = by_order.find(order_id);
    if (it == by_order.end()) return ProviderPayment{};
    if (it->second.status == ProviderStatus::kPending) it->second.status = ProviderStatus::kClosed;
    return it->second;
  }
  absl::Status Refund(const std::string& order_id, const std::string& refund_id, int64_t amount) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (absl::Status failed = TakeFailure(); !failed.ok()) return failed;
    if (refund_calls[refund_id]++ > 0) return absl::OkStatus();  // the same refund id refunds once
    auto it = by_order.find(order_id);
    if (it == by_order.end() || it->second.status != ProviderStatus::kSucceeded ||
        refunded[order_id] + amount > it->second.amount) {
      return FailedPrecondition("REFUND_NOT_ALLOWED", "more than was paid");
    }
    refunded[order_id] += amount;
    return absl::OkStatus();
  }

  // The buyer pays (or the wallet declines) in the app; returns the notification the provider would send.
  PaymentNotification BuyerPays(const std::string& order_id, bool declined = false) {
    std::lock_guard<std::mutex> lock(mu_);
    ProviderPayment& payment = by_order.at(order_id);
    payment.status = declined ? ProviderStatus::kDeclined : ProviderStatus::kSucceeded;
    if (declined) payment.decline_reason = "RISK_CONTROL";
    PaymentNotification notification;
    notification.provider = name();
    notification.order_id = order_id;
    notification.payment_id = payment.payment_id;
    notification.status = payment.status;
    notification.amount = payment.amount;
    notification.currency = payment.currency;
    notification.decline_reason = payment.decline_reason;
    notification.paid_at = absl::FromUnixSeconds(1700000100);
    return notification;
  }
  // How many times money was taken for the order (never more than once).
  int Charges(const std::string& order_id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = by_order.find(order_id);
    return it != by_order.end() && it->second.status == ProviderStatus::kSucceeded ? 1 : 0;
  }

 private:
  absl::Status TakeFailure() {
    absl::Status failed = fail_next;
    fail_next = absl::OkStatus();
    return failed;
  }
  absl::StatusOr<ProviderPayment> LoseAnswer() {
    lose_answer = false;
    return absl::DeadlineExceededError("the provider's answer was lost");
  }
  std::mutex mu_;
};

// Attempts in memory; order moves go through the InMemoryOrderStore the test uses.
class InMemoryPaymentStore : public PaymentStore {
 public:
  explicit InMemoryPaymentStore(InMemoryOrderStore& orders) : orders_(orders) {}

  absl::StatusOr<std::optional<PaymentAttempt>> StartAttempt(const PaymentAttempt& draft, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!orders_.Move(draft.order_id, OrderStatus::kPendingPayment, OrderStatus::kPaying, now)) {
      return std::optional<PaymentAttempt>();
    }
    std::vector<PaymentAttempt>& list = attempts[draft.order_id];
    PaymentAttempt attempt = draft;
    attempt.attempt_no = static_cast<int>(list.size()) + 1;
    attempt.status = AttemptStatus::kCreated;
    list.push_back(attempt);
    return std::optional<PaymentAttempt>(attempt);
  }
  absl::StatusOr<PaymentAttempt> LatestAttempt(const std::string& order_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = attempts.find(order_id);
    if (it == attempts.end() || it->second.empty()) return NotFound("PAYMENT_NOT_FOUND", order_id);
    return it->second.back();
  }
  absl::StatusOr<bool> RecordCreated(const PaymentAttempt& attempt, const std::string& payment_id,
                                     const std::string& pay_url, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    PaymentAttempt& stored = Find(attempt);
    if (stored.status != AttemptStatus::kCreated) return false;
    stored.status = AttemptStatus::kAwaitingBuyer;
    stored.provider_payment_id = payment_id;
    stored.pay_url = pay_url;
    stored.updated_at = now;
    return true;
  }
  absl::StatusOr<bool> EndUnpaid(const PaymentAttempt& attempt, AttemptStatus to, const std::string& reason,
                                 absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    PaymentAttempt& stored = Find(attempt);
    if (!IsOutcomeUnknown(stored.status)) return false;
    stored.status = to;
    stored.reason = reason;
    stored.updated_at = now;
    orders_.Move(attempt.order_id, OrderStatus::kPaying, OrderStatus::kPendingPayment, now);
    return true;
  }
  absl::StatusOr<bool> Transition(const PaymentAttempt& attempt, const std::vector<AttemptStatus>& from,
                                  AttemptStatus to, const std::string& payment_id, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    PaymentAttempt& stored = Find(attempt);
    if (std::find(from.begin(), from.end(), stored.status) == from.end()) return false;
    stored.status = to;
    if (!payment_id.empty()) stored.provider_payment_id = payment_id;
    stored.updated_at = now;
    return true;
  }
  absl::StatusOr<std::vector<PaymentAttempt>> LeaseForSweep(const std::string& owner, absl::Time now,
                                                            absl::Time stale_before, absl::Time lease_until,
                                                            int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<PaymentAttempt> out;
    for (auto& [order_id, list] : attempts) {
      PaymentAttempt& a = list.back();
      absl::StatusOr<Order> order = orders_.Get(order_id);
      bool due = order.ok() && NeedsSweep(a.status, a.updated_at, order->status, stale_before);
      Lease& lease = leases_[order_id];
      if (!due || lease.until > now || static_cast<int>(out.size()) >= limit) continue;
      lease = {owner, lease_until};
      out.push_back(a);
    }
    return out;
  }
  absl::Status ReleaseLease(const PaymentAttempt& attempt, const std::string& owner, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    Lease& lease = leases_[attempt.order_id];
    if (lease.owner == owner) lease = {};
    PaymentAttempt& stored = Find(attempt);
    stored.updated_at = now;
    return absl::OkStatus();
  }

  std::map<std::string, std::vector<PaymentAttempt>> attempts;

 private:
  struct Lease {
    std::string owner;
    absl::Time until = absl::InfinitePast();
  };
  PaymentAttempt& Find(const PaymentAttempt& attempt) {
    return attempts.at(attempt.order_id).at(attempt.attempt_no - 1);
  }

  InMemoryOrderStore& orders_;
  std::mutex mu_;
  std::map<std::string, Lease> leases_;
};

}  // namespace zhongtai::order::testing
