// Composition root of the user service: config, pool, store, domain, API; then run.
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"
#include "common/pg/pool_metrics.h"
#include "common/redis/pool_metrics.h"
#include "common/server/periodic_task.h"
#include "common/server/service_runner.h"
#include "migrations.h"
#include "services/user/api/membership_api.h"
#include "services/user/api/user_api.h"
#include "services/user/config.h"
#include "services/user/ingest/order_events.h"
#include "services/user/store/pg_address_store.h"
#include "services/user/store/pg_membership_store.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/store/pg_user_store.h"

namespace zhongtai::user {
namespace {

class TimeOrderedIds : public IdGenerator, public AddressIds {
 public:
  std::string NewUserId() override { return ids::NewId("u_"); }
  std::string NewSessionFamilyId() override { return ids::NewId("sf_"); }
  std::string NewAddressId() override { return ids::NewId("addr_"); }
};

int Main(const server::CommandLine& command_line) {
  log::Init("user");
  absl::StatusOr<UserConfig> config = LoadConfig();
  if (!config.ok()) return server::InvalidConfiguration(config.status());

  std::vector<pg::Migration> migrations = events::SchemaMigrations();  // the outbox (TierChanged) and the inbox
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  auto pool = pg::OpenAndMigrate({config->pg_dsn, config->pg_pool_size, absl::Seconds(2), "user"}, migrations);
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
  settings.session_max_lifetime = config->session_max_lifetime;
  Accounts accounts(store, hasher, clock, ids, settings);

  if (!config->admin_login.empty()) {
    if (absl::Status ensured = accounts.EnsureAdmin(config->admin_login, config->admin_password); !ensured.ok()) {
      log::Error("cannot set up the admin account", {{"error", ensured.ToString()}});
      return 1;
    }
  }

  // Membership (membership_config.h): points, tiers and growth.
  PgPointsStore points_store(**pool);
  Points points(points_store, clock, PointsSettingsOf(config->membership));
  PgMembershipStore membership_store(**pool);
  Membership membership(membership_store, points, clock, MembershipSettingsOf(config->membership));

  // The address book.
  PgAddressStore address_store(**pool);
  AddressBook addresses(address_store, ids, clock);

  UserApi api(accounts, membership, addresses, runner.workers());
  MembershipApi membership_api(points, membership, runner.workers());
  runner.AddService(&api);
  runner.AddService(&membership_api);
  runner.OnShutdown([&] { (*pool)->Close(); });

  // Membership's background work, stopped before the pool closes: the order events it follows, the relay that
  // publishes TierChanged, and the sweep (points expiry, forgotten holds, the daily tier evaluation).
  redis::Options redis_options;
  redis_options.address = config->membership.redis_address;
  redis_options.size = 3;  // the consumer's reads and acknowledgements, the relay's publishing
  auto redis = redis::Pool::Open(redis_options);
  if (!redis.ok()) {
    log::Error("cannot open redis", {{"error", redis.status().ToString()}});
    return 1;
  }
  redis::ExportPoolMetrics(runner.gauges(), **redis, "user");
  events::OutboxRelay relay(**pool, **redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest user event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  events::ConsumerOptions consumer_options;
  consumer_options.stream = kOrderEventStream;
  consumer_options.group = kMembershipConsumerGroup;
  consumer_options.claim_idle = config->membership.events_claim_idle;
  events::StreamConsumer order_events(**pool, **redis, consumer_options, MakeOrderEventHandler(membership));
  relay.Start();
  order_events.Start();
  server::PeriodicTask membership_sweep(config->membership.membership_sweep_interval, [&points, &membership] {
    if (absl::StatusOr<int> swept = points.Sweep(); !swept.ok()) {
      log::Error("points sweep failed", {{"error", swept.status().ToString()}});
    }
    if (absl::StatusOr<int> evaluated = membership.EvaluateDue(); !evaluated.ok()) {
      log::Error("tier evaluation failed", {{"error", evaluated.status().ToString()}});
    }
  });
  runner.OnShutdown([&] {
    membership_sweep.Stop();
    order_events.Stop();
    relay.Stop();
    (*redis)->Close();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::user

int main(int argc, char** argv) { return zhongtai::server::RunMain(argc, argv, zhongtai::user::Main); }
