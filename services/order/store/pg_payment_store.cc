#include "services/order/store/pg_payment_store.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

constexpr char kAttemptColumns[] =
    "order_id, attempt_no, status, provider, amount, currency, provider_payment_id, pay_url, reason, "
    "(extract(epoch from created_at) * 1000000)::bigint, (extract(epoch from updated_at) * 1000000)::bigint";

PaymentAttempt AttemptFromRow(const pqxx::row& row) {
  PaymentAttempt attempt;
  attempt.order_id = row[0].as<std::string>();
  attempt.attempt_no = row[1].as<int>();
  ParseAttemptStatus(row[2].as<std::string>(), &attempt.status);
  attempt.provider = row[3].as<std::string>();
  attempt.amount = row[4].as<int64_t>();
  attempt.currency = row[5].as<std::string>();
  attempt.provider_payment_id = row[6].as<std::string>();
  attempt.pay_url = row[7].as<std::string>();
  attempt.reason = row[8].as<std::string>();
  attempt.created_at = TimeFromMicros(row[9]);
  attempt.updated_at = TimeFromMicros(row[10]);
  return attempt;
}

// The order moves to PAYING only from PENDING_PAYMENT and before its deadline; the row lock it takes also orders
// concurrent attempts of one order, so the next attempt number below is safe. $1 order id, $2 now.
const std::string kClaimOrderSql =
    "UPDATE orders SET status = 'PAYING', status_changed_at = " + pg::TimestampFromMicros(2) +
    " WHERE order_id = $1 AND status = 'PENDING_PAYMENT' AND pay_deadline > " + pg::TimestampFromMicros(2);

const std::string kInsertAttemptSql =
    "INSERT INTO payment_attempts (order_id, attempt_no, status, provider, amount, currency, created_at, updated_at) "
    "SELECT $1, coalesce(max(attempt_no), 0) + 1, 'CREATED', $2, $3, $4, " +
    pg::TimestampFromMicros(5) + ", " + pg::TimestampFromMicros(5) +
    " FROM payment_attempts WHERE order_id = $1 RETURNING attempt_no";

// An attempt that ended unpaid gives the order back to the buyer: PAYING -> PENDING_PAYMENT, with a history row that
// says why. $1 order id, $2 now, $3 reason.
const std::string kReopenOrderSql =
    "WITH reopened AS (UPDATE orders SET status = 'PENDING_PAYMENT', status_changed_at = " +
    pg::TimestampFromMicros(2) +
    " WHERE order_id = $1 AND status = 'PAYING' RETURNING order_id) "
    "INSERT INTO order_history (order_id, status, reason, changed_at) SELECT order_id, 'PENDING_PAYMENT', $3, " +
    pg::TimestampFromMicros(2) + " FROM reopened";

std::string StatusList(const std::vector<AttemptStatus>& statuses) {
  std::vector<std::string> names;
  for (AttemptStatus status : statuses) names.push_back(absl::StrCat("'", AttemptStatusName(status), "'"));
  return absl::StrJoin(names, ", ");
}

}  // namespace

const char kLeaseForSweepSql[] = R"sql(
WITH due AS (
  SELECT a.order_id, a.attempt_no
  FROM payment_attempts a JOIN orders o ON o.order_id = a.order_id
  WHERE a.lease_until < ('epoch'::timestamptz + $2::bigint * interval '1 microsecond')
    AND ((a.status IN ('CREATED', 'AWAITING_BUYER')
          AND a.updated_at < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond'))
      OR (a.status = 'SUCCEEDED' AND o.status = 'PAYING')
      OR a.status = 'REFUND_DUE')
  ORDER BY a.updated_at
  LIMIT $5
  FOR UPDATE OF a SKIP LOCKED)
UPDATE payment_attempts p
SET lease_owner = $1, lease_until = ('epoch'::timestamptz + $4::bigint * interval '1 microsecond')
FROM due
WHERE p.order_id = due.order_id AND p.attempt_no = due.attempt_no
RETURNING p.order_id, p.attempt_no, p.status, p.provider, p.amount, p.currency, p.provider_payment_id, p.pay_url,
          p.reason, (extract(epoch from p.created_at) * 1000000)::bigint,
          (extract(epoch from p.updated_at) * 1000000)::bigint
)sql";

absl::StatusOr<std::optional<PaymentAttempt>> PgPaymentStore::StartAttempt(const PaymentAttempt& draft,
                                                                           absl::Time now) {
  std::optional<PaymentAttempt> started;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    started.reset();
    if (pg::Exec(tx, kClaimOrderSql, draft.order_id, Micros(now)).affected_rows() != 1) return absl::OkStatus();
    pqxx::result inserted =
        pg::Exec(tx, kInsertAttemptSql, draft.order_id, draft.provider, draft.amount, draft.currency, Micros(now));
    PaymentAttempt attempt = draft;
    attempt.attempt_no = inserted[0][0].as<int>();
    attempt.status = AttemptStatus::kCreated;
    attempt.created_at = attempt.updated_at = absl::FromUnixMicros(Micros(now));
    started = attempt;
    return absl::OkStatus();
  }));
  return started;
}

