#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"
#include "services/datahub/domain/webhooks.h"

namespace zhongtai::datahub {

struct DatahubConfig {
  server::ServiceSettings service;
  // Consumer name within the "datahub" group; empty: host-pid-random, unique per process.
  std::string consumer_name;
  // A pending event of a consumer silent this long is claimed by another.
  absl::Duration claim_idle = absl::Seconds(30);
  // The daily RFM/LTV segment run (published to the user center): from this UTC hour on, once a day across
  // replicas; checked every segments_check_interval; a replica's lease on a run lasts segments_lease.
  int segments_run_hour = 3;
  absl::Duration segments_check_interval = absl::Minutes(5);
  absl::Duration segments_lease = absl::Minutes(30);
  // The shop's time zone (IANA name): the dashboard's "today" and its days.
  std::string time_zone = "Asia/Shanghai";
  absl::TimeZone zone;
  // Behaviour events older than this on arrival are refused; the partitions of these days are kept ready.
  absl::Duration events_late_window = absl::Hours(72);
  // How far ahead of the server's clock a device's event time may be.
  absl::Duration events_clock_skew = absl::Minutes(5);
  // How long after a view the later funnel steps join its journey (the longest window a funnel query may ask).
  absl::Duration funnel_window = absl::Hours(24);
  // Daily partitions of behaviour_events created this many days ahead, checked every partition_check_interval.
  int partitions_ahead_days = 7;
  absl::Duration partition_check_interval = absl::Hours(1);
  // How often the pending rows of the hourly rollup are folded (behaviour_hourly_fold(), migration 0009).
  absl::Duration rollup_fold_interval = absl::Seconds(1);
  // Webhooks (docs/webhooks.md). Plain http URLs only for local testing; networks (CIDR) a webhook may reach even
  // though they are loopback, private, link-local or metadata ranges; sender and dispatcher settings; the retry
  // schedule (base * 2^(n-1), capped, jittered, until the budget since the first queueing is spent).
  bool webhook_allow_http = false;
  std::string webhook_allowed_networks;
  WebhookUrlPolicy webhook_policy;  // the two above, parsed
  std::string webhook_ca_file;
  int webhook_workers = 16;
  int webhook_per_subscription = 2;
  absl::Duration webhook_connect_timeout = absl::Seconds(3);
  absl::Duration webhook_timeout = absl::Seconds(10);
  absl::Duration webhook_poll_interval = absl::Milliseconds(500);
  absl::Duration webhook_retry_base = absl::Seconds(10);
  absl::Duration webhook_retry_max_delay = absl::Hours(1);
  absl::Duration webhook_retry_budget = absl::Hours(24);
  // Delivered deliveries, and stored events without deliveries, are deleted after this (range replays reach back as
  // far); pending and dead ones stay until delivered or deleted with their subscription.
  absl::Duration webhook_retention = absl::Hours(24 * 30);
  // A user's data export carries at most this many of their behaviour events (the newest; the archive says when
  // there were more).
  int export_max_events = 10000;
  // Daily partitions of behaviour_events older than this many days are dropped (checked with the partitions above;
  // the hourly rollup, funnel journeys and order facts stay). More than the late window's days.
  int events_retention_days = 400;
  // Yesterday's (UTC) product metrics are published for the product center from this UTC hour on, once a day.
  int product_metrics_run_hour = 1;
  // Yesterday's daily operations report is stored from this hour of the shop's day on (shop time zone), once a day.
  // Both checked every segments_check_interval, leased for segments_lease.
  int report_run_hour = 8;
  // The report's low-stock SKUs: a SKU and warehouse without a safety stock setting is low when its available stock
  // is at or below this (0: sold out).
  int64_t low_stock_threshold = 0;
};

// From ZT_DATAHUB_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<DatahubConfig> LoadConfig();

}  // namespace zhongtai::datahub
