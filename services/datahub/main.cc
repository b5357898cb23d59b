// Composition root of the data hub: store, event consumer, domain, API on the common start (service_start.h).
#include <unistd.h>

#include <atomic>
#include <random>

#include "absl/strings/str_cat.h"
#include "common/auth/password.h"
#include "common/clock/clock.h"
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/server/periodic_task.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/datahub/api/behaviour_events_api.h"
#include "services/datahub/api/customer_analytics_api.h"
#include "services/datahub/api/datahub_api.h"
#include "services/datahub/api/datahub_privacy_api.h"
#include "services/datahub/api/funnel_api.h"
#include "services/datahub/api/product_analytics_api.h"
#include "services/datahub/api/webhooks_api.h"
#include "services/datahub/clients/webhook_sender.h"
#include "services/datahub/config.h"
#include "services/datahub/domain/webhook_dispatcher.h"
#include "services/datahub/ingest/domain_events.h"
#include "services/datahub/ingest/experiment_exposures.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/ingest/user_erasure.h"
#include "services/datahub/ingest/webhook_events.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_dashboard_store.h"
#include "services/datahub/store/pg_funnel_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "services/datahub/store/pg_product_metrics_store.h"
#include "services/datahub/store/pg_webhook_store.h"

namespace zhongtai::datahub {
namespace {

int Compose(const DatahubConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  SystemClock clock;
  PgDashboardStore dashboard_store(*service.db);
  KpiAnalytics analytics(dashboard_store, clock, config.zone, config.time_zone);
  DatahubApi api(analytics, runner.workers());

  // The partitions of the days late events may still fall on, and of the days ahead.
  BehaviourPartitions partitions(*service.db);
  server::PeriodicTask partition_keeper(config.partition_check_interval, [&] {
    const absl::CivilDay today = absl::ToCivilDay(clock.Now(), absl::UTCTimeZone());
    const int64_t late_days = absl::ToInt64Hours(config.events_late_window) / 24 + 1;
    absl::Status status = partitions.EnsureRange(today - late_days, today + config.partitions_ahead_days);
    if (!status.ok()) log::Error("creating behaviour event partitions failed", {{"error", status.ToString()}});
    // Retention: the days before the kept ones go (the rollups and facts stay). Idempotent, so checking hourly
    // drops each day once, the day it falls out.
    absl::StatusOr<std::vector<std::string>> dropped =
        partitions.DropBefore(today - (config.events_retention_days - 1));
    if (!dropped.ok()) {
      log::Error("dropping old behaviour event partitions failed", {{"error", dropped.status().ToString()}});
    } else {
      for (const std::string& name : *dropped) log::Info("dropped behaviour event partition", {{"partition", name}});
    }
  });
  PgBehaviourEventStore behaviour_store(*service.db, partitions, config.funnel_window);
  // The hourly rollup's pending rows (one per batch and key) into one row per key, drained each time.
  server::PeriodicTask rollup_folder(config.rollup_fold_interval, [&] {
    absl::StatusOr<int64_t> moved = behaviour_store.FoldPending();
    if (!moved.ok()) log::Error("folding the hourly rollup failed", {{"error", moved.status().ToString()}});
  });
  BehaviourIngestion ingestion(behaviour_store, clock, {config.events_late_window, config.events_clock_skew});
  BehaviourEventsApi behaviour_api(ingestion, runner.workers());
  PgFunnelStore funnel_store(*service.db);
  FunnelAnalytics funnel(funnel_store, config.funnel_window);
  FunnelApi funnel_api(funnel, runner.workers());

  auto& ingested = prometheus::BuildCounter()
                       .Name("zt_events_ingested_total")
                       .Help("Domain events applied by the data hub, by event type.")
                       .Register(runner.registry());
  events::ConsumerOptions consumer_options;
  consumer_options.stream = kOrderEventStream;
  consumer_options.group = kConsumerGroup;
  consumer_options.consumer = config.consumer_name;
  consumer_options.claim_idle = config.claim_idle;
  events::StreamConsumer consumer(*service.db, *service.redis, consumer_options,
                                  MakeOrderEventHandler(
                                      [&ingested](const std::string& type) {
                                        ingested.Add({{"type", type}}).Increment();
                                      },
                                      config.funnel_window));
  // Every other service's events, one consumer group per stream.
  std::vector<std::unique_ptr<events::StreamConsumer>> domain_consumers;
  for (const char* stream : {kMarketingEventStream, kProductEventStream, kUserEventStream}) {
    events::ConsumerOptions options;
    options.stream = stream;
    options.group = kDomainEventConsumerGroup;
    options.consumer = config.consumer_name;
    options.claim_idle = config.claim_idle;
    domain_consumers.push_back(std::make_unique<events::StreamConsumer>(
        *service.db, *service.redis, options, MakeDomainEventHandler(stream, [&ingested](const std::string& type) {
          ingested.Add({{"type", type}}).Increment();
        })));
  }
  PgUserDataStore user_data(*service.db);
  DatahubPrivacyApi privacy_api(user_data, runner.workers(), config.export_max_events);
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  erasure_options.consumer = config.consumer_name;
  erasure_options.claim_idle = config.claim_idle;
  erasure_options.types = UserErasureHandlerTypes();
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  runner.AddService(&api);
  runner.AddService(&privacy_api);
  runner.AddService(&behaviour_api);
  runner.AddService(&funnel_api);

  // Customer analytics (cohorts, RFM, LTV, experiments); the daily segments go to the user center via the outbox.
  PgCustomerAnalyticsStore customer_store(*service.db);
  PgDailyRunLease segment_lease(*service.db);
  CustomerAnalytics customer_analytics(customer_store, segment_lease);
  CustomerAnalyticsApi customer_api(customer_analytics, clock, runner.workers());
  runner.AddService(&customer_api);
  events::ConsumerOptions exposure_options;
  exposure_options.stream = kMarketingEventStream;
  exposure_options.group = kExperimentConsumerGroup;
  exposure_options.consumer = config.consumer_name;
  exposure_options.claim_idle = config.claim_idle;
  exposure_options.types = ExperimentExposureHandlerTypes();
  events::StreamConsumer exposures(*service.db, *service.redis, exposure_options, MakeExperimentExposureHandler());
  // Product metrics (the admin route, and the daily events for the product center) and the daily reports.
  PgProductMetricsStore product_store(*service.db);
  ProductAnalytics product_analytics(product_store, segment_lease, clock, config.zone);
  DailyReports daily_reports(product_store, dashboard_store, segment_lease, config.zone, config.time_zone,
                             config.low_stock_threshold);
  ProductAnalyticsApi product_api(product_analytics, daily_reports, runner.workers());
  runner.AddService(&product_api);
  events::OutboxRelay relay(*service.db, *service.redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest data hub event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });

