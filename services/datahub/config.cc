#include "services/datahub/config.h"

#include "common/config/env.h"

namespace zhongtai::datahub {

absl::StatusOr<DatahubConfig> LoadConfig() {
  config::Env env("ZT_DATAHUB_");
  server::ServiceDefaults defaults;
  defaults.service = "datahub";
  defaults.grpc_port = 50055;
  defaults.metrics_port = 9105;
  defaults.redis_address = "127.0.0.1:6379";
  DatahubConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.consumer_name = env.String("CONSUMER_NAME", "");
  config.claim_idle = env.Duration("CLAIM_IDLE", config.claim_idle, absl::Seconds(1), absl::Hours(1));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::datahub