absl::StatusOr<PaymentAttempt> PgPaymentStore::LatestAttempt(const std::string& order_id) {
  PaymentAttempt attempt;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) -> absl::Status {
    pqxx::result found =
        pg::Exec(tx,
                 absl::StrCat("SELECT ", kAttemptColumns,
                              " FROM payment_attempts WHERE order_id = $1 ORDER BY attempt_no DESC LIMIT 1"),
                 order_id);
    if (found.empty()) return NotFound("PAYMENT_NOT_FOUND", "no payment was started for this order");
    attempt = AttemptFromRow(found[0]);
    return absl::OkStatus();
  }));
  return attempt;
}

absl::StatusOr<bool> PgPaymentStore::RecordCreated(const PaymentAttempt& attempt,
                                                   const std::string& provider_payment_id, const std::string& pay_url,
                                                   absl::Time now) {
  bool recorded = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    recorded =
        pg::Exec(tx,
                 "UPDATE payment_attempts SET status = 'AWAITING_BUYER', provider_payment_id = $3, "
                 "pay_url = $4, updated_at = " +
                     pg::TimestampFromMicros(5) + " WHERE order_id = $1 AND attempt_no = $2 AND status = 'CREATED'",
                 attempt.order_id, attempt.attempt_no, provider_payment_id, pay_url, Micros(now))
            .affected_rows() == 1;
    return absl::OkStatus();
  }));
  return recorded;
}

absl::StatusOr<bool> PgPaymentStore::EndUnpaid(const PaymentAttempt& attempt, AttemptStatus to,
                                               const std::string& reason, absl::Time now) {
  bool ended = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ended =
        pg::Exec(tx,
                 "UPDATE payment_attempts SET status = $3, reason = $4, updated_at = " + pg::TimestampFromMicros(5) +
                     " WHERE order_id = $1 AND attempt_no = $2 AND status IN ('CREATED', 'AWAITING_BUYER')",
                 attempt.order_id, attempt.attempt_no, AttemptStatusName(to), reason, Micros(now))
            .affected_rows() == 1;
    if (!ended) return absl::OkStatus();
    pg::Exec(tx, kReopenOrderSql, attempt.order_id, Micros(now),
             to == AttemptStatus::kDeclined ? "PAYMENT_DECLINED" : "PAYMENT_NOT_MADE");
    return absl::OkStatus();
  }));
  return ended;
}

absl::StatusOr<bool> PgPaymentStore::Transition(const PaymentAttempt& attempt, const std::vector<AttemptStatus>& from,
                                                AttemptStatus to, const std::string& provider_payment_id,
                                                absl::Time now) {
  if (from.empty()) return false;
  bool moved = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    moved =
        // One text per set of `from` statuses: a handful in all, each prepared once per connection.
        pg::Exec(tx,
                 absl::StrCat("UPDATE payment_attempts SET status = $3, "
                              "provider_payment_id = CASE WHEN $4 = '' THEN provider_payment_id ELSE $4 END, "
                              "updated_at = ",
                              pg::TimestampFromMicros(5), " WHERE order_id = $1 AND attempt_no = $2 AND status IN (",
                              StatusList(from), ")"),
                 attempt.order_id, attempt.attempt_no, AttemptStatusName(to), provider_payment_id, Micros(now))
            .affected_rows() == 1;
    return absl::OkStatus();
  }));
  return moved;
}

absl::StatusOr<std::vector<PaymentAttempt>> PgPaymentStore::LeaseForSweep(const std::string& owner, absl::Time now,
                                                                          absl::Time stale_before,
                                                                          absl::Time lease_until, int limit) {
  std::vector<PaymentAttempt> leased;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    leased.clear();
    pqxx::result rows =
        tx.exec_params(kLeaseForSweepSql, owner, Micros(now), Micros(stale_before), Micros(lease_until), limit);
    for (const auto& row : rows) leased.push_back(AttemptFromRow(row));
    return absl::OkStatus();
  }));
  return leased;
}

absl::Status PgPaymentStore::ReleaseLease(const PaymentAttempt& attempt, const std::string& owner, absl::Time now) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params("UPDATE payment_attempts SET lease_owner = '', lease_until = '-infinity', updated_at = " +
                       pg::TimestampFromMicros(4) + " WHERE order_id = $1 AND attempt_no = $2 AND lease_owner = $3",
                   attempt.order_id, attempt.attempt_no, owner, Micros(now));
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::order