  consumer.Start();
  user_erasures.Start();
  exposures.Start();
  for (auto& domain_consumer : domain_consumers) domain_consumer->Start();
  relay.Start();
  // Unique per process (replicas may share a pid in their containers): the start time in nanoseconds.
  const std::string lease_owner = absl::StrCat("datahub-", getpid(), "-", absl::ToUnixNanos(absl::Now()));
  server::PeriodicTask segment_run(config.segments_check_interval, [&] {
    absl::StatusOr<SegmentRunResult> run = customer_analytics.RunDailySegments(
        "CNY", config.segments_run_hour, lease_owner, clock.Now(), config.segments_lease);
    if (!run.ok()) {
      log::Error("daily segment run failed, it is retried on the next check", {{"error", run.status().ToString()}});
    } else if (run->ran) {
      log::Info("daily segments computed",
                {{"customers", std::to_string(run->customers)}, {"events", std::to_string(run->events)}});
    }
  });
  server::PeriodicTask product_metrics_run(config.segments_check_interval, [&] {
    absl::StatusOr<DailyJobResult> run = product_analytics.RunDaily("CNY", config.product_metrics_run_hour, lease_owner,
                                                                    clock.Now(), config.segments_lease);
    if (!run.ok()) {
      log::Error("daily product metrics failed, retried on the next check", {{"error", run.status().ToString()}});
    } else if (run->ran) {
      log::Info("daily product metrics published", {{"day", run->day}, {"products", std::to_string(run->published)}});
    }
  });
  server::PeriodicTask report_run(config.segments_check_interval, [&] {
    absl::StatusOr<ReportRunResult> run =
        daily_reports.RunDaily("CNY", config.report_run_hour, lease_owner, clock.Now(), config.segments_lease);
    if (!run.ok()) {
      log::Error("daily report failed, retried on the next check", {{"error", run.status().ToString()}});
    } else if (run->ran) {
      log::Info("daily report stored", {{"day", run->day}, {"new", run->stored ? "true" : "false"}});
    }
  });
  // Integrations out: webhook subscriptions (admin API), one delivery per matching event queued by the webhook
  // consumers, sent by the dispatcher (docs/webhooks.md).
  PgWebhookStore webhook_store(*service.db);
  WebhookAdmin webhook_admin(
      webhook_store, config.webhook_policy, ResolveHost, [] { return auth::RandomToken(32); },
      [] { return ids::NewId("wh"); });
  WebhooksApi webhooks_api(webhook_admin, runner.workers());
  runner.AddService(&webhooks_api);
  WebhookSenderOptions sender_options;
  sender_options.connect_timeout = config.webhook_connect_timeout;
  sender_options.timeout = config.webhook_timeout;
  sender_options.policy = config.webhook_policy;
  sender_options.ca_file = config.webhook_ca_file;
  CurlWebhookSender webhook_sender(sender_options);
  DispatcherOptions dispatcher_options;
  dispatcher_options.workers = config.webhook_workers;
  dispatcher_options.per_subscription = config.webhook_per_subscription;
  dispatcher_options.poll_interval = config.webhook_poll_interval;
  dispatcher_options.lease = std::max(absl::Seconds(30), 3 * (config.webhook_timeout + config.webhook_connect_timeout));
  dispatcher_options.retry.base = config.webhook_retry_base;
  dispatcher_options.retry.max_delay = config.webhook_retry_max_delay;
  dispatcher_options.retry.budget = config.webhook_retry_budget;
  auto& webhook_outcomes = prometheus::BuildCounter()
                               .Name("zt_webhook_deliveries_total")
                               .Help(
                                   "Webhook delivery attempts by outcome: delivered, retry (failed, tried again "
                                   "later) or dead (failed, retry budget spent: a dead letter).")
                               .Register(runner.registry());
  auto& webhook_refusals = prometheus::BuildCounter()
                               .Name("zt_webhook_address_refused_total")
                               .Help("Webhook attempts refused by the SSRF guard at delivery time.")
                               .Register(runner.registry());
  auto& refused_counter = webhook_refusals.Add({});
  std::mutex random_mu;
  std::mt19937_64 random_engine(std::random_device{}());
  WebhookDispatcher dispatcher(
      webhook_store, webhook_sender, dispatcher_options,
      [&] {
        std::lock_guard<std::mutex> lock(random_mu);
        return std::uniform_real_distribution<double>(0, 1)(random_engine);
      },
      [&](const std::string& outcome, const DeliveryAttempt& attempt) {
        webhook_outcomes.Add({{"outcome", outcome}}).Increment();
        if (attempt.address_refused) refused_counter.Increment();
      });
  std::vector<std::unique_ptr<events::StreamConsumer>> webhook_consumers;
  for (const char* stream : kWebhookStreams) {
    events::ConsumerOptions options;
    options.stream = stream;
    options.group = kWebhookConsumerGroup;
    options.consumer = config.consumer_name;
    options.claim_idle = config.claim_idle;
    webhook_consumers.push_back(std::make_unique<events::StreamConsumer>(
        *service.db, *service.redis, options, MakeWebhookEventHandler([&dispatcher](const std::string&, int64_t n) {
          if (n > 0) dispatcher.Wake();
        })));
  }
  // The backlog and dead letters, read every 15 s (not at scrape time: it is a query).
  std::atomic<int64_t> webhook_due{0}, webhook_pending{0}, webhook_dead{0};
  std::atomic<double> webhook_oldest{0};
  server::PeriodicTask webhook_stats(absl::Seconds(15), [&] {
    absl::StatusOr<WebhookStats> stats = webhook_store.Stats();
    if (!stats.ok()) return;
    webhook_due = stats->due;
    webhook_pending = stats->pending;
    webhook_dead = stats->dead;
    webhook_oldest = stats->oldest_due_seconds;
  });
  server::PeriodicTask webhook_prune(absl::Hours(1), [&] {
    absl::StatusOr<int64_t> pruned = webhook_store.Prune(config.webhook_retention);
    if (!pruned.ok()) log::Warn("pruning webhook deliveries failed", {{"error", pruned.status().ToString()}});
  });
  runner.gauges().Add("zt_webhook_queue_depth",
                      "Webhook deliveries pending (waiting for their first or next "
                      "attempt) of active subscriptions.",
                      {}, [&] { return static_cast<double>(webhook_pending.load()); });
  runner.gauges().Add("zt_webhook_due_deliveries", "Webhook deliveries due now and not yet sent (the backlog).", {},
                      [&] { return static_cast<double>(webhook_due.load()); });
  runner.gauges().Add("zt_webhook_oldest_due_seconds", "How long the oldest due webhook delivery has waited.", {},
                      [&] { return webhook_oldest.load(); });
  runner.gauges().Add("zt_webhook_dead_letters", "Webhook deliveries dead-lettered (retry budget spent), not replayed.",
                      {}, [&] { return static_cast<double>(webhook_dead.load()); });
  runner.gauges().Add("zt_webhook_in_flight", "Webhook deliveries being sent now.", {},
                      [&] { return static_cast<double>(dispatcher.in_flight()); });
  for (auto& webhook_consumer : webhook_consumers) webhook_consumer->Start();
  dispatcher.Start();

  runner.OnShutdown([&] {
    for (auto& webhook_consumer : webhook_consumers) webhook_consumer->Stop();
    dispatcher.Stop();
    webhook_stats.Stop();
    webhook_prune.Stop();
    report_run.Stop();
    product_metrics_run.Stop();
    segment_run.Stop();
    relay.Stop();
    exposures.Stop();
    for (auto& domain_consumer : domain_consumers) domain_consumer->Stop();
    user_erasures.Stop();
    consumer.Stop();
    partition_keeper.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::datahub

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"datahub", datahub::Migrations()};
  spec.events = true;
  // Reads and acknowledgements of the six consumers (order events, user erasures, experiment exposures, marketing,
  // product and user events), each holding a connection while it blocks, and the outbox relay.
  // + the four webhook consumers (order, product, user and data hub events).
  spec.redis_connections = 14;
  return server::RunService<datahub::DatahubConfig>(argc, argv, spec, datahub::LoadConfig, datahub::Compose);
}
