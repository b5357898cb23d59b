#include "services/user/domain/points_rules.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {
bool SpendsBefore(const PointsLot& a, const PointsLot& b) {
  return std::tie(a.expires_at, a.lot_id) < std::tie(b.expires_at, b.lot_id);
}

bool CoverPoints(const std::vector<PointsLot>& lots, int64_t points) {
  int64_t total = 0;
  for (const PointsLot& lot : lots) total += lot.remaining;
  return total >= points;
}

const char* HoldStatusName(HoldStatus status) {
  switch (status) {
    case HoldStatus::kHeld: return "held";
    case HoldStatus::kCommitted: return "committed";
    case HoldStatus::kReleased: return "released";
  }
  return "held";
}

const char* LedgerKindName(LedgerKind kind) {
  switch (kind) {
    case LedgerKind::kEarn: return "earn";
    case LedgerKind::kRedeem: return "redeem";
    case LedgerKind::kRelease: return "release";
    case LedgerKind::kReturn: return "return";
    case LedgerKind::kReverse: return "reverse";
    case LedgerKind::kExpire: return "expire";
  }
  return "earn";
}

bool ParseLedgerKind(const std::string& name, LedgerKind* kind) {
  for (LedgerKind k : {LedgerKind::kEarn, LedgerKind::kRedeem, LedgerKind::kRelease, LedgerKind::kReturn,
                       LedgerKind::kReverse, LedgerKind::kExpire}) {
    if (name == LedgerKindName(k)) {
      *kind = k;
      return true;
    }
  }
  return false;
}

int64_t SpendablePoints(const PointsAccount& account, absl::Time now) {
  int64_t total = 0;
  for (const PointsLot& lot : account.lots) {
    if (!LotExpired(lot, now)) total += lot.remaining;
  }
  return total;
}

int64_t SpendableBalance(const PointsAccount& account, absl::Time now) {
  int64_t expired = 0;
  for (const PointsLot& lot : account.lots) {
    if (LotExpired(lot, now)) expired += lot.remaining;
  }
  return account.balance - expired;
}

int64_t PointsExpiringWithin(const PointsAccount& account, absl::Time now, absl::Duration within) {
  int64_t total = 0;
  for (const PointsLot& lot : account.lots) {
    if (!LotExpired(lot, now) && lot.expires_at <= now + within) total += lot.remaining;
  }
  return total;
}

PointsWork::PointsWork(PointsAccount account, absl::Time now)
    : account_(std::move(account)), now_(now), balance_(account_.balance) {
  std::sort(account_.lots.begin(), account_.lots.end(), SpendsBefore);
}

int64_t PointsWork::spendable() const { return SpendablePoints(account_, now_); }

PointsLot* PointsWork::FindLot(int64_t lot_id) {
  for (PointsLot& lot : account_.lots) {
    if (lot.lot_id == lot_id) return &lot;
  }
  return nullptr;
}

void PointsWork::Record(LedgerKind kind, int64_t delta, const std::string& reason, const std::string& reference) {
  balance_ += delta;
  LedgerEntry entry;
  entry.user_id = account_.user_id;
  entry.kind = kind;
  entry.delta = delta;
  entry.balance_after = balance_;
  entry.reason = reason;
  entry.reference = reference;
  entry.at = now_;
  change_.entries.push_back(std::move(entry));
}

void PointsWork::SetRemaining(PointsLot& lot, int64_t remaining) {
  lot.remaining = remaining;
  change_.lot_remaining[lot.lot_id] = remaining;
}

void PointsWork::Earn(int64_t points, absl::Time expires_at, const std::string& reason, const std::string& reference) {
  PointsLot lot;
  lot.user_id = account_.user_id;
  lot.original = points;
  lot.remaining = points;
  lot.earned_at = now_;
  lot.expires_at = expires_at;
  lot.reference = reference;
  change_.new_lots.push_back(std::move(lot));
  Record(LedgerKind::kEarn, points, reason, reference);
}

absl::StatusOr<std::vector<LotTake>> PointsWork::Take(int64_t points, LedgerKind kind, const std::string& reason,
                                                      const std::string& reference) {
  const int64_t available = spendable();
  if (available < points) {
    return FailedPrecondition("INSUFFICIENT_POINTS",
                              absl::StrCat("only ", available, " points can be spent, ", points, " asked"));
  }
  std::vector<LotTake> takes;
  int64_t left = points;
  for (PointsLot& lot : account_.lots) {
    if (left == 0) break;
    if (LotExpired(lot, now_) || lot.remaining == 0) continue;
    const int64_t taken = std::min(left, lot.remaining);
    SetRemaining(lot, lot.remaining - taken);
    takes.push_back({lot.lot_id, taken, 0});
    left -= taken;
  }
  Record(kind, -points, reason, reference);
  return takes;
}

int64_t PointsWork::TakeUpTo(int64_t points, int64_t first_lot, LedgerKind kind, const std::string& reason,
                             const std::string& reference) {
  int64_t left = std::min(points, spendable());
  const int64_t total = left;
  auto take_from = [&](PointsLot& lot) {
    if (left == 0 || LotExpired(lot, now_) || lot.remaining == 0) return;
    const int64_t taken = std::min(left, lot.remaining);
    SetRemaining(lot, lot.remaining - taken);
    left -= taken;
  };
  if (PointsLot* first = FindLot(first_lot)) take_from(*first);
  for (PointsLot& lot : account_.lots) take_from(lot);
  if (total > 0) Record(kind, -total, reason, reference);
  return total;
}

void PointsWork::GiveBack(std::vector<LotTake>& takes, int64_t points, LedgerKind kind, const std::string& reason,
                          const std::string& reference) {
  int64_t left = points;
  // Latest-expiring first: what the customer gets back lasts as long as possible.
  for (auto it = takes.rbegin(); it != takes.rend() && left > 0; ++it) {
    PointsLot* lot = FindLot(it->lot_id);
    const int64_t back = std::min(left, it->points - it->returned);
    if (lot == nullptr || back <= 0) continue;
    it->returned += back;
    left -= back;
    SetRemaining(*lot, lot->remaining + back);
  }
  if (points > left) Record(kind, points - left, reason, reference);
}

PointsChange PointsWork::Finish() {
  for (PointsLot& lot : account_.lots) {
    if (!LotExpired(lot, now_) || lot.remaining == 0) continue;
    const int64_t expired = lot.remaining;
    SetRemaining(lot, 0);
    Record(LedgerKind::kExpire, -expired, "points expired", absl::StrCat("lot:", lot.lot_id));
  }
  change_.balance_after = balance_;
  return std::move(change_);
}

}  // namespace zhongtai::user
