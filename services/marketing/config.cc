#include "services/marketing/config.h"

#include "common/config/env.h"

namespace zhongtai::marketing {

absl::StatusOr<MarketingConfig> LoadConfig() {
  config::Env env("ZT_MARKETING_");
  server::ServiceDefaults defaults;
  defaults.service = "marketing";
  defaults.grpc_port = 50053;
  defaults.metrics_port = 9103;
  // The coupon events' outbox is published to Redis Streams; flash sales admit buyers in Redis.
  defaults.redis_address = "127.0.0.1:6379";
  MarketingConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.product_address = env.HostPort("PRODUCT_ADDR", "127.0.0.1:50051");
  config.flash_settle_after =
      env.Duration("FLASH_SETTLE_AFTER", config.flash_settle_after, absl::Seconds(1), absl::Hours(24));
  config.flash_sweep_interval =
      env.Duration("FLASH_SWEEP_INTERVAL", config.flash_sweep_interval, absl::Milliseconds(10), absl::Minutes(10));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::marketing
