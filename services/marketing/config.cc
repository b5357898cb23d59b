#include "services/marketing/config.h"

#include "common/config/env.h"

namespace zhongtai::marketing {

absl::StatusOr<MarketingConfig> LoadConfig() {
  config::Env env("ZT_MARKETING_");
  server::ServiceDefaults defaults;
  defaults.service = "marketing";
  defaults.grpc_port = 50053;
  defaults.metrics_port = 9103;
  // The coupon events' outbox is published to Redis Streams; flash sales admit buyers in Redis.
  defaults.redis_address = "127.0.0.1:6379";
  MarketingConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.user_address = env.HostPort("USER_ADDR", config.user_address);
  config.coupon_issue_interval =
      env.Duration("COUPON_ISSUE_INTERVAL", config.coupon_issue_interval, absl::Milliseconds(100), absl::Hours(1));
  config.coupon_issue_page_size =
      static_cast<int>(env.Int("COUPON_ISSUE_PAGE_SIZE", config.coupon_issue_page_size, 1, 1000));
  config.expiry_reminder_lead =
      env.Duration("EXPIRY_REMINDER_LEAD", config.expiry_reminder_lead, absl::Hours(1), absl::Hours(24 * 30));
  config.expiry_sweep_interval =
      env.Duration("EXPIRY_SWEEP_INTERVAL", config.expiry_sweep_interval, absl::Seconds(1), absl::Hours(24 * 7));
  config.events_claim_idle =
      env.Duration("EVENTS_CLAIM_IDLE", config.events_claim_idle, absl::Seconds(1), absl::Hours(1));
  config.product_address = env.HostPort("PRODUCT_ADDR", "127.0.0.1:50051");
  config.flash_settle_after =
      env.Duration("FLASH_SETTLE_AFTER", config.flash_settle_after, absl::Seconds(1), absl::Hours(24));
  config.flash_sweep_interval =
      env.Duration("FLASH_SWEEP_INTERVAL", config.flash_sweep_interval, absl::Milliseconds(10), absl::Minutes(10));
  config.product_skus_timeout =
      env.Duration("PRODUCT_SKUS_TIMEOUT", config.product_skus_timeout, absl::Milliseconds(10), absl::Seconds(10));
  config.claims_per_device = env.Int("CLAIMS_PER_DEVICE", config.claims_per_device, 0, 1000000);
  config.claim_requires_device = env.Bool("CLAIM_REQUIRES_DEVICE", config.claim_requires_device);
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  return config;
}

}  // namespace zhongtai::marketing
