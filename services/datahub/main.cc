// Composition root of the data hub: store, event consumer, domain, API on the common start (service_start.h).
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/clock/clock.h"
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/server/periodic_task.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/datahub/api/customer_analytics_api.h"
#include "services/datahub/api/datahub_api.h"
#include "services/datahub/api/datahub_privacy_api.h"
#include "services/datahub/config.h"
#include "services/datahub/ingest/experiment_exposures.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/ingest/user_erasure.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_order_fact_store.h"

namespace zhongtai::datahub {
namespace {

int Compose(const DatahubConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgOrderFactStore facts(*service.db);
  Analytics analytics(facts);
  DatahubApi api(analytics, runner.workers());

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
                                  MakeOrderEventHandler([&ingested](const std::string& type) {
                                    ingested.Add({{"type", type}}).Increment();
                                  }));
  PgUserDataStore user_data(*service.db);
  DatahubPrivacyApi privacy_api(user_data, runner.workers());
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  erasure_options.consumer = config.consumer_name;
  erasure_options.claim_idle = config.claim_idle;
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  runner.AddService(&api);
  runner.AddService(&privacy_api);

  // Customer analytics (cohorts, RFM, LTV, experiments); the daily segments go to the user center via the outbox.
  SystemClock clock;
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
  events::StreamConsumer exposures(*service.db, *service.redis, exposure_options, MakeExperimentExposureHandler());
  events::OutboxRelay relay(*service.db, *service.redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest data hub event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });

  consumer.Start();
  user_erasures.Start();
  exposures.Start();
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
  runner.OnShutdown([&] {
    segment_run.Stop();
    relay.Stop();
    exposures.Stop();
    user_erasures.Stop();
    consumer.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::datahub

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"datahub", datahub::Migrations()};
  spec.events = true;
  spec.redis_connections = 6;  // reads and acknowledgements of three consumers (orders, erasures, exposures), the relay
  return server::RunService<datahub::DatahubConfig>(argc, argv, spec, datahub::LoadConfig, datahub::Compose);
}
