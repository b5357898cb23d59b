#include "services/marketing/config.h"

#include "common/config/env.h"

namespace zhongtai::marketing {

absl::StatusOr<MarketingConfig> LoadConfig() {
  config::Env env("ZT_MARKETING_");
  MarketingConfig config;
  config.grpc_port = env.Port("GRPC_PORT", config.grpc_port);
  config.metrics_port = env.Port("METRICS_PORT", config.metrics_port);
  config.pg_dsn = env.String("PG_DSN", "postgresql://marketing@127.0.0.1:5432/marketing");
  config.pg_pool_size = static_cast<int>(env.Int("PG_POOL_SIZE", config.pg_pool_size, 1, 200));
  config.worker_threads = static_cast<int>(env.Int("WORKER_THREADS", config.worker_threads, 1, 512));
  config.drain_timeout = env.Duration("DRAIN_TIMEOUT", config.drain_timeout, absl::ZeroDuration(), absl::Minutes(5));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::marketing
