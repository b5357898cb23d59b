// Composition root of the product service: config, pool, store, domain, API, sweeper; then run.
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/pg/pool_metrics.h"
#include "common/redis/pool_metrics.h"
#include "common/server/periodic_task.h"
#include "common/server/service_runner.h"
#include "migrations.h"
#include "services/product/api/product_api.h"
#include "services/product/api/product_metrics.h"
#include "services/product/config.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/listing_compliance.h"
#include "services/product/store/pg_product_store.h"

namespace zhongtai::product {
namespace {

int Main(const server::CommandLine& command_line) {
  log::Init("product");
  absl::StatusOr<ProductConfig> config = LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());

  // The events outbox first (its migrations sort before the product's own).
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  auto pool = pg::OpenAndMigrate({config->pg_dsn, config->pg_pool_size, absl::Seconds(2), "product"}, migrations);
  if (!pool.ok()) {
    log::Error("cannot open or migrate the database", {{"error", pool.status().ToString()}});
    return 1;
  }
  if (command_line.migrate_only) {
    log::Info("migrations applied");
    return 0;
  }

  absl::StatusOr<server::RunnerOptions> service_options =
      server::ServiceOptions("product", config->grpc_port, config->metrics_port, config->worker_threads);
  if (!service_options.ok()) return server::InvalidConfiguration(service_options.status());
  server::RunnerOptions options = *std::move(service_options);
  options.drain_timeout = config->drain_timeout;
  server::ServiceRunner runner(options);
  pg::ExportPoolMetrics(runner.gauges(), **pool);
  pg::Pool& db = **pool;

  PgProductStore store(db);
  SystemClock clock;
  RandomIdGenerator ids(clock);
  PrometheusInventoryObserver observer(runner.registry());
  InventoryOptions inventory_options;
  inventory_options.default_ttl = config->reservation_default_ttl;
  inventory_options.max_ttl = absl::Seconds(kMaxReservationTtlSeconds);
  inventory_options.sweep_batch = config->reservation_sweep_batch;
  ProductCache cache(clock, config->product_cache_ttl);
  Catalog catalog(store, clock, ids, &cache);
  Inventory inventory(store, clock, observer, inventory_options, &cache);
  // Catalogue
  ListingCompliance compliance(store, clock);
  ProductEditor editor(store, compliance, clock, ids, &cache);
  Brands brands(store, clock, ids);
  CategoryTree categories(store);
  Pricing pricing(store, clock);
  ProductApi api(catalog, inventory, {brands, categories, editor, compliance, pricing}, runner.workers());
  runner.AddService(&api);

  // Catalogue events (ProductUpdated, PriceChanged, ProductPublished, ...) wait in the outbox until a relay
  // publishes them to zt.events.product; without Redis they stay there.
  std::unique_ptr<redis::Pool> redis;
  std::unique_ptr<events::OutboxRelay> relay;
  if (!config->redis_address.empty()) {
    redis::Options redis_options;
    redis_options.address = config->redis_address;
    auto opened = redis::Pool::Open(redis_options);
    if (!opened.ok()) {
      log::Error("cannot open redis", {{"error", opened.status().ToString()}});
      return 1;
    }
    redis = std::move(*opened);
    redis::ExportPoolMetrics(runner.gauges(), *redis, "product");
    relay = std::make_unique<events::OutboxRelay>(db, *redis);
    runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest product event not yet published.", {},
                        [&relay] { return relay->lag_seconds(); });
    relay->Start();
  } else {
    log::Warn("ZT_PRODUCT_REDIS_ADDR is not set: catalogue events stay in the outbox");
  }

  server::PeriodicTask sweeper(config->reservation_sweep_interval, [&inventory] {
    absl::StatusOr<int> expired = inventory.SweepExpired();
    if (!expired.ok()) {
      log::Warn("reservation sweep failed", {{"error", expired.status().ToString()}});
    } else if (*expired > 0) {
      log::Info("expired reservations released", {{"count", std::to_string(*expired)}});
    }
  });
  runner.OnShutdown([&] {
    sweeper.Stop();
    if (relay) relay->Stop();
    db.Close();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::product

int main(int argc, char** argv) { return zhongtai::server::RunMain(argc, argv, zhongtai::product::Main); }
