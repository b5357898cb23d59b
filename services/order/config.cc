#include "services/order/config.h"

#include "common/config/env.h"

namespace zhongtai::order {

absl::StatusOr<OrderConfig> LoadConfig() {
  config::Env env("ZT_ORDER_");
  OrderConfig config;
  config.grpc_port = env.Port("GRPC_PORT", config.grpc_port);
  config.metrics_port = env.Port("METRICS_PORT", config.metrics_port);
  config.pg_dsn = env.String("PG_DSN", "postgresql://order@127.0.0.1:5432/order");
  config.pg_pool_size = static_cast<int>(env.Int("PG_POOL_SIZE", config.pg_pool_size, 1, 200));
  config.redis_address = env.HostPort("REDIS_ADDR", "127.0.0.1:6379");
  config.product_address = env.HostPort("PRODUCT_ADDR", "127.0.0.1:50051");
  config.marketing_address = env.HostPort("MARKETING_ADDR", "127.0.0.1:50053");
  config.worker_threads = static_cast<int>(env.Int("WORKER_THREADS", config.worker_threads, 1, 512));
  config.drain_timeout = env.Duration("DRAIN_TIMEOUT", config.drain_timeout, absl::ZeroDuration(), absl::Minutes(5));
  config.payment_timeout = absl::Seconds(env.Int("PAYMENT_TIMEOUT_SECONDS", 900, 1, 7 * 24 * 3600));
  config.reservation_grace = absl::Seconds(env.Int("RESERVATION_GRACE_SECONDS", 300, 0, 24 * 3600));
  config.sweep_interval = absl::Milliseconds(env.Int("SWEEP_INTERVAL_MS", 1000, 10, 600000));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::order
