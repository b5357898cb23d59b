// Composition root of the order service: config, pools, stores, clients, domain, API; then run.
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/pg/pool_metrics.h"
#include "common/redis/pool_metrics.h"
#include "common/server/client.h"
#include "common/server/periodic_task.h"
#include "common/server/pool_executor.h"
#include "common/server/service_runner.h"
#include "migrations.h"
#include "services/order/api/order_api.h"
#include "services/order/clients/grpc_clients.h"
#include "services/order/config.h"
#include "services/order/order_metrics.h"
#include "services/order/store/pg_order_store.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::order {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewOrderId() override { return ids::NewId("o_"); }
  std::string NewPaymentId() override { return ids::NewId("pay_"); }
};

int Main(const server::CommandLine& command_line) {
  log::Init("order");
  absl::StatusOr<OrderConfig> config = LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());

  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  auto pool = pg::OpenAndMigrate({config->pg_dsn, config->pg_pool_size, absl::Seconds(2), "order"}, migrations);
  if (!pool.ok()) {
    log::Error("cannot open or migrate the database", {{"error", pool.status().ToString()}});
    return 1;
  }
  if (command_line.migrate_only) {
    log::Info("migrations applied");
    return 0;
  }

  absl::StatusOr<server::RunnerOptions> service_options =
      server::ServiceOptions("order", config->grpc_port, config->metrics_port, config->worker_threads);
  if (!service_options.ok()) return server::InvalidConfiguration(service_options.status());
  server::RunnerOptions options = *std::move(service_options);
  options.drain_timeout = config->drain_timeout;
  server::ServiceRunner runner(options);
  pg::ExportPoolMetrics(runner.gauges(), **pool);
  redis::Options redis_options;
  redis_options.address = config->redis_address;
  auto redis = redis::Pool::Open(redis_options);
  if (!redis.ok()) {
    log::Error("cannot open redis", {{"error", redis.status().ToString()}});
    return 1;
  }
  redis::ExportPoolMetrics(runner.gauges(), **redis, "order");

  PgOrderStore store(**pool);
  GrpcProductCatalog catalog(
      server::MakeChannel(config->product_address, product::v1::ProductService::service_full_name()));
  GrpcPriceQuoter quoter(
      server::MakeChannel(config->marketing_address, marketing::v1::MarketingService::service_full_name()));
  LocalPaymentProvider payments;
  SystemClock clock;
  TimeOrderedIds ids;
  PrometheusOrderObserver observer(runner.registry());
  OrderSettings settings;
  settings.payment_timeout = config->payment_timeout;
  settings.reservation_grace = config->reservation_grace;
  // The saga's store steps after a call to another service continue on the same worker pool as the calls themselves.
  server::PoolExecutor blocking(runner.workers());
  Orders orders(store, catalog, quoter, payments, clock, ids, observer, blocking, settings);
  OrderApi api(orders, runner.workers());

  events::OutboxRelay relay(**pool, **redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest order event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  runner.AddService(&api);

  relay.Start();
  // Its own thread: SweepOnce waits for each order's steps, which continue on the worker pool.
  server::PeriodicTask sweeper(config->sweep_interval, [&orders] { orders.SweepOnce(); });
  runner.OnShutdown([&] {
    sweeper.Stop();
    relay.Stop();
    (*pool)->Close();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::order

int main(int argc, char** argv) { return zhongtai::server::RunMain(argc, argv, zhongtai::order::Main); }
