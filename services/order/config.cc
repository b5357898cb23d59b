#include "services/order/config.h"

#include "absl/strings/str_split.h"
#include "common/config/env.h"

namespace zhongtai::order {
namespace {

// "cat-a=0s,cat-b=360h" -> {cat-a: 0, cat-b: 360h}; false on anything else.
bool ParseWindows(const std::string& text, std::map<std::string, absl::Duration>* out) {
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    absl::Duration window;
    if (parts.size() != 2 || parts[0].empty() || !absl::ParseDuration(parts[1], &window) ||
        window < absl::ZeroDuration() || window > absl::Hours(365 * 24)) {
      return false;
    }
    (*out)[parts[0]] = window;
  }
  return true;
}

}  // namespace

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
  config.cart_max_lines = static_cast<int>(env.Int("CART_MAX_LINES", config.cart_max_lines, 1, 1000));
  config.export_max_rows = static_cast<int>(env.Int("EXPORT_MAX_ROWS", config.export_max_rows, 1, 1000000));
  config.max_open_orders = static_cast<int>(env.Int("MAX_OPEN_ORDERS", config.max_open_orders, 0, 100000));
  config.max_quantity_per_sku = env.Int("MAX_QUANTITY_PER_SKU", config.max_quantity_per_sku, 1, 9999);
  config.merge_window = env.Duration("MERGE_WINDOW", config.merge_window, absl::ZeroDuration(), absl::Hours(7 * 24));
  config.auto_confirm_after =
      env.Duration("AUTO_CONFIRM_AFTER", config.auto_confirm_after, absl::Seconds(1), absl::Hours(60 * 24));
  config.after_sales_window =
      env.Duration("AFTER_SALES_WINDOW", config.after_sales_window, absl::ZeroDuration(), absl::Hours(365 * 24));
  config.handling_days = static_cast<int>(env.Int("HANDLING_DAYS", config.handling_days, 0, 30));
  std::string by_category = env.String("AFTER_SALES_WINDOW_BY_CATEGORY", "");
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  if (!ParseWindows(by_category, &config.after_sales_window_by_category)) {
    return absl::InvalidArgumentError(
        "ZT_ORDER_AFTER_SALES_WINDOW_BY_CATEGORY: category=duration pairs separated by commas, e.g. "
        "cat-fresh=0s,cat-furniture=360h");
  }
  return config;
}

}  // namespace zhongtai::order
