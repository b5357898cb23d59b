#include "services/user/membership_config.h"

namespace zhongtai::user {

MembershipConfig LoadMembershipConfig(config::Env& env) {
  MembershipConfig config;
  config.points_lifetime =
      env.Duration("POINTS_LIFETIME", config.points_lifetime, absl::Hours(1), absl::Hours(24 * 366 * 10));
  config.points_hold_ttl = env.Duration("POINTS_HOLD_TTL", config.points_hold_ttl, absl::Minutes(5), absl::Hours(24 * 30));
  config.points_sweep_interval =
      env.Duration("POINTS_SWEEP_INTERVAL", config.points_sweep_interval, absl::Seconds(1), absl::Hours(24));
  config.points_max_redeem_percent =
      static_cast<int>(env.Int("POINTS_MAX_REDEEM_PERCENT", config.points_max_redeem_percent, 1, 100));
  return config;
}

PointsSettings PointsSettingsOf(const MembershipConfig& config) {
  PointsSettings settings;
  settings.lot_lifetime = config.points_lifetime;
  settings.hold_ttl = config.points_hold_ttl;
  settings.max_redeem_percent = config.points_max_redeem_percent;
  return settings;
}

}  // namespace zhongtai::user
