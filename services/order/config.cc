#include "services/order/config.h"

#include "common/config/env.h"

namespace zhongtai::order {

absl::StatusOr<OrderConfig> LoadConfig() {
  config::Env env("ZT_ORDER_");
  server::ServiceDefaults defaults;
  defaults.service = "order";
  defaults.grpc_port = 50052;
  defaults.metrics_port = 9102;
  defaults.pg_pool_size = 16;
  defaults.worker_threads = 16;
  defaults.redis_address = "127.0.0.1:6379";
  OrderConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.product_address = env.HostPort("PRODUCT_ADDR", "127.0.0.1:50051");
  config.marketing_address = env.HostPort("MARKETING_ADDR", "127.0.0.1:50053");
  config.payment_timeout = absl::Seconds(env.Int("PAYMENT_TIMEOUT_SECONDS", 900, 1, 7 * 24 * 3600));
  config.reservation_grace = absl::Seconds(env.Int("RESERVATION_GRACE_SECONDS", 300, 0, 24 * 3600));
  config.sweep_interval = absl::Milliseconds(env.Int("SWEEP_INTERVAL_MS", 1000, 10, 600000));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::order
