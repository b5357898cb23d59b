#include "services/user/domain/points.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

absl::Status HoldNotFound() { return NotFound("POINTS_HOLD_NOT_FOUND", "this order holds no points"); }

absl::Status HoldReleased() {
  return FailedPrecondition("POINTS_HOLD_RELEASED", "this order's points were released; the order is over");
}

absl::Status CheckPoints(int64_t points) {
  if (points <= 0) return InvalidArgument("points", "POINTS_NOT_POSITIVE", "points must be positive");
  if (points > kMaxPointsPerCall) {
    return InvalidArgument("points", "POINTS_TOO_MANY", absl::StrCat("at most ", kMaxPointsPerCall, " points a call"));
  }
  return absl::OkStatus();
}

absl::Status CheckOrderId(const std::string& order_id) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  if (order_id.size() > 128) return InvalidArgument("orderId", "ORDER_ID_INVALID", "order id is too long");
  return absl::OkStatus();
}

absl::Status CheckReference(const std::string& reference) {
  if (reference.empty()) return InvalidArgument("reference", "POINTS_REFERENCE_MISSING", "reference is required");
  if (reference.size() > 200) return InvalidArgument("reference", "POINTS_REFERENCE_INVALID", "reference is too long");
  return absl::OkStatus();
}

}  // namespace

Points::Points(PointsStore& store, Clock& clock, PointsSettings settings)
    : store_(store), clock_(clock), settings_(std::move(settings)) {}

absl::StatusOr<EarnResult> Points::Earn(const EarnCommand& command) {
  if (command.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  RETURN_IF_ERROR(CheckPoints(command.points));
  RETURN_IF_ERROR(CheckReference(command.reference));
  EarnResult result;
  const absl::Time now = clock_.Now();
  PointsScope scope{command.user_id, "", command.reference, LedgerKind::kEarn, /*lots_to_cover=*/0, now};
  RETURN_IF_ERROR(store_.Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
    result = EarnResult{};
    PointsWork work(snapshot.account, now);
    if (snapshot.reference_used) {
      result.duplicate = true;
    } else {
      work.Earn(command.points, now + settings_.lot_lifetime, command.reason, command.reference);
      result.points = command.points;
    }
    PointsChange change = work.Finish();
    result.balance = change.balance_after;
    return change;
  }));
  return result;
}

absl::StatusOr<PointsHold> Points::Hold(const HoldCommand& command) {
  if (command.user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  RETURN_IF_ERROR(CheckOrderId(command.order_id));
  RETURN_IF_ERROR(CheckPoints(command.points));
  if (command.order_amount_minor < 0) {
    return InvalidArgument("orderAmount", "AMOUNT_NEGATIVE", "order amount must not be negative");
  }
  if (command.order_amount_minor > 0 &&
      command.points * 100 > command.order_amount_minor * settings_.max_redeem_percent) {
    return FailedPrecondition("POINTS_OVER_REDEEM_LIMIT",
                              absl::StrCat("points may pay at most ", settings_.max_redeem_percent, "% of the order"));
  }
  const absl::Time now = clock_.Now();
  PointsHold result;
  PointsScope scope{command.user_id, command.order_id, "", LedgerKind::kEarn, command.points, now};
  absl::Status updated = store_.Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
    if (snapshot.hold) {
      const PointsHold& existing = *snapshot.hold;
      if (existing.user_id != command.user_id || existing.points != command.points) {
        return AlreadyExists("POINTS_HOLD_CONFLICT", "this order already holds a different amount of points");
      }
      if (existing.status == HoldStatus::kReleased) return HoldReleased();
      result = existing;
      return PointsChange{};
    }
    PointsWork work(snapshot.account, now);
    ASSIGN_OR_RETURN(std::vector<LotTake> takes,
                     work.Take(command.points, LedgerKind::kRedeem, "redeemed for an order", command.order_id));
    result = PointsHold{};
    result.order_id = command.order_id;
    result.user_id = command.user_id;
    result.points = command.points;
    result.status = HoldStatus::kHeld;
    result.takes = std::move(takes);
    result.created_at = now;
    result.updated_at = now;
    result.expires_at = now + settings_.hold_ttl;
    work.SetHold(result);
    return work.Finish();
  });
  // Another account took this order id at the same moment.
  if (updated.code() == absl::StatusCode::kAlreadyExists && ReasonOf(updated) != "POINTS_HOLD_CONFLICT") {
    return AlreadyExists("POINTS_HOLD_CONFLICT", "this order already holds points of another account");
  }
  RETURN_IF_ERROR(updated);
  return result;
}

