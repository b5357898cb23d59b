// Composition root of the data hub: config, pools, store, event consumer, domain, API; then run.
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/pg/pool_metrics.h"
#include "common/redis/pool_metrics.h"
#include "common/server/service_runner.h"
#include "migrations.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "services/datahub/api/datahub_api.h"
#include "services/datahub/config.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/store/pg_order_fact_store.h"

namespace zhongtai::datahub {
namespace {

int Main(const server::CommandLine& command_line) {
  log::Init("datahub");
  absl::StatusOr<DatahubConfig> config = LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());

  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  auto pool = pg::OpenAndMigrate({config->pg_dsn, config->pg_pool_size, absl::Seconds(2), "datahub"}, migrations);
  if (!pool.ok()) {
    log::Error("cannot open or migrate the database", {{"error", pool.status().ToString()}});
    return 1;
  }
  if (command_line.migrate_only) {
    log::Info("migrations applied");
    return 0;
  }

  absl::StatusOr<server::RunnerOptions> service_options =
      server::ServiceOptions("datahub", config->grpc_port, config->metrics_port, config->worker_threads);
  if (!service_options.ok()) return server::InvalidConfiguration(service_options.status());
  server::RunnerOptions options = *std::move(service_options);
  options.drain_timeout = config->drain_timeout;
  server::ServiceRunner runner(options);
  pg::ExportPoolMetrics(runner.gauges(), **pool);
  redis::Options redis_options;
  redis_options.address = config->redis_address;
  redis_options.size = 2;  // the consumer's reads and acknowledgements only
  auto redis = redis::Pool::Open(redis_options);
  if (!redis.ok()) {
    log::Error("cannot open redis", {{"error", redis.status().ToString()}});
    return 1;
  }
  redis::ExportPoolMetrics(runner.gauges(), **redis, "datahub");

  PgOrderFactStore facts(**pool);
  Analytics analytics(facts);
  DatahubApi api(analytics, runner.workers());

  auto& ingested = prometheus::BuildCounter()
                       .Name("zt_events_ingested_total")
                       .Help("Domain events applied by the data hub, by event type.")
                       .Register(runner.registry());
  events::ConsumerOptions consumer_options;
  consumer_options.stream = kOrderEventStream;
  consumer_options.group = kConsumerGroup;
  consumer_options.consumer = config->consumer_name;
  consumer_options.claim_idle = absl::Seconds(config->claim_idle_seconds);
  events::StreamConsumer consumer(**pool, **redis, consumer_options,
                                  MakeOrderEventHandler([&ingested](const std::string& type) {
                                    ingested.Add({{"type", type}}).Increment();
                                  }));
  runner.AddService(&api);

  consumer.Start();
  runner.OnShutdown([&] {
    consumer.Stop();
    (*pool)->Close();
    (*redis)->Close();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::datahub

int main(int argc, char** argv) { return zhongtai::server::RunMain(argc, argv, zhongtai::datahub::Main); }
