#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::user {

struct UserConfig {
  int grpc_port = 50054;
  int metrics_port = 9104;
  std::string pg_dsn;
  int pg_pool_size = 8;
  int worker_threads = 8;
  // ZT_AUTH_SIGNING_KEY: the Ed25519 seed that signs access tokens; only the user service holds it.
  std::string token_signing_key;
  absl::Duration access_ttl = absl::Minutes(15);
  absl::Duration refresh_ttl = absl::Hours(24 * 30);
  // Both set or both empty: the admin account ensured at start.
  std::string admin_login;
  std::string admin_password;
};

// From ZT_USER_* and ZT_AUTH_TOKEN_SECRET; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<UserConfig> LoadConfig();

}  // namespace zhongtai::user
