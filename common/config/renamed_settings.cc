#include "common/config/renamed_settings.h"

namespace zhongtai::config {

const std::vector<RenamedSetting>& RenamedSettings() {
  // Durations used to carry their unit in the name and take a bare number; they are absl::ParseDuration strings now.
  static const std::vector<RenamedSetting> renamed = {
      {"ZT_PRODUCT_", "RESERVATION_SWEEP_INTERVAL_MS", "RESERVATION_SWEEP_INTERVAL", "1s"},
      {"ZT_PRODUCT_", "PRODUCT_CACHE_TTL_MS", "PRODUCT_CACHE_TTL", "1s"},
      {"ZT_ORDER_", "PAYMENT_TIMEOUT_SECONDS", "PAYMENT_TIMEOUT", "15m"},
      {"ZT_ORDER_", "RESERVATION_GRACE_SECONDS", "RESERVATION_GRACE", "5m"},
      {"ZT_ORDER_", "SWEEP_INTERVAL_MS", "SWEEP_INTERVAL", "1s"},
      {"ZT_USER_", "ACCESS_TTL_SECONDS", "ACCESS_TTL", "15m"},
      {"ZT_USER_", "REFRESH_TTL_SECONDS", "REFRESH_TTL", "720h"},
      {"ZT_DATAHUB_", "CLAIM_IDLE_SECONDS", "CLAIM_IDLE", "30s"},
      {"ZT_GATEWAY_", "UPSTREAM_TIMEOUT_MS", "UPSTREAM_TIMEOUT", "5s"},
      {"ZT_GATEWAY_", "HEADER_TIMEOUT_MS", "HEADER_TIMEOUT", "10s"},
      {"ZT_GATEWAY_", "BODY_TIMEOUT_MS", "BODY_TIMEOUT", "30s"},
      {"ZT_GATEWAY_", "IDLE_TIMEOUT_MS", "IDLE_TIMEOUT", "60s"},
  };
  return renamed;
}

}  // namespace zhongtai::config
