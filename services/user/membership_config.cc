#include "services/user/membership_config.h"

namespace zhongtai::user {

PointsSettings PointsSettingsOf(const MembershipConfig& config) {
  PointsSettings settings;
  settings.lot_lifetime = config.points_lifetime;
  settings.hold_ttl = config.points_hold_ttl;
  settings.max_redeem_percent = config.points_max_redeem_percent;
  return settings;
}

MembershipSettings MembershipSettingsOf(const MembershipConfig& config) {
  MembershipSettings settings;
  settings.evaluation_interval = config.tier_evaluation_interval;
  return settings;
}

}  // namespace zhongtai::user