absl::StatusOr<PointsHold> Points::Commit(const std::string& order_id, const std::string& acting_user) {
  RETURN_IF_ERROR(CheckOrderId(order_id));
  ASSIGN_OR_RETURN(PointsHold found, store_.FindHold(order_id));
  if (!acting_user.empty() && found.user_id != acting_user) return HoldNotFound();
  const absl::Time now = clock_.Now();
  PointsHold result;
  PointsScope scope{found.user_id, order_id, "", LedgerKind::kEarn, /*lots_to_cover=*/0, now};
  RETURN_IF_ERROR(store_.Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
    if (!snapshot.hold) return HoldNotFound();
    result = *snapshot.hold;
    if (result.status == HoldStatus::kReleased) return HoldReleased();
    if (result.status == HoldStatus::kCommitted) return PointsChange{};
    result.status = HoldStatus::kCommitted;
    result.updated_at = now;
    PointsChange change;
    change.hold = result;
    change.balance_after = snapshot.account.balance;
    return change;
  }));
  return result;
}

absl::StatusOr<PointsHold> Points::Release(const std::string& order_id, const std::string& acting_user) {
  return ReleaseAs(order_id, acting_user, "order not paid");
}

absl::StatusOr<PointsHold> Points::ReleaseAs(const std::string& order_id, const std::string& acting_user,
                                             const std::string& reason) {
  RETURN_IF_ERROR(CheckOrderId(order_id));
  ASSIGN_OR_RETURN(PointsHold found, store_.FindHold(order_id));
  if (!acting_user.empty() && found.user_id != acting_user) return HoldNotFound();
  const absl::Time now = clock_.Now();
  PointsHold result;
  PointsScope scope{found.user_id, order_id, "", LedgerKind::kEarn, /*lots_to_cover=*/0, now};
  RETURN_IF_ERROR(store_.Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
    if (!snapshot.hold) return HoldNotFound();
    result = *snapshot.hold;
    if (result.status == HoldStatus::kCommitted) {
      return FailedPrecondition("POINTS_HOLD_COMMITTED", "this order was paid with its points; return them instead");
    }
    if (result.status == HoldStatus::kReleased) return PointsChange{};
    PointsWork work(snapshot.account, now);
    work.GiveBack(result.takes, result.points, LedgerKind::kRelease, reason, order_id);
    result.status = HoldStatus::kReleased;
    result.updated_at = now;
    work.SetHold(result);
    return work.Finish();
  }));
  return result;
}

absl::StatusOr<PointsHold> Points::Return(const ReturnCommand& command) {
  RETURN_IF_ERROR(CheckOrderId(command.order_id));
  RETURN_IF_ERROR(CheckReference(command.reference));
  if (command.points < 0) return InvalidArgument("points", "POINTS_NOT_POSITIVE", "points must not be negative");
  ASSIGN_OR_RETURN(PointsHold found, store_.FindHold(command.order_id));
  const absl::Time now = clock_.Now();
  const std::string reference = absl::StrCat(command.order_id, "/", command.reference);
  PointsHold result;
  PointsScope scope{found.user_id, command.order_id, reference, LedgerKind::kReturn, /*lots_to_cover=*/0, now};
  RETURN_IF_ERROR(store_.Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
    if (!snapshot.hold) return HoldNotFound();
    result = *snapshot.hold;
    if (snapshot.reference_used) return PointsChange{};
    if (result.status == HoldStatus::kReleased) return HoldReleased();
    if (result.status == HoldStatus::kHeld) {
      return FailedPrecondition("POINTS_HOLD_NOT_COMMITTED", "this order was not paid; release its points instead");
    }
    const int64_t left = result.points - result.returned;
    const int64_t points = command.points == 0 ? left : command.points;
    if (points > left) {
      return FailedPrecondition("POINTS_RETURN_EXCEEDS_REDEEMED",
                                absl::StrCat("only ", left, " points of this order can still be returned"));
    }
    if (points == 0) return PointsChange{};
    PointsWork work(snapshot.account, now);
    work.GiveBack(result.takes, points, LedgerKind::kReturn,
                  command.reason.empty() ? "order cancelled or refunded" : command.reason, reference);
    result.returned += points;
    result.updated_at = now;
    work.SetHold(result);
    return work.Finish();
  }));
  return result;
}

