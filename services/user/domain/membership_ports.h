// What membership needs from its store.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/user/domain/membership_model.h"

namespace zhongtai::user {

// The tier a member should have, given the member (locked) and its growth within the window.
using TierDecision = std::function<Tier(const Member& member, int64_t window_growth)>;

struct GrowthOutcome {
  // False when nothing changed: the order's growth was recorded before (a redelivery), or for a reversal
  // there was none to reverse (the order was never paid) or it was reversed before.
  bool applied = false;
  OrderGrowth order;  // the order's growth as stored (for a reversal: what was reversed)
  Member member;      // after
  int64_t window_growth = 0;
  std::optional<TierChange> change;
};

struct RefundOutcome {
  // False for a refund id seen before (then the other fields are as that refund recorded them) and for an order
  // with no growth (never paid here: order empty).
  bool applied = false;
  OrderGrowth order;            // after the refund
  int64_t refunded_before = 0;  // money refunded by earlier refunds of the order
  int64_t refunded_after = 0;   // including this one, at most what was paid
  bool completes = false;       // this refund made the order fully refunded
  Member member;
  int64_t window_growth = 0;
};

// Growth a refund total takes back of an order's growth (RefundedShare in membership_rules.h).
using RefundShare = std::function<int64_t(int64_t growth, int64_t paid_minor, int64_t refunded_minor, bool full)>;

class MembershipStore {
 public:
  virtual ~MembershipStore() = default;

  virtual absl::StatusOr<TierTable> LoadTiers() = 0;
  virtual absl::Status SaveTiers(const TierTable& table) = 0;

  // Atomically: records `growth` unless its order was recorded before (then applied=false and nothing
  // else happens); locks the member (created at normal on first use); sums the member's growth paid after
  // window_start and not reversed; asks `decide` for the tier; when it differs, writes the tier, a history
  // row and a TierChanged event (cause kGrowth) in the same transaction.
  virtual absl::StatusOr<GrowthOutcome> AddOrderGrowth(const OrderGrowth& growth, absl::Time window_start,
                                                       const TierDecision& decide) = 0;
  // Atomically: marks the order's growth reversed at `at` (applied=false when there is none or it was
  // reversed before), then the same as AddOrderGrowth.
  virtual absl::StatusOr<GrowthOutcome> ReverseOrderGrowth(const std::string& order_id, absl::Time at,
                                                           absl::Time window_start, const TierDecision& decide) = 0;
  // Atomically, once per (order, refund id): adds the refund to the order's refunded money (capped at what was
  // paid), sets the growth taken back to share(growth, paid, refunded, full) (with full = the refund says so or the
  // money is all refunded; then the order also counts as reversed at refund.at), records the refund, then the same
  // as AddOrderGrowth (with cause kGrowth). An order already reversed takes nothing more. A refund id seen before
  // changes nothing and answers what it recorded.
  virtual absl::StatusOr<RefundOutcome> ApplyOrderRefund(const OrderRefund& refund, absl::Time window_start,
                                                         const RefundShare& share, const TierDecision& decide) = 0;
  // Atomically: the daily evaluation of one member at `now` (cause kEvaluation); records evaluated_at = now.
  virtual absl::StatusOr<GrowthOutcome> Reevaluate(const std::string& user_id, absl::Time now, absl::Time window_start,
                                                   const TierDecision& decide) = 0;
  // Up to `limit` members last evaluated at or before `evaluated_before`.
  virtual absl::StatusOr<std::vector<std::string>> MembersDueForEvaluation(absl::Time evaluated_before, int limit) = 0;

  // The member (at normal when unknown) and its growth since window_start.
  virtual absl::StatusOr<std::pair<Member, int64_t>> Standing(const std::string& user_id, absl::Time window_start) = 0;
  // Newest first.
  virtual absl::StatusOr<std::vector<TierChange>> TierHistory(const std::string& user_id, int limit) = 0;
};

}  // namespace zhongtai::user
