// Composition root of the user service: config, pool, store, domain, API; then run.
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/pg/pool_metrics.h"
#include "common/server/periodic_task.h"
#include "common/server/service_runner.h"
#include "migrations.h"
#include "services/user/api/membership_api.h"
#include "services/user/api/user_api.h"
#include "services/user/config.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/store/pg_user_store.h"

namespace zhongtai::user {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewUserId() override { return ids::NewId("u_"); }
  std::string NewSessionFamilyId() override { return ids::NewId("sf_"); }
};

int Main(const server::CommandLine& command_line) {
  log::Init("user");
  absl::StatusOr<UserConfig> config = LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());

  auto pool = pg::OpenAndMigrate({config->pg_dsn, config->pg_pool_size, absl::Seconds(2), "user"}, Migrations());
  if (!pool.ok()) {
    log::Error("cannot open or migrate the database", {{"error", pool.status().ToString()}});
    return 1;
  }
  if (command_line.migrate_only) {
    log::Info("migrations applied");
    return 0;
  }

  absl::StatusOr<server::RunnerOptions> service_options =
      server::ServiceOptions("user", config->grpc_port, config->metrics_port, config->worker_threads);
  if (!service_options.ok()) return server::InvalidConfiguration(service_options.status());
  server::RunnerOptions options = *std::move(service_options);
  options.drain_timeout = config->drain_timeout;
  server::ServiceRunner runner(options);
  pg::ExportPoolMetrics(runner.gauges(), **pool);

  PgUserStore store(**pool);
  Argon2PasswordHasher hasher;
  SystemClock clock;
  TimeOrderedIds ids;
  AccountSettings settings;
  settings.token.signing_key = config->token_signing_key;
  settings.token.public_key = options.security.token_public_key;
  settings.token.access_ttl = config->access_ttl;
  settings.refresh_ttl = config->refresh_ttl;
  settings.max_concurrent_hashes = config->password_hash_concurrency;
  settings.hash_wait = config->password_hash_wait;
  settings.login_throttle.max_failures = config->login_max_failures;
  settings.login_throttle.window = config->login_failure_window;
  settings.login_throttle.lockout = config->login_lockout;
  Accounts accounts(store, hasher, clock, ids, settings);

  if (!config->admin_login.empty()) {
    if (absl::Status ensured = accounts.EnsureAdmin(config->admin_login, config->admin_password); !ensured.ok()) {
      log::Error("cannot set up the admin account", {{"error", ensured.ToString()}});
      return 1;
    }
  }

  UserApi api(accounts, runner.workers());
  runner.AddService(&api);
  runner.OnShutdown([&] { (*pool)->Close(); });

  // Membership (membership_config.h): the points ledger, its RPCs and its sweep (stopped before the pool closes).
  PgPointsStore points_store(**pool);
  Points points(points_store, clock, PointsSettingsOf(config->membership));
  MembershipApi membership_api(points, runner.workers());
  runner.AddService(&membership_api);
  server::PeriodicTask points_sweep(config->membership.points_sweep_interval, [&points] {
    if (absl::StatusOr<int> swept = points.Sweep(); !swept.ok()) {
      log::Error("points sweep failed", {{"error", swept.status().ToString()}});
    }
  });
  runner.OnShutdown([&] { points_sweep.Stop(); });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::user

int main(int argc, char** argv) { return zhongtai::server::RunMain(argc, argv, zhongtai::user::Main); }
