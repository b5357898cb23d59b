// Settings of the membership part of the user service (points, tiers, the order events it follows), read from
// ZT_USER_*; kept apart from the account settings in config.h.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/user/domain/lifecycle_rules.h"
#include "services/user/domain/membership.h"
#include "services/user/domain/points.h"
#include "services/user/domain/rewards.h"

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
  // Lifecycle thresholds (ZT_USER_LIFECYCLE_NEW_WINDOW, ZT_USER_LIFECYCLE_DORMANT_AFTER,
  // ZT_USER_LIFECYCLE_CHURNED_AFTER) and how often the stages due are decided again
  // (ZT_USER_LIFECYCLE_SWEEP_INTERVAL; each run is idempotent).
  LifecycleSettings lifecycle;
  absl::Duration lifecycle_sweep_interval = absl::Hours(24);
  // Points of the day's first sign-in, 0: sign-in off (ZT_USER_SIGN_IN_POINTS); points for a product review, 0:
  // none (ZT_USER_REVIEW_POINTS); the shop's calendar (ZT_USER_SHOP_TIME_ZONE: an IANA name or a fixed offset
  // such as "+08:00").
  int64_t sign_in_points = 0;
  int64_t review_points = 0;
  std::string shop_time_zone = "+08:00";
  absl::TimeZone shop_zone = absl::FixedTimeZone(8 * 3600);
  // The most rows GET /v1/admin/users/recall.csv holds (ZT_USER_RECALL_EXPORT_MAX_ROWS).
  int recall_export_max_rows = 10000;
};

// LoadConfig() (config.cc) reads them with the other ZT_USER_* settings.
PointsSettings PointsSettingsOf(const MembershipConfig& config);
MembershipSettings MembershipSettingsOf(const MembershipConfig& config);
RewardSettings RewardSettingsOf(const MembershipConfig& config);

// "+08:00", "-05:30", "UTC" or an IANA name the system's time zone database knows; false otherwise.
bool ParseShopTimeZone(const std::string& text, absl::TimeZone* zone);

}  // namespace zhongtai::user
