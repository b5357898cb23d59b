#include "common/server/service_start.h"

#include "common/events/metrics.h"
#include "common/events/outbox.h"
#include "common/pg/pool_metrics.h"
#include "common/redis/pool_metrics.h"

namespace zhongtai::server {

std::unique_ptr<StartedService> StartService(const CommandLine& command_line, const ServiceSpec& spec,
                                             const ServiceSettings& settings, int* exit_code) {
  auto service = std::make_unique<StartedService>();
  std::vector<pg::Migration> migrations;
  if (spec.events) migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), spec.migrations.begin(), spec.migrations.end());
  absl::StatusOr<std::unique_ptr<pg::Pool>> db =
      pg::OpenAndMigrate({settings.pg_dsn, settings.pg_pool_size, absl::Seconds(2), spec.name}, migrations);
  if (!db.ok()) {
    log::Error("cannot open or migrate the database", {{"error", db.status().ToString()}});
    *exit_code = kExitCannotStart;
    return nullptr;
  }
  service->db = *std::move(db);
  // The migration step of a deployment needs only the database: the shared settings below are read after it.
  if (command_line.migrate_only) {
    log::Info("migrations applied");
    *exit_code = 0;
    return nullptr;
  }

  absl::StatusOr<RunnerOptions> options =
      ServiceOptions(spec.name, settings.grpc_port, settings.metrics_port, settings.worker_threads);
  if (!options.ok()) {
    *exit_code = InvalidConfiguration(options.status());
    return nullptr;
  }
  options->drain_timeout = settings.drain_timeout;
  service->runner = std::make_unique<ServiceRunner>(*std::move(options));
  pg::ExportPoolMetrics(service->runner->gauges(), *service->db);
  // Dead letters, consumer lag, trimming and Redis-loss replays of the service's consumers and relay.
  if (spec.events) events::ExportMetrics(service->runner->registry());

  if (!settings.redis_address.empty()) {
    redis::Options redis_options;
    redis_options.address = settings.redis_address;
    redis_options.size = spec.redis_connections;
    absl::StatusOr<std::unique_ptr<redis::Pool>> redis = redis::Pool::Open(redis_options);
    if (!redis.ok()) {
      log::Error("cannot open redis", {{"error", redis.status().ToString()}});
      *exit_code = kExitCannotStart;
      return nullptr;
    }
    service->redis = *std::move(redis);
    redis::ExportPoolMetrics(service->runner->gauges(), *service->redis, spec.name);
  }

  // Registered first, so it runs last: after the service's own hooks stopped whatever uses the pools.
  pg::Pool* db_pool = service->db.get();
  redis::Pool* redis_pool = service->redis.get();
  service->runner->OnShutdown([db_pool, redis_pool] {
    db_pool->Close();
    if (redis_pool != nullptr) redis_pool->Close();
  });
  return service;
}

}  // namespace zhongtai::server
