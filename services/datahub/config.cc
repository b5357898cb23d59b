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
  config.segments_run_hour = static_cast<int>(env.Int("SEGMENTS_RUN_HOUR", config.segments_run_hour, 0, 23));
  config.segments_check_interval =
      env.Duration("SEGMENTS_CHECK_INTERVAL", config.segments_check_interval, absl::Seconds(1), absl::Hours(1));
  config.segments_lease = env.Duration("SEGMENTS_LEASE", config.segments_lease, absl::Minutes(1), absl::Hours(12));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::datahub
