#include "services/user/config.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/auth/token.h"
#include "common/config/env.h"

namespace zhongtai::user {

absl::StatusOr<UserConfig> LoadConfig() {
  config::Env env("ZT_USER_");
  server::ServiceDefaults defaults;
  defaults.service = "user";
  defaults.grpc_port = 50054;
  defaults.metrics_port = 9104;
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

  std::vector<std::string> errors;
  if (absl::Status status = env.Finish(); !status.ok()) errors.emplace_back(status.message());
  absl::StatusOr<std::string> key = auth::DecodeKey(signing_key);
  if (!key.ok()) {
    errors.push_back("ZT_AUTH_SIGNING_KEY must be the base64 32-byte seed of the Ed25519 key that signs access tokens");
  } else {
    config.token_signing_key = *key;
  }
  if (config.admin_login.empty() != config.admin_password.empty()) {
    errors.push_back("ZT_USER_ADMIN_LOGIN and ZT_USER_ADMIN_PASSWORD must be set together");
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "; "));
  return config;
}

}  // namespace zhongtai::user
