// The points (积分) ledger of every customer: earning in lots that expire, the two-step redemption that the
// order saga drives (hold at checkout, commit on payment, release when the order is not paid), points given
// back after a cancellation or refund, and the sweep that expires lots and releases forgotten holds.
// Every change of an account runs under that account's lock (PointsStore::Update), so the balance never
// goes negative, no point is spent twice, and the balance always equals the sum of the ledger.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/points_ports.h"

namespace zhongtai::user {

struct PointsSettings {
  // How long earned points last.
  absl::Duration lot_lifetime = absl::Hours(24 * 365);
  // A hold neither committed nor released within this long is released by the sweep (the order saga's
  // unpaid timeout is far shorter; this only catches holds whose order never came to be).
  absl::Duration hold_ttl = absl::Hours(24);
  // At most this share of an order's amount may be paid with points.
  int max_redeem_percent = 50;
};

inline constexpr int64_t kMaxPointsPerCall = 100000000;
inline constexpr int kMaxLedgerPageSize = 100;
inline constexpr int kDefaultLedgerPageSize = 20;

struct EarnCommand {
  std::string user_id;
  int64_t points = 0;
  std::string reason;     // shown to the customer
  std::string reference;  // the earn's idempotency key, e.g. "order-paid:o_1"
};

struct EarnResult {
  int64_t points = 0;      // earned by this reference (0 when none)
  bool duplicate = false;  // the reference had earned already; nothing changed
  int64_t balance = 0;
};

struct HoldCommand {
  std::string user_id;
  std::string order_id;
  int64_t points = 0;
  // The order's amount in fen when known: points (1 point = 1 fen) may pay at most max_redeem_percent of it.
  int64_t order_amount_minor = 0;
};

struct ReturnCommand {
  std::string order_id;
  int64_t points = 0;     // 0: everything still redeemed
  std::string reference;  // the cancellation or refund; a replay with the same reference changes nothing
  std::string reason;
};

struct PointsSummary {
  int64_t balance = 0;
  int64_t expiring_soon = 0;  // points that expire within the asked window
  absl::Time expiring_soon_until;
  LedgerPage page;
};

class Points {
 public:
  Points(PointsStore& store, Clock& clock, PointsSettings settings);

  // A new lot, once per reference: a replay answers duplicate=true. INVALID_ARGUMENT for non-positive points
  // (POINTS_NOT_POSITIVE), a missing reference (POINTS_REFERENCE_MISSING).
  absl::StatusOr<EarnResult> Earn(const EarnCommand& command);

  // Holds points for an order, oldest lots first. Idempotent per order id: the same order's hold again answers
  // the hold as it is. FAILED_PRECONDITION INSUFFICIENT_POINTS, POINTS_OVER_REDEEM_LIMIT, POINTS_HOLD_RELEASED
  // (this order's points were released: the order is over); ALREADY_EXISTS POINTS_HOLD_CONFLICT when the order
  // already holds another amount or belongs to another user.
  absl::StatusOr<PointsHold> Hold(const HoldCommand& command);
  // The order was paid: the held points are spent. Idempotent. NOT_FOUND POINTS_HOLD_NOT_FOUND (also for
  // another user's order when `acting_user` is set); FAILED_PRECONDITION POINTS_HOLD_RELEASED.
  absl::StatusOr<PointsHold> Commit(const std::string& order_id, const std::string& acting_user);
  // The order will not be paid: the held points are spendable again. Idempotent. NOT_FOUND
  // POINTS_HOLD_NOT_FOUND; FAILED_PRECONDITION POINTS_HOLD_COMMITTED (the order was paid: return instead).
  absl::StatusOr<PointsHold> Release(const std::string& order_id, const std::string& acting_user);
  // A paid order was cancelled or refunded: gives back `points` of what it redeemed, into the lots they came
  // from. Idempotent per reference. FAILED_PRECONDITION POINTS_HOLD_NOT_COMMITTED, POINTS_HOLD_RELEASED,
  // POINTS_RETURN_EXCEEDS_REDEEMED.
  absl::StatusOr<PointsHold> Return(const ReturnCommand& command);
  // Takes back up to `points` earned under `earn_reference` (an order refunded after it earned points), first
  // from that lot, then from the oldest; never below zero. Idempotent per `reference`. Returns points taken.
  absl::StatusOr<int64_t> Reverse(const std::string& user_id, const std::string& earn_reference, int64_t points,
                                  const std::string& reference, const std::string& reason);

  // Expires every lot past its expiry and releases every hold past its hold_ttl. Idempotent: a second run
  // finds nothing. Returns the accounts it changed.
  absl::StatusOr<int> Sweep();

  // Balance, points expiring within `expiring_within`, and a page of the ledger (newest first) before
  // `before_seq` (0: from the newest).
  absl::StatusOr<PointsSummary> Summary(const std::string& user_id, absl::Duration expiring_within, int page_size,
                                        int64_t before_seq);
  // The spendable balance, expiry applied.
  absl::StatusOr<int64_t> Balance(const std::string& user_id);

 private:
  absl::Status ExpireNow(const std::string& user_id);
  absl::StatusOr<PointsHold> ReleaseAs(const std::string& order_id, const std::string& acting_user,
                                       const std::string& reason);

  PointsStore& store_;
  Clock& clock_;
  PointsSettings settings_;
};

}  // namespace zhongtai::user
