#include "services/payment-simulator/config.h"

#include "absl/strings/str_cat.h"
#include "common/config/env.h"

namespace zhongtai::paysim {

absl::StatusOr<SimulatorConfig> LoadConfig() {
  config::Env env("ZT_PAYSIM_");
  SimulatorConfig config;
  config.http_address = env.String("HTTP_ADDRESS", config.http_address);
  config.http_port = env.Port("HTTP_PORT", config.http_port);
  config.public_url = env.String("PUBLIC_URL", "");
  config.notify_url = env.String("NOTIFY_URL", config.notify_url);
  config.notify_secret = env.RequiredString("NOTIFY_SECRET");
  config.notify_attempts = static_cast<int>(env.Int("NOTIFY_ATTEMPTS", config.notify_attempts, 1, 100));
  config.notify_retry = env.Duration("NOTIFY_RETRY", config.notify_retry, absl::Milliseconds(10), absl::Hours(1));
  config.notify_timeout =
      env.Duration("NOTIFY_TIMEOUT", config.notify_timeout, absl::Milliseconds(100), absl::Minutes(1));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::paysim
