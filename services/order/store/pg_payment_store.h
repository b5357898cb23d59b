// PaymentStore over the order service's PostgreSQL database (payment_attempts, migration 0003). Every change is a
// conditional UPDATE on the state it starts from, so concurrent callers (a notification, a retry, a sweeper) cannot
// both win; the sweeper's lease is taken with FOR UPDATE SKIP LOCKED, so two sweepers never settle one attempt.
#pragma once

#include "common/pg/pool.h"
#include "services/order/domain/payment_ports.h"

namespace zhongtai::order {

// Which attempts the sweeper leases: domain/payment.h NeedsSweep() in SQL, with the lease and the batch size.
// $1 owner, $2 now, $3 stale_before, $4 lease_until (micros), $5 limit.
extern const char kLeaseForSweepSql[];

class PgPaymentStore : public PaymentStore {
 public:
  explicit PgPaymentStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::optional<PaymentAttempt>> StartAttempt(const PaymentAttempt& attempt, absl::Time now) override;
  absl::StatusOr<PaymentAttempt> LatestAttempt(const std::string& order_id) override;
  absl::StatusOr<bool> RecordCreated(const PaymentAttempt& attempt, const std::string& provider_payment_id,
                                     const std::string& pay_url, absl::Time now) override;
  absl::StatusOr<bool> EndUnpaid(const PaymentAttempt& attempt, AttemptStatus to, const std::string& reason,
                                 absl::Time now) override;
  absl::StatusOr<bool> Transition(const PaymentAttempt& attempt, const std::vector<AttemptStatus>& from,
                                  AttemptStatus to, const std::string& provider_payment_id, absl::Time now) override;
  absl::StatusOr<std::vector<PaymentAttempt>> LeaseForSweep(const std::string& owner, absl::Time now,
                                                            absl::Time stale_before, absl::Time lease_until,
                                                            int limit) override;
  absl::Status ReleaseLease(const PaymentAttempt& attempt, const std::string& owner, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::order
