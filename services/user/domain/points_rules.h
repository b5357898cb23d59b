// The points ledger's rules on one account, without a store: what an earn, a redemption, a release, a return,
// a reversal or the expiry does to the lots and the ledger. A PointsWork starts from the account as loaded under
// its lock and collects the change that the store then writes in the same transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/user/domain/points_model.h"

namespace zhongtai::user {

// One account as the store loads it under the account's lock.
struct PointsAccount {
  std::string user_id;
  int64_t balance = 0;
  // The lots with points left that the update needs (PointsScope::lots_to_cover: all of them, or the first ones in
  // spending order), every lot with points left that expired, and every lot the order in question took from (a
  // release or return puts points back there).
  std::vector<PointsLot> lots;
};

// What one operation changes; the store applies it atomically.
struct PointsChange {
  std::vector<PointsLot> new_lots;           // lot_id assigned by the store
  std::map<int64_t, int64_t> lot_remaining;  // lot_id -> remaining after the change
  std::vector<LedgerEntry> entries;          // in order; seq assigned by the store
  std::optional<PointsHold> hold;            // inserted or updated (by order id)
  int64_t balance_after = 0;

  bool empty() const { return new_lots.empty() && lot_remaining.empty() && entries.empty() && !hold; }
};

// A lot is spent or expired once `now` reaches its expiry.
inline bool LotExpired(const PointsLot& lot, absl::Time now) { return lot.expires_at <= now; }

// Spending order: the lot that expires first, then the one earned first.
bool SpendsBefore(const PointsLot& a, const PointsLot& b);

// Whether `lots` (live lots, in spending order, the first ones of an account) hold at least `points`: then spending
// `points` takes from these lots only, and the account's later lots need not be loaded.
bool CoverPoints(const std::vector<PointsLot>& lots, int64_t points);

// Points that can be spent now: the rest of the lots not yet expired.
int64_t SpendablePoints(const PointsAccount& account, absl::Time now);
// The same from the balance (the sum of every lot's points) less the expired lots' points: needs only the expired
// lots loaded.
int64_t SpendableBalance(const PointsAccount& account, absl::Time now);
// Points that expire after now and no later than now + within.
int64_t PointsExpiringWithin(const PointsAccount& account, absl::Time now, absl::Duration within);

class PointsWork {
 public:
  PointsWork(PointsAccount account, absl::Time now);

  int64_t spendable() const;
  int64_t balance() const { return balance_; }

  // A new lot of `points` expiring at `expires_at`.
  void Earn(int64_t points, absl::Time expires_at, const std::string& reason, const std::string& reference);
  // Takes `points` from the lots that expire first (unexpired only). FAILED_PRECONDITION INSUFFICIENT_POINTS
  // when fewer are spendable; nothing is taken then.
  absl::StatusOr<std::vector<LotTake>> Take(int64_t points, LedgerKind kind, const std::string& reason,
                                            const std::string& reference);
  // Takes up to `points`, from `first_lot` (when it is still live) and then from the lots that expire first;
  // never more than is spendable. Returns how many were taken (the rest is forgiven: the balance never goes
  // negative).
  int64_t TakeUpTo(int64_t points, int64_t first_lot, LedgerKind kind, const std::string& reason,
                   const std::string& reference);
  // Puts `points` back into the lots of `takes` (latest-expiring first), counting them in each take's
  // `returned`. Points put back into an expired lot expire at once (Finish).
  void GiveBack(std::vector<LotTake>& takes, int64_t points, LedgerKind kind, const std::string& reason,
                const std::string& reference);
  void SetHold(PointsHold hold) { change_.hold = std::move(hold); }

  // Expires the rest of every expired lot (one kExpire entry per lot) and returns the change.
  PointsChange Finish();

 private:
  PointsLot* FindLot(int64_t lot_id);
  void Record(LedgerKind kind, int64_t delta, const std::string& reason, const std::string& reference);
  void SetRemaining(PointsLot& lot, int64_t remaining);

  PointsAccount account_;
  const absl::Time now_;
  int64_t balance_;
  PointsChange change_;
};

}  // namespace zhongtai::user
