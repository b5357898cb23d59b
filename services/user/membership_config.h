// Settings of the membership part of the user service (points, tiers, the order events it follows), read from
// ZT_USER_*; kept apart from the account settings in config.h.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/user/domain/membership.h"
#include "services/user/domain/points.h"

namespace zhongtai::user {

struct MembershipConfig {
  // How long earned points last (ZT_USER_POINTS_LIFETIME).
  absl::Duration points_lifetime = absl::Hours(24 * 365);
  // A points hold neither committed nor released within this long is released (ZT_USER_POINTS_HOLD_TTL).
  absl::Duration points_hold_ttl = absl::Hours(24);
  // How often expired lots and forgotten holds are swept (ZT_USER_MEMBERSHIP_SWEEP_INTERVAL); each run is idempotent.
  absl::Duration membership_sweep_interval = absl::Hours(1);
  // At most this percentage of an order's amount may be paid with points (ZT_USER_POINTS_MAX_REDEEM_PERCENT).
  int points_max_redeem_percent = 50;
  // How long after its last evaluation a member's tier is evaluated again (ZT_USER_TIER_EVALUATION_INTERVAL).
  absl::Duration tier_evaluation_interval = absl::Hours(24);
  // An order event left unacknowledged this long by a consumer is taken over by another
  // (ZT_USER_EVENTS_CLAIM_IDLE).
  absl::Duration events_claim_idle = absl::Seconds(30);
};

// LoadConfig() (config.cc) reads them with the other ZT_USER_* settings.
PointsSettings PointsSettingsOf(const MembershipConfig& config);
MembershipSettings MembershipSettingsOf(const MembershipConfig& config);

}  // namespace zhongtai::user
