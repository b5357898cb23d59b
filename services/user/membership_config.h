// Settings of the membership part of the user service (points), read from ZT_USER_POINTS_*; kept apart from
// the account settings in config.h.
#pragma once

#include "absl/time/time.h"
#include "common/config/env.h"
#include "services/user/domain/points.h"

namespace zhongtai::user {

struct MembershipConfig {
  // How long earned points last (ZT_USER_POINTS_LIFETIME).
  absl::Duration points_lifetime = absl::Hours(24 * 365);
  // A points hold neither committed nor released within this long is released (ZT_USER_POINTS_HOLD_TTL).
  absl::Duration points_hold_ttl = absl::Hours(24);
  // How often expired lots and forgotten holds are swept (ZT_USER_POINTS_SWEEP_INTERVAL); each run is idempotent.
  absl::Duration points_sweep_interval = absl::Hours(1);
  // At most this percentage of an order's amount may be paid with points (ZT_USER_POINTS_MAX_REDEEM_PERCENT).
  int points_max_redeem_percent = 50;
};

// Reads the settings from `env` (prefix ZT_USER_); bad values are reported by env.Finish().
MembershipConfig LoadMembershipConfig(config::Env& env);

PointsSettings PointsSettingsOf(const MembershipConfig& config);

}  // namespace zhongtai::user
