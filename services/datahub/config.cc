#include "services/datahub/config.h"

#include "absl/strings/str_split.h"
#include "common/config/env.h"

namespace zhongtai::datahub {

absl::StatusOr<DatahubConfig> LoadConfig() {
  config::Env env("ZT_DATAHUB_");
  server::ServiceDefaults defaults;
  defaults.service = "datahub";
  defaults.grpc_port = 50055;
  defaults.metrics_port = 9105;
  defaults.redis_address = "127.0.0.1:6379";
  DatahubConfig config;
  config.service = server::ReadServiceSettings(env, defaults);
  config.consumer_name = env.String("CONSUMER_NAME", "");
  config.claim_idle = env.Duration("CLAIM_IDLE", config.claim_idle, absl::Seconds(1), absl::Hours(1));
  config.segments_run_hour = static_cast<int>(env.Int("SEGMENTS_RUN_HOUR", config.segments_run_hour, 0, 23));
  config.segments_check_interval =
      env.Duration("SEGMENTS_CHECK_INTERVAL", config.segments_check_interval, absl::Seconds(1), absl::Hours(1));
  config.segments_lease = env.Duration("SEGMENTS_LEASE", config.segments_lease, absl::Minutes(1), absl::Hours(12));
  config.time_zone = env.String("TIME_ZONE", "Asia/Shanghai");
  config.events_late_window =
      env.Duration("EVENTS_LATE_WINDOW", config.events_late_window, absl::Minutes(1), absl::Hours(24 * 31));
  config.events_clock_skew =
      env.Duration("EVENTS_CLOCK_SKEW", config.events_clock_skew, absl::ZeroDuration(), absl::Hours(1));
  config.funnel_window = env.Duration("FUNNEL_WINDOW", config.funnel_window, absl::Minutes(1), absl::Hours(24 * 31));
  config.partitions_ahead_days = static_cast<int>(env.Int("PARTITIONS_AHEAD_DAYS", 7, 1, 366));
  config.partition_check_interval =
      env.Duration("PARTITION_CHECK_INTERVAL", config.partition_check_interval, absl::Seconds(1), absl::Hours(24));
  config.rollup_fold_interval =
      env.Duration("ROLLUP_FOLD_INTERVAL", config.rollup_fold_interval, absl::Milliseconds(10), absl::Minutes(10));
  config.webhook_allow_http = env.Bool("WEBHOOK_ALLOW_HTTP", false);
  config.webhook_allowed_networks = env.String("WEBHOOK_ALLOWED_NETWORKS", "");
  config.webhook_ca_file = env.String("WEBHOOK_CA_FILE", "");
  config.webhook_workers = static_cast<int>(env.Int("WEBHOOK_WORKERS", config.webhook_workers, 1, 256));
  config.webhook_per_subscription =
      static_cast<int>(env.Int("WEBHOOK_PER_SUBSCRIPTION", config.webhook_per_subscription, 1, 64));
  config.webhook_connect_timeout = env.Duration("WEBHOOK_CONNECT_TIMEOUT", config.webhook_connect_timeout,
                                                absl::Milliseconds(100), absl::Seconds(30));
  config.webhook_timeout =
      env.Duration("WEBHOOK_TIMEOUT", config.webhook_timeout, absl::Milliseconds(100), absl::Seconds(60));
  config.webhook_poll_interval =
      env.Duration("WEBHOOK_POLL_INTERVAL", config.webhook_poll_interval, absl::Milliseconds(10), absl::Minutes(1));
  config.webhook_retry_base =
      env.Duration("WEBHOOK_RETRY_BASE", config.webhook_retry_base, absl::Milliseconds(10), absl::Hours(1));
  config.webhook_retry_max_delay =
      env.Duration("WEBHOOK_RETRY_MAX_DELAY", config.webhook_retry_max_delay, absl::Milliseconds(10), absl::Hours(24));
  config.webhook_retry_budget =
      env.Duration("WEBHOOK_RETRY_BUDGET", config.webhook_retry_budget, absl::Seconds(1), absl::Hours(24 * 7));
  config.webhook_retention =
      env.Duration("WEBHOOK_RETENTION", config.webhook_retention, absl::Hours(1), absl::Hours(24 * 366));
  config.export_max_events = static_cast<int>(env.Int("EXPORT_MAX_EVENTS", config.export_max_events, 1, 1000000));
  config.events_retention_days =
      static_cast<int>(env.Int("EVENTS_RETENTION_DAYS", config.events_retention_days, 2, 36600));
  config.product_metrics_run_hour =
      static_cast<int>(env.Int("PRODUCT_METRICS_RUN_HOUR", config.product_metrics_run_hour, 0, 23));
  config.report_run_hour = static_cast<int>(env.Int("REPORT_RUN_HOUR", config.report_run_hour, 0, 23));
  config.low_stock_threshold = env.Int("LOW_STOCK_THRESHOLD", config.low_stock_threshold, 0, 1000000000);
  if (absl::Status status = env.Finish(); !status.ok()) return status;
  if (config.events_retention_days <= absl::ToInt64Hours(config.events_late_window) / 24 + 1) {
    return absl::InvalidArgumentError(
        "ZT_DATAHUB_EVENTS_RETENTION_DAYS must be more than the days of ZT_DATAHUB_EVENTS_LATE_WINDOW plus one: a late "
        "event's partition would be dropped");
  }
  if (!absl::LoadTimeZone(config.time_zone, &config.zone)) {
    return absl::InvalidArgumentError("ZT_DATAHUB_TIME_ZONE: \"" + config.time_zone +
                                      "\" is not a time zone this host knows (an IANA name such as Asia/Shanghai)");
  }
  config.webhook_policy.allow_http = config.webhook_allow_http;
  for (absl::string_view part : absl::StrSplit(config.webhook_allowed_networks, ',', absl::SkipWhitespace())) {
    std::optional<IpNetwork> network = ParseIpNetwork(part);
    if (!network) {
      return absl::InvalidArgumentError("ZT_DATAHUB_WEBHOOK_ALLOWED_NETWORKS: \"" + std::string(part) +
                                        "\" is not an address or network (e.g. 127.0.0.1/32, ::1/128)");
    }
    config.webhook_policy.allowed_networks.push_back(*network);
  }
  return config;
}

}  // namespace zhongtai::datahub
