#include "services/user/membership_config.h"

#include "absl/strings/numbers.h"

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

RewardSettings RewardSettingsOf(const MembershipConfig& config) {
  RewardSettings settings;
  settings.sign_in_points = config.sign_in_points;
  settings.review_points = config.review_points;
  settings.shop_time_zone = config.shop_zone;
  return settings;
}

bool ParseShopTimeZone(const std::string& text, absl::TimeZone* zone) {
  if (text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':') {
    int hours = 0;
    int minutes = 0;
    if (!absl::SimpleAtoi(text.substr(1, 2), &hours) || !absl::SimpleAtoi(text.substr(4, 2), &minutes) || hours > 14 ||
        minutes > 59) {
      return false;
    }
    const int seconds = (hours * 3600 + minutes * 60) * (text[0] == '-' ? -1 : 1);
    *zone = absl::FixedTimeZone(seconds);
    return true;
  }
  if (text == "UTC") {
    *zone = absl::UTCTimeZone();
    return true;
  }
  return !text.empty() && absl::LoadTimeZone(text, zone);
}

}  // namespace zhongtai::user
