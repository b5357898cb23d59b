#include "services/product/config.h"

#include <algorithm>

#include "common/config/env.h"

namespace zhongtai::product {

absl::StatusOr<ProductConfig> LoadConfig() {
  config::Env env("ZT_PRODUCT_");
  server::ServiceDefaults defaults;
  defaults.service = "product";
  defaults.grpc_port = 50051;
  defaults.metrics_port = 9101;
  defaults.redis_address = "127.0.0.1:6379";  // the catalogue events' relay
  ProductConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.reservation_sweep_interval = env.Duration("RESERVATION_SWEEP_INTERVAL", config.reservation_sweep_interval,
                                                   absl::Milliseconds(10), absl::Minutes(10));
  config.reservation_sweep_batch =
      static_cast<int>(env.Int("RESERVATION_SWEEP_BATCH", config.reservation_sweep_batch, 1, 10000));
  config.product_cache_ttl =
      env.Duration("PRODUCT_CACHE_TTL", config.product_cache_ttl, absl::ZeroDuration(), absl::Minutes(10));
  config.listing_cache_ttl =
      env.Duration("LISTING_CACHE_TTL", config.listing_cache_ttl, absl::ZeroDuration(), absl::Minutes(10));
  config.reservation_default_ttl =
      env.Duration("RESERVATION_DEFAULT_TTL", config.reservation_default_ttl, absl::Seconds(1), absl::Hours(7 * 24));
  config.stock_alert_interval =
      env.Duration("STOCK_ALERT_INTERVAL", config.stock_alert_interval, absl::Seconds(1), absl::Hours(24));
  config.abc_interval = env.Duration("ABC_INTERVAL", config.abc_interval, absl::Minutes(1), absl::Hours(24 * 7));
  config.abc_a_percent = static_cast<int>(env.Int("ABC_A_PERCENT", config.abc_a_percent, 1, 100));
  // B's share is what A leaves at most (C may be empty).
  config.abc_b_percent = static_cast<int>(env.Int(
      "ABC_B_PERCENT", std::min(config.abc_b_percent, 100 - config.abc_a_percent), 0, 100 - config.abc_a_percent));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::product
