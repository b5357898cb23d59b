// Membership's rules without a store: the tier table's validity, which tier a growth qualifies for, how a tier
// moves (up at once; down by at most one tier per daily evaluation), and what a paid order earns.
#pragma once

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "services/user/domain/membership_model.h"

namespace zhongtai::user {

// Growth counts the paid orders of this long before now.
inline constexpr absl::Duration kGrowthWindow = absl::Hours(24 * 365);
inline constexpr int kMaxTierNameChars = 32;
inline constexpr int kMinPointsMultiplierPercent = 0;
inline constexpr int kMaxPointsMultiplierPercent = 1000;

// The table a fresh database starts with (the migration seeds the same).
TierTable DefaultTierTable();

// INVALID_ARGUMENT naming the field (tiers[i].xxx): exactly the four tiers in rank order (TIERS_INCOMPLETE),
// normal at growth 0 (TIER_THRESHOLD_INVALID), thresholds strictly increasing (TIER_THRESHOLDS_NOT_INCREASING),
// a name of 1 to 32 characters (TIER_NAME_INVALID), a points multiplier of 0 to 1000 percent
// (TIER_MULTIPLIER_INVALID), a free-shipping threshold of 0 or more (TIER_FREE_SHIPPING_INVALID), ids of at most
// 64 characters (TIER_BENEFIT_INVALID).
absl::Status ValidateTierTable(const TierTable& table);

// The highest tier whose threshold `growth` reaches.
Tier QualifiedTier(const TierTable& table, int64_t growth);
const TierRule& RuleOf(const TierTable& table, Tier tier);

// After growth came in: up to the qualified tier at once, never down.
Tier TierAfterGrowth(Tier current, Tier qualified);
// At the daily evaluation: up to the qualified tier, or down by one tier when it qualifies for less.
Tier TierAfterEvaluation(Tier current, Tier qualified);

// 1 growth per whole yuan paid.
int64_t GrowthForPaidAmount(int64_t amount_minor);
// 1 point per whole yuan paid, times the tier's multiplier.
int64_t PointsForPaidAmount(int64_t amount_minor, int multiplier_percent);

// The part of `earned` (growth or points an order earned) that refunds totalling `refunded_minor` of the
// `paid_minor` take back: in proportion, rounded down, never more than `earned`; all of it once the order is fully
// refunded (`full`, or refunds reaching what was paid), so the refund that completes it takes exactly the remainder.
// Computed on the running total, so rounding never drifts however many refunds there are.
int64_t RefundedShare(int64_t earned, int64_t paid_minor, int64_t refunded_minor, bool full);

}  // namespace zhongtai::user
