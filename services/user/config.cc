#include "services/user/config.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/token.h"
#include "common/config/env.h"

namespace zhongtai::user {
namespace {

// The membership settings (membership_config.h), kept apart from the account settings in LoadConfig().
MembershipConfig LoadMembershipConfig(config::Env& env) {
  MembershipConfig membership;
  membership.points_lifetime =
      env.Duration("POINTS_LIFETIME", membership.points_lifetime, absl::Hours(1), absl::Hours(24 * 366 * 10));
  membership.points_hold_ttl =
      env.Duration("POINTS_HOLD_TTL", membership.points_hold_ttl, absl::Minutes(5), absl::Hours(24 * 30));
  membership.membership_sweep_interval = env.Duration("MEMBERSHIP_SWEEP_INTERVAL", membership.membership_sweep_interval,
                                                      absl::Seconds(1), absl::Hours(24));
  membership.points_max_redeem_percent =
      static_cast<int>(env.Int("POINTS_MAX_REDEEM_PERCENT", membership.points_max_redeem_percent, 1, 100));
  membership.tier_evaluation_interval = env.Duration("TIER_EVALUATION_INTERVAL", membership.tier_evaluation_interval,
                                                     absl::Minutes(1), absl::Hours(24 * 31));
  membership.events_claim_idle =
      env.Duration("EVENTS_CLAIM_IDLE", membership.events_claim_idle, absl::Seconds(1), absl::Hours(1));
  membership.lifecycle.new_window =
      env.Duration("LIFECYCLE_NEW_WINDOW", membership.lifecycle.new_window, absl::Hours(1), absl::Hours(24 * 3660));
  membership.lifecycle.dormant_after = env.Duration("LIFECYCLE_DORMANT_AFTER", membership.lifecycle.dormant_after,
                                                    absl::Hours(1), absl::Hours(24 * 3660));
  membership.lifecycle.churned_after = env.Duration("LIFECYCLE_CHURNED_AFTER", membership.lifecycle.churned_after,
                                                    absl::Hours(1), absl::Hours(24 * 3660));
  membership.lifecycle_sweep_interval = env.Duration("LIFECYCLE_SWEEP_INTERVAL", membership.lifecycle_sweep_interval,
                                                     absl::Seconds(1), absl::Hours(24 * 7));
  membership.sign_in_points = env.Int("SIGN_IN_POINTS", membership.sign_in_points, 0, 100000);
  membership.review_points = env.Int("REVIEW_POINTS", membership.review_points, 0, 100000);
  membership.shop_time_zone = env.String("SHOP_TIME_ZONE", membership.shop_time_zone);
  membership.recall_export_max_rows =
      static_cast<int>(env.Int("RECALL_EXPORT_MAX_ROWS", membership.recall_export_max_rows, 1, 30000));
  return membership;
}

}  // namespace

absl::StatusOr<UserConfig> LoadConfig() {
  config::Env env("ZT_USER_");
  server::ServiceDefaults defaults;
  defaults.service = "user";
  defaults.grpc_port = 50054;
  defaults.metrics_port = 9104;
  defaults.redis_address = "127.0.0.1:6379";  // the order events membership follows, the TierChanged stream
  UserConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.access_ttl = env.Duration("ACCESS_TTL", config.access_ttl, absl::Minutes(1), absl::Hours(24));
  config.refresh_ttl = env.Duration("REFRESH_TTL", config.refresh_ttl, absl::Hours(1), absl::Hours(365 * 24));
  std::string signing_key = env.Shared("ZT_AUTH_SIGNING_KEY", "");
  config.admin_login = env.String("ADMIN_LOGIN", "");
  config.admin_password = env.String("ADMIN_PASSWORD", "");
  config.password_hash_concurrency =
      static_cast<int>(env.Int("PASSWORD_HASH_CONCURRENCY", config.password_hash_concurrency, 1, 64));
  config.password_hash_wait =
      env.Duration("PASSWORD_HASH_WAIT", config.password_hash_wait, absl::ZeroDuration(), absl::Seconds(30));
  config.login_max_failures = static_cast<int>(env.Int("LOGIN_MAX_FAILURES", config.login_max_failures, 1, 1000));
  config.login_failure_window =
      env.Duration("LOGIN_FAILURE_WINDOW", config.login_failure_window, absl::Seconds(1), absl::Hours(24));
  config.login_lockout = env.Duration("LOGIN_LOCKOUT", config.login_lockout, absl::Seconds(1), absl::Hours(24));
  config.session_max_lifetime =
      env.Duration("SESSION_MAX_LIFETIME", config.session_max_lifetime, absl::Hours(1), absl::Hours(24 * 366));
  config.membership = LoadMembershipConfig(env);
  // The services a data export gathers from (their ExportUserData RPCs).
  config.order_address = env.HostPort("ORDER_ADDR", "127.0.0.1:50052");
  config.marketing_address = env.HostPort("MARKETING_ADDR", "127.0.0.1:50053");
  config.datahub_address = env.HostPort("DATAHUB_ADDR", "127.0.0.1:50055");

  std::vector<std::string> errors;
  if (absl::Status status = env.Finish(); !status.ok()) errors.emplace_back(status.message());
  absl::StatusOr<std::string> key = auth::DecodeKey(signing_key);
  if (!key.ok()) {
    errors.push_back("ZT_AUTH_SIGNING_KEY must be the base64 32-byte seed of the Ed25519 key that signs access tokens");
  } else {
    config.token_signing_key = *key;
  }
  if (!ValidateLifecycleSettings(config.membership.lifecycle).ok()) {
    errors.push_back(
        "ZT_USER_LIFECYCLE_NEW_WINDOW <= ZT_USER_LIFECYCLE_DORMANT_AFTER < ZT_USER_LIFECYCLE_CHURNED_AFTER must hold");
  }
  if (!ParseShopTimeZone(config.membership.shop_time_zone, &config.membership.shop_zone)) {
    errors.push_back("ZT_USER_SHOP_TIME_ZONE must be a fixed offset such as +08:00, UTC or a known IANA time zone");
  }
  if (config.admin_login.empty() != config.admin_password.empty()) {
    errors.push_back("ZT_USER_ADMIN_LOGIN and ZT_USER_ADMIN_PASSWORD must be set together");
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  return config;
}

}  // namespace zhongtai::user
