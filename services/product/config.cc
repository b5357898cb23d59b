#include "services/product/config.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/config/env.h"
#include "common/status/status.h"

namespace zhongtai::product {
absl::StatusOr<ProductConfig> LoadConfig() {
  config::Env env("ZT_PRODUCT_");
  std::vector<std::string> errors;
  ProductConfig config;
  config.grpc_port = env.Port("GRPC_PORT", config.grpc_port);
  config.metrics_port = env.Port("METRICS_PORT", config.metrics_port);
  config.pg_dsn = env.String("PG_DSN", "postgresql://product@127.0.0.1:5432/product");
  config.pg_pool_size = static_cast<int>(env.Int("PG_POOL_SIZE", config.pg_pool_size, 1, 200));
  config.worker_threads = static_cast<int>(env.Int("WORKER_THREADS", config.worker_threads, 1, 512));
  config.redis_address = env.String("REDIS_ADDR", "");
  config.reservation_sweep_interval = env.Duration("RESERVATION_SWEEP_INTERVAL", config.reservation_sweep_interval,
                                                   absl::Milliseconds(10), absl::Minutes(10));
  // The same in milliseconds, as the other services spell their sweep intervals; wins when set.
  int64_t sweep_ms = env.Int("RESERVATION_SWEEP_INTERVAL_MS", 0, 0, 600000);
  if (sweep_ms > 0) config.reservation_sweep_interval = absl::Milliseconds(std::max<int64_t>(sweep_ms, 10));
  config.reservation_sweep_batch = static_cast<int>(env.Int("RESERVATION_SWEEP_BATCH", 100, 1, 10000));
  config.product_cache_ttl = absl::Milliseconds(env.Int("PRODUCT_CACHE_TTL_MS", 1000, 0, 600000));
  config.reservation_default_ttl =
      env.Duration("RESERVATION_DEFAULT_TTL", config.reservation_default_ttl, absl::Seconds(1), absl::Hours(7 * 24));
  config.drain_timeout = env.Duration("DRAIN_TIMEOUT", config.drain_timeout, absl::ZeroDuration(), absl::Minutes(5));
  config.stock_alert_interval =
      env.Duration("STOCK_ALERT_INTERVAL", config.stock_alert_interval, absl::Seconds(1), absl::Hours(24));
  config.abc_interval = env.Duration("ABC_INTERVAL", config.abc_interval, absl::Minutes(1), absl::Hours(24 * 7));
  config.abc_a_percent = static_cast<int>(env.Int("ABC_A_PERCENT", config.abc_a_percent, 1, 100));
  config.abc_b_percent = static_cast<int>(env.Int("ABC_B_PERCENT", config.abc_b_percent, 0, 99));
  if (config.abc_a_percent + config.abc_b_percent > 100) {
    errors.push_back("ZT_PRODUCT_ABC_A_PERCENT + ZT_PRODUCT_ABC_B_PERCENT must be at most 100");
  }
  absl::Status status = env.Finish();
  if (!status.ok()) errors.insert(errors.begin(), std::string(status.message()));
  if (!errors.empty()) {
    return InvalidArgument("", "INVALID_CONFIG", absl::StrJoin(errors, "; "));
  }
  return config;
}

}  // namespace zhongtai::product
