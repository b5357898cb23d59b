// Composition root of the user service: stores, domain, admin account, API, and membership's background work (the
// order and segment events it follows, the TierChanged relay, the points, tier and lifecycle sweeps) on the common
// start (service_start.h).
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/server/periodic_task.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/user/api/member_admin_api.h"
#include "services/user/api/membership_api.h"
#include "services/user/api/privacy_api.h"
#include "services/user/api/privacy_archive.h"
#include "services/user/api/segments_api.h"
#include "services/user/api/user_api.h"
#include "services/user/config.h"
#include "services/user/ingest/order_events.h"
#include "services/user/ingest/segment_events.h"
#include "services/user/store/pg_address_store.h"
#include "services/user/store/pg_birthday_store.h"
#include "services/user/store/pg_erasure_store.h"
#include "services/user/store/pg_export_store.h"
#include "services/user/store/pg_lifecycle_store.h"
#include "services/user/store/pg_member_directory.h"
#include "services/user/store/pg_membership_store.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/store/pg_tag_store.h"
#include "services/user/store/pg_user_store.h"
#include "services/user/store/redis_token_revoker.h"

namespace zhongtai::user {
namespace {

class TimeOrderedIds : public IdGenerator, public AddressIds, public ExportIds {
 public:
  std::string NewExportId() override { return ids::NewId("exp_"); }
  std::string NewUserId() override { return ids::NewId("u_"); }
  std::string NewSessionFamilyId() override { return ids::NewId("sf_"); }
  std::string NewAddressId() override { return ids::NewId("addr_"); }
};

// How often the export worker looks for due exports (a customer waits for one at least this long).
constexpr absl::Duration kExportWorkerInterval = absl::Seconds(2);

int Compose(const UserConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgUserStore store(*service.db);
  Argon2PasswordHasher hasher;
  SystemClock clock;
  TimeOrderedIds ids;
  AccountSettings settings;
  settings.token.signing_key = config.token_signing_key;
  settings.token.public_key = runner.options().security.token_public_key;
  settings.token.previous_public_keys = runner.options().security.token_previous_public_keys;
  settings.token.access_ttl = config.access_ttl;
  settings.refresh_ttl = config.refresh_ttl;
  settings.max_concurrent_hashes = config.password_hash_concurrency;
  settings.hash_wait = config.password_hash_wait;
  settings.login_throttle.max_failures = config.login_max_failures;
  settings.login_throttle.window = config.login_failure_window;
  settings.login_throttle.lockout = config.login_lockout;
  settings.session_max_lifetime = config.session_max_lifetime;
  // Ended sessions' access tokens are refused by the gateway at once (logout, a password change, erasure).
  RedisAccessTokenRevoker token_revoker(*service.redis, config.access_ttl);
  Accounts accounts(store, hasher, clock, ids, settings, &token_revoker);

  if (!config.admin_login.empty()) {
    if (absl::Status ensured = accounts.EnsureAdmin(config.admin_login, config.admin_password); !ensured.ok()) {
      log::Error("cannot set up the admin account", {{"error", ensured.ToString()}});
      return server::kExitCannotStart;
    }
  }

  // Membership (membership_config.h): points, tiers and growth.
  PgPointsStore points_store(*service.db);
  Points points(points_store, clock, PointsSettingsOf(config.membership));
  PgMembershipStore membership_store(*service.db);
  Membership membership(membership_store, points, clock, MembershipSettingsOf(config.membership));

  PgAddressStore address_store(*service.db);
  AddressBook addresses(address_store, ids, clock);

  // Tags, lifecycle stages, member lists and points rewards (sign-in, reviews).
  Rewards rewards(points, clock, RewardSettingsOf(config.membership));
  PgTagStore tag_store(*service.db);
  Tags tags(tag_store, clock);
  PgLifecycleStore lifecycle_store(*service.db);
  Lifecycle lifecycle(lifecycle_store, clock, config.membership.lifecycle);
  PgMemberDirectory directory(*service.db);
  MemberLists member_lists(directory, config.membership.recall_export_max_rows);

  UserApi api(accounts, membership, addresses, runner.workers());
  MembershipApi membership_api(points, membership, rewards, tags, lifecycle, runner.workers());
  MemberAdminApi member_admin_api(tags, member_lists, runner.workers());
  SegmentsApi segments_api(member_lists, runner.workers());
  runner.AddService(&api);
  runner.AddService(&membership_api);
  runner.AddService(&member_admin_api);
  runner.AddService(&segments_api);
  // Privacy rights: the data export (its worker below) and account erasure (UserErased through the outbox).
  PgExportStore export_store(*service.db);
  ExportSources sources;
  sources.order_address = config.order_address;
  sources.marketing_address = config.marketing_address;
  sources.datahub_address = config.datahub_address;
  GrpcArchiveGatherer gatherer(accounts, addresses, points, membership, sources);
  DataExports exports(export_store, gatherer, ids, clock);
  PgErasureStore erasure_store(*service.db);
  AccountErasure erasure(accounts, erasure_store, token_revoker, clock);
  PrivacyApi privacy_api(exports, erasure, runner.workers());
  runner.AddService(&privacy_api);

  events::OutboxRelay relay(*service.db, *service.redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest user event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  events::ConsumerOptions consumer_options;
  consumer_options.stream = kOrderEventStream;
  consumer_options.group = kMembershipConsumerGroup;
  consumer_options.claim_idle = config.membership.events_claim_idle;
  consumer_options.types = OrderEventHandlerTypes();
  events::StreamConsumer order_events(*service.db, *service.redis, consumer_options,
                                      MakeOrderEventHandler(membership, clock, config.membership.lifecycle));
  events::ConsumerOptions segment_options;
  segment_options.stream = kDatahubEventStream;
  segment_options.group = kSegmentsConsumerGroup;
  segment_options.claim_idle = config.membership.events_claim_idle;
  segment_options.types = SegmentEventHandlerTypes();
  events::StreamConsumer segment_events(*service.db, *service.redis, segment_options, MakeSegmentEventHandler(clock));
  relay.Start();
  order_events.Start();
  segment_events.Start();
  // Birthday coupons: today's birthdays (shop time zone) get a BirthdayCouponDue each, once per customer per year;
  // run with every membership sweep (hourly), which finds nothing more once the day's are out.
  PgBirthdayStore birthday_store(*service.db);
  BirthdayCoupons birthdays(birthday_store, membership_store, clock, config.membership.shop_zone);
  server::PeriodicTask membership_sweep(
      config.membership.membership_sweep_interval, [&points, &membership, &birthdays] {
        if (absl::StatusOr<int> swept = points.Sweep(); !swept.ok()) {
          log::Error("points sweep failed", {{"error", swept.status().ToString()}});
        }
        if (absl::StatusOr<int> evaluated = membership.EvaluateDue(); !evaluated.ok()) {
          log::Error("tier evaluation failed", {{"error", evaluated.status().ToString()}});
        }
        if (absl::StatusOr<int> due = birthdays.RunDaily(); !due.ok()) {
          log::Error("birthday coupons failed", {{"error", due.status().ToString()}});
        }
      });
  server::PeriodicTask lifecycle_sweep(config.membership.lifecycle_sweep_interval, [&lifecycle] {
    if (absl::StatusOr<int> reviewed = lifecycle.Sweep(); !reviewed.ok()) {
      log::Error("lifecycle sweep failed", {{"error", reviewed.status().ToString()}});
    }
  });
  // One export at a time per replica, each waiting for the other services on this task's own thread.
  server::PeriodicTask export_worker(kExportWorkerInterval, [&exports] {
    for (;;) {
      absl::StatusOr<bool> ran = exports.RunNext();
      if (!ran.ok()) log::Error("data export worker failed", {{"error", ran.status().ToString()}});
      if (!ran.ok() || !*ran) break;
    }
    if (absl::StatusOr<int> deleted = exports.DeleteExpired(); !deleted.ok()) {
      log::Error("deleting expired data exports failed", {{"error", deleted.status().ToString()}});
    }
  });
  runner.OnShutdown([&] {
    lifecycle_sweep.Stop();
    export_worker.Stop();
    membership_sweep.Stop();
    segment_events.Stop();
    order_events.Stop();
    relay.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::user

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"user", user::Migrations()};
  spec.events = true;          // the outbox (TierChanged) and the inbox (order and segment events)
  spec.redis_connections = 5;  // each consumer's reads and acknowledgements, the relay's publishing
  return server::RunService<user::UserConfig>(argc, argv, spec, user::LoadConfig, user::Compose);
}
