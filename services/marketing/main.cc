// Composition root of the marketing service: config, pool, store, domain, API; then run.
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/pg/pool_metrics.h"
#include "common/server/service_runner.h"
#include "migrations.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/config.h"
#include "services/marketing/store/pg_promotion_store.h"

namespace zhongtai::marketing {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewPromotionId() override { return ids::NewId("pr_"); }
};

int Main(const server::CommandLine& command_line) {
  log::Init("marketing");
  absl::StatusOr<MarketingConfig> config = LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());

  auto pool = pg::OpenAndMigrate({config->pg_dsn, config->pg_pool_size, absl::Seconds(2), "marketing"}, Migrations());
  if (!pool.ok()) {
    log::Error("cannot open or migrate the database", {{"error", pool.status().ToString()}});
    return 1;
  }
  if (command_line.migrate_only) {
    log::Info("migrations applied");
    return 0;
  }

  absl::StatusOr<server::RunnerOptions> service_options =
      server::ServiceOptions("marketing", config->grpc_port, config->metrics_port, config->worker_threads);
  if (!service_options.ok()) return server::InvalidConfiguration(service_options.status());
  server::RunnerOptions options = *std::move(service_options);
  options.drain_timeout = config->drain_timeout;
  server::ServiceRunner runner(options);
  pg::ExportPoolMetrics(runner.gauges(), **pool);

  PgPromotionStore store(**pool);
  SystemClock clock;
  TimeOrderedIds ids;
  Promotions promotions(store, clock, ids);
  MarketingApi api(promotions, runner.workers());
  runner.AddService(&api);
  runner.OnShutdown([&] { (*pool)->Close(); });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::marketing

int main(int argc, char** argv) { return zhongtai::server::RunMain(argc, argv, zhongtai::marketing::Main); }
