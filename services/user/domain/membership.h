// Membership tiers and growth (成长值): the tier table the admin edits, growth from paid orders (once per order,
// reversed when a paid order is cancelled or refunded), the tier that rises as soon as growth crosses a
// threshold and the daily re-evaluation over a rolling 12-month window that lowers it by at most one tier.
// Paid orders also earn points at the tier's rate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/lifecycle_rules.h"
#include "services/user/domain/membership_ports.h"
#include "services/user/domain/membership_rules.h"
#include "services/user/domain/points.h"

namespace zhongtai::user {

struct MembershipSettings {
  // A member is re-evaluated once this long after the last evaluation.
  absl::Duration evaluation_interval = absl::Hours(24);
};

struct PaidOrder {
  std::string user_id;
  std::string order_id;
  int64_t amount_minor = 0;  // what was paid, fen
  absl::Time paid_at;
};

// What marketing and the order saga see of a member, and the customer on GET /v1/users/me.
struct MemberView {
  std::string user_id;
  TierRule tier;  // the member's tier and its benefits
  absl::Time tier_since;
  int64_t growth = 0;  // within the rolling window
  std::optional<TierRule> next_tier;
  int64_t growth_to_next_tier = 0;
  int64_t points_balance = 0;
  // Filled for internal callers only (GetMember), not for the customer's own view.
  std::vector<std::string> tags;
  std::optional<LifecycleStage> lifecycle_stage;
};

// The points a paid order earns carry this reference (Points::Earn is once per reference).
std::string OrderPaidPointsReference(const std::string& order_id);

class Membership {
 public:
  Membership(MembershipStore& store, Points& points, Clock& clock, MembershipSettings settings);

  absl::StatusOr<TierTable> GetTiers();
  // INVALID_ARGUMENT as ValidateTierTable says. Members move to their new tiers at their next evaluation.
  absl::StatusOr<TierTable> UpdateTiers(TierTable table);

  // Growth once per order (a redelivery changes nothing), the tier up at once, and points at the rate of the
  // tier the member had when paying. INVALID_ARGUMENT for a missing user or order id or a negative amount.
  absl::Status OnOrderPaid(const PaidOrder& order);
  // A paid order was cancelled or refunded: its growth and the points it earned are taken back (once; the
  // points never below zero), less what partial refunds took back already. The tier stays until the next
  // evaluation. Nothing for an order never paid.
  absl::Status OnOrderReversed(const std::string& order_id, absl::Time at);
  // A refund (after-sales) of part or the rest of a paid order: growth and earned points are taken back in
  // proportion to the money refunded of the money paid (RefundedShare: never more in all than the order earned;
  // the refund that completes the order's refund takes exactly the rest). Once per refund id whatever the
  // redelivery; the points never below zero. The tier stays until the next evaluation (it only rises at once).
  // The redeemed points of the refunded lines come back through ReturnPoints (the order center's call), not here.
  // INVALID_ARGUMENT for a missing order or refund id or a negative amount. Nothing for an order never paid.
  absl::Status OnOrderRefunded(const OrderRefund& refund);

  // Re-evaluates every member due; returns how many tiers changed.
  absl::StatusOr<int> EvaluateDue();

  absl::StatusOr<MemberView> GetMember(const std::string& user_id);
  absl::StatusOr<std::vector<TierChange>> TierHistory(const std::string& user_id);

 private:
  absl::Time WindowStart(absl::Time now) const { return now - kGrowthWindow; }

  MembershipStore& store_;
  Points& points_;
  Clock& clock_;
  MembershipSettings settings_;
};

}  // namespace zhongtai::user
