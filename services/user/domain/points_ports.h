// What the points ledger needs from its store.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/user/domain/points_rules.h"

namespace zhongtai::user {

// What an update may look at, loaded under the account's lock.
struct PointsSnapshot {
  PointsAccount account;           // created empty on first use
  std::optional<PointsHold> hold;  // the hold of PointsScope::order_id, whoever's it is
  bool reference_used = false;     // a ledger entry of PointsScope::reference_kind with PointsScope::reference exists
};

// PointsScope::lots_to_cover: every lot with points left.
inline constexpr int64_t kAllLots = -1;

struct PointsScope {
  std::string user_id;
  std::string order_id;   // optional: the hold to load (and the lots it took from)
  std::string reference;  // optional: the idempotency reference to look up
  LedgerKind reference_kind = LedgerKind::kEarn;
  // The live lots (not expired at `now`) to load: kAllLots, or n >= 0: the first ones in spending order that hold n
  // points (CoverPoints), all of them when they hold less; 0 for an update that spends nothing. An account of a
  // frequent buyer has hundreds of lots, and a redemption takes from one or two. The lots expired at `now` with points
  // left (Finish writes them off) and the lots of order_id's hold are loaded whatever this says.
  int64_t lots_to_cover = kAllLots;
  absl::Time now = absl::InfinitePast();  // what counts as expired when lots_to_cover is not kAllLots
};

using PointsDecision = std::function<absl::StatusOr<PointsChange>(const PointsSnapshot&)>;

struct LedgerPage {
  std::vector<LedgerEntry> entries;  // newest first
  int64_t next_before_seq = 0;       // 0 at the end
};

class PointsStore {
 public:
  virtual ~PointsStore() = default;

  // Atomically: locks the account of scope.user_id (so updates of one account run one at a time), loads the
  // snapshot, runs `decide` and writes its change: new lots, lot remainders, ledger entries, the hold, the
  // balance. A non-OK decision writes nothing and is returned as is. The store refuses (and writes nothing)
  // a change whose balance would go negative or differ from the ledger. ALREADY_EXISTS when the hold's
  // order id was taken concurrently by another account.
  virtual absl::Status Update(const PointsScope& scope, const PointsDecision& decide) = 0;

  // The account of scope.user_id without a lock (empty when it has none yet), with the lots scope.lots_to_cover asks
  // for; the order and the reference are not looked at.
  virtual absl::StatusOr<PointsAccount> Load(const PointsScope& scope) = 0;
  // The hold of an order; NOT_FOUND (POINTS_HOLD_NOT_FOUND) when none.
  virtual absl::StatusOr<PointsHold> FindHold(const std::string& order_id) = 0;
  // Up to `limit` accounts that have a lot expired at `now` with points left, or a hold still held past its expiry.
  virtual absl::StatusOr<std::vector<std::string>> AccountsDue(absl::Time now, int limit) = 0;
  // Held holds of `user_id` past their expiry at `now`.
  virtual absl::StatusOr<std::vector<std::string>> OverdueHolds(const std::string& user_id, absl::Time now) = 0;
  // Entries with seq < before_seq (any when 0), newest first.
  virtual absl::StatusOr<LedgerPage> ListLedger(const std::string& user_id, int64_t before_seq, int limit) = 0;
};

}  // namespace zhongtai::user
