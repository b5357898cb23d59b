#include "services/marketing/config.h"

#include "common/config/env.h"

namespace zhongtai::marketing {

absl::StatusOr<MarketingConfig> LoadConfig() {
  config::Env env("ZT_MARKETING_");
  server::ServiceDefaults defaults;
  defaults.service = "marketing";
  defaults.grpc_port = 50053;
  defaults.metrics_port = 9103;
  // The coupon events' outbox is published to Redis Streams.
  defaults.redis_address = "127.0.0.1:6379";
  MarketingConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::marketing
