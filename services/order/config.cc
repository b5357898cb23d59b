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
  config.user_address = env.HostPort("USER_ADDR", "127.0.0.1:50054");
  config.shipping_fee = env.Int("SHIPPING_FEE_FEN", config.shipping_fee, 0, 1000000);
  config.points_max_share_percent =
      static_cast<int>(env.Int("POINTS_MAX_SHARE_PERCENT", config.points_max_share_percent, 0, 100));
  config.payment_timeout =
      env.Duration("PAYMENT_TIMEOUT", config.payment_timeout, absl::Seconds(1), absl::Hours(7 * 24));
  config.reservation_grace =
      env.Duration("RESERVATION_GRACE", config.reservation_grace, absl::ZeroDuration(), absl::Hours(24));
  config.sweep_interval =
      env.Duration("SWEEP_INTERVAL", config.sweep_interval, absl::Milliseconds(10), absl::Minutes(10));
  config.payment_provider = env.String("PAYMENT_PROVIDER", config.payment_provider);
  config.payment_provider_url = env.String("PAYMENT_PROVIDER_URL", config.payment_provider_url);
  config.payment_provider_timeout = env.Duration("PAYMENT_PROVIDER_TIMEOUT", config.payment_provider_timeout,
                                                 absl::Milliseconds(100), absl::Minutes(1));
  config.payment_query_after =
      env.Duration("PAYMENT_QUERY_AFTER", config.payment_query_after, absl::Milliseconds(100), absl::Hours(1));
  config.payment_lease = env.Duration("PAYMENT_LEASE", config.payment_lease, absl::Seconds(1), absl::Hours(1));
  config.return_window = env.Duration("RETURN_WINDOW", config.return_window, absl::Hours(1), absl::Hours(365 * 24));
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::order
