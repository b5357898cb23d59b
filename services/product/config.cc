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
  MatrixSettings& m = config.matrix;
  m.traffic_top_percent = static_cast<int>(env.Int("MATRIX_TRAFFIC_TOP_PERCENT", m.traffic_top_percent, 1, 100));
  m.traffic_max_margin_percent =
      static_cast<int>(env.Int("MATRIX_TRAFFIC_MAX_MARGIN_PERCENT", m.traffic_max_margin_percent, -100, 100));
  m.profit_min_margin_percent =
      static_cast<int>(env.Int("MATRIX_PROFIT_MIN_MARGIN_PERCENT", m.profit_min_margin_percent, 0, 100));
  m.profit_top_percent = static_cast<int>(env.Int("MATRIX_PROFIT_TOP_PERCENT", m.profit_top_percent, 1, 100));
  m.image_price_top_percent =
      static_cast<int>(env.Int("MATRIX_IMAGE_PRICE_TOP_PERCENT", m.image_price_top_percent, 1, 100));
  m.image_volume_bottom_percent =
      static_cast<int>(env.Int("MATRIX_IMAGE_VOLUME_BOTTOM_PERCENT", m.image_volume_bottom_percent, 1, 100));
  m.new_days = static_cast<int>(env.Int("MATRIX_NEW_DAYS", m.new_days, 0, 365));
  m.trend_percent = static_cast<int>(env.Int("MATRIX_TREND_PERCENT", m.trend_percent, 0, 100));
  config.metrics_events_claim_idle =
      env.Duration("METRICS_EVENTS_CLAIM_IDLE", config.metrics_events_claim_idle, absl::Seconds(1), absl::Hours(1));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::product
