#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"
#include "services/user/membership_config.h"

namespace zhongtai::user {

struct UserConfig {
  server::ServiceSettings service;
  // ZT_AUTH_SIGNING_KEY: the Ed25519 seed that signs access tokens; only the user service holds it.
  std::string token_signing_key;
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration refresh_ttl = absl::Hours(24 * 30);
  // Both set or both empty: the admin account ensured at start.
  std::string admin_login;
  std::string admin_password;
  // argon2id hashes at once (64 MiB each: k8s/base/user.yaml's memory limit is sized for this) and how long
  // a login or registration waits for a turn before RESOURCE_EXHAUSTED.
  int password_hash_concurrency = 4;
  absl::Duration password_hash_wait = absl::Seconds(2);
  // Per-login throttle: this many failures within the window lock the login for the lockout.
  int login_max_failures = 5;
  absl::Duration login_failure_window = absl::Minutes(15);
  absl::Duration login_lockout = absl::Minutes(15);
  // A session ends this long after its login, however often it is refreshed.
  absl::Duration session_max_lifetime = absl::Hours(24 * 90);
  // Where the data export gathers the other services' parts (ZT_USER_ORDER_ADDR, ..._MARKETING_ADDR, ..._DATAHUB_ADDR).
  std::string order_address;
  std::string marketing_address;
  std::string datahub_address;
  // Points and membership (membership_config.h).
  MembershipConfig membership;
};

// From ZT_USER_* and ZT_AUTH_SIGNING_KEY; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<UserConfig> LoadConfig();

}  // namespace zhongtai::user