absl::StatusOr<int64_t> Points::Reverse(const std::string& user_id, const std::string& earn_reference, int64_t points,
                                        const std::string& reference, const std::string& reason) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  RETURN_IF_ERROR(CheckPoints(points));
  RETURN_IF_ERROR(CheckReference(reference));
  const absl::Time now = clock_.Now();
  int64_t taken = 0;
  PointsScope scope{user_id, "", reference, LedgerKind::kReverse};
  RETURN_IF_ERROR(store_.Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
    taken = 0;
    if (snapshot.reference_used) return PointsChange{};
    int64_t first_lot = 0;
    for (const PointsLot& lot : snapshot.account.lots) {
      if (lot.reference == earn_reference) first_lot = lot.lot_id;
    }
    PointsWork work(snapshot.account, now);
    taken = work.TakeUpTo(points, first_lot, LedgerKind::kReverse, reason, reference);
    return work.Finish();
  }));
  return taken;
}

absl::Status Points::ExpireNow(const std::string& user_id) {
  const absl::Time now = clock_.Now();
  return store_.Update({user_id, "", "", LedgerKind::kEarn, /*lots_to_cover=*/0, now},
                       [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
                         return PointsWork(snapshot.account, now).Finish();
                       });
}

absl::StatusOr<int> Points::Sweep() {
  constexpr int kBatch = 200;
  int changed = 0;
  // Each account handled leaves the due set, so every round makes progress; the bound stops a run that
  // cannot (an account failing every time) from spinning.
  for (int round = 0; round < 1000; ++round) {
    const absl::Time now = clock_.Now();
    ASSIGN_OR_RETURN(std::vector<std::string> due, store_.AccountsDue(now, kBatch));
    int failed = 0;
    for (const std::string& user_id : due) {
      absl::Status status = absl::OkStatus();
      absl::StatusOr<std::vector<std::string>> overdue = store_.OverdueHolds(user_id, now);
      if (!overdue.ok()) status = overdue.status();
      for (const std::string& order_id : overdue.ok() ? *overdue : std::vector<std::string>{}) {
        absl::StatusOr<PointsHold> released = ReleaseAs(order_id, "", "hold expired");
        // A commit that won the race is fine: the order was paid.
        if (!released.ok() && ReasonOf(released.status()) != "POINTS_HOLD_COMMITTED") status = released.status();
      }
      if (status.ok()) status = ExpireNow(user_id);
      if (status.ok()) {
        ++changed;
      } else {
        ++failed;
        log::Error("points sweep of an account failed", {{"user_id", user_id}, {"error", status.ToString()}});
      }
    }
    if (static_cast<int>(due.size()) < kBatch || failed == static_cast<int>(due.size())) break;
  }
  return changed;
}

absl::StatusOr<PointsSummary> Points::Summary(const std::string& user_id, absl::Duration expiring_within, int page_size,
                                              int64_t before_seq) {
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  if (page_size == 0) page_size = kDefaultLedgerPageSize;
  page_size = std::min(page_size, kMaxLedgerPageSize);
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(PointsAccount account, store_.Load({user_id}));
  if (SpendablePoints(account, now) != account.balance) {
    // Lots expired since the last sweep: expire them now, so what the customer sees adds up.
    RETURN_IF_ERROR(ExpireNow(user_id));
    ASSIGN_OR_RETURN(account, store_.Load({user_id}));
  }
  PointsSummary summary;
  summary.balance = account.balance;
  summary.expiring_soon = PointsExpiringWithin(account, now, expiring_within);
  summary.expiring_soon_until = now + expiring_within;
  ASSIGN_OR_RETURN(summary.page, store_.ListLedger(user_id, before_seq, page_size));
  return summary;
}

absl::StatusOr<int64_t> Points::Balance(const std::string& user_id) {
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(PointsAccount account, store_.Load({user_id, "", "", LedgerKind::kEarn, /*lots_to_cover=*/0, now}));
  return SpendableBalance(account, now);
}

}  // namespace zhongtai::user
