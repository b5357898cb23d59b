// Privacy rights on a real PostgreSQL (label store): erasure leaves no phone, email or address of the account in any
// table, ends every session, frees the logins, keeps the points ledger, and writes one UserErased event; data exports
// are made once per request, seen only by their owner, survive a worker's death (the lease), retry and then fail,
// and expire.
#include <atomic>
#include <catch2/catch.hpp>
#include <memory>

#include "common/auth/password.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/personal_data.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/addresses.h"
#include "services/user/domain/lifecycle.h"
#include "services/user/domain/points.h"
#include "services/user/domain/privacy_erasure.h"
#include "services/user/domain/privacy_exports.h"
#include "services/user/store/pg_address_store.h"
#include "services/user/store/pg_erasure_store.h"
#include "services/user/store/pg_export_store.h"
#include "services/user/store/pg_lifecycle_store.h"
#include "services/user/store/pg_membership_store.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/store/pg_user_store.h"
#include "services/user/tests/fakes.h"
#include "zhongtai/user/v1/privacy_events.pb.h"

namespace zhongtai::user {
namespace {

constexpr char kPhone[] = "13800138000";
constexpr char kEmail[] = "alice@example.com";
constexpr char kPassword[] = "alice-password";
constexpr char kRecipientPhone[] = "13911112222";
constexpr char kStreet[] = "长安街1号";

class Ids : public AddressIds, public ExportIds {
 public:
  std::string NewAddressId() override { return "addr_" + std::to_string(++next_); }
  std::string NewExportId() override { return "exp_" + std::to_string(++next_); }

 private:
  std::atomic<int> next_{0};
};

// Answers what it is told to, counting the gatherings.
class ScriptedGatherer : public ArchiveGatherer {
 public:
  void Gather(const std::string& user_id, absl::Time, async::Callback<std::string> done) override {
    ++gathered;
    if (fail) return done(absl::UnavailableError("order is down"));
    done(std::string("archive-of-\0-", 13) + user_id);
  }
  bool fail = false;
  std::atomic<int> gathered{0};
};

struct PrivacyDb {
  PrivacyDb() {
    auto opened = pg::Pool::Open({database.dsn(), 8, absl::Seconds(20), "privacy-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
    clock.Set(absl::FromUnixSeconds(1790000000));
  }
  int64_t Count(const std::string& sql, const std::string& arg) {
    int64_t value = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  value = tx.exec_params(sql, arg)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return value;
  }

  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  FakeClock clock;
  Ids ids;
};

struct Erasing : PrivacyDb {
  Erasing()
      : users(*pool),
        accounts(users, hasher, clock, user_ids, testing::TestAccountSettings()),
        address_store(*pool),
        addresses(address_store, ids, clock),
        points_store(*pool),
        points(points_store, clock, PointsSettings{}),
        erasure_store(*pool),
        erasure(accounts, erasure_store, token_revoker, clock) {
    RegisterCommand alice{kEmail, kPhone, kPassword, "Alice"};
    absl::StatusOr<User> registered = accounts.Register(alice);
    REQUIRE(registered.ok());
    user_id = registered->user_id;
    AddressInput home;
    home.recipient_name = "王小明";
    home.recipient_phone = kRecipientPhone;
    home.province_code = "110000";
    home.city_code = "110100";
    home.district_code = "110105";
    home.detail = kStreet;
    REQUIRE(addresses.Add(user_id, home, "req-1").ok());
    REQUIRE(points.Earn({user_id, 500, "order paid", "order-paid:o_1"}).ok());
    // Two sessions (two devices), and a failed login counted under the phone.
    REQUIRE(accounts.Login(kPhone, kPassword).ok());
    REQUIRE(accounts.Login(kEmail, kPassword).ok());
    REQUIRE_FALSE(accounts.Login(kPhone, "not-the-password").ok());
  }

  PgUserStore users;
  testing::FakeHasher hasher;
  testing::SequentialIds user_ids;
  Accounts accounts;
  PgAddressStore address_store;
  AddressBook addresses;
  PgPointsStore points_store;
  Points points;
  PgErasureStore erasure_store;
  testing::RecordingTokenRevoker token_revoker;
  AccountErasure erasure;
  std::string user_id;
};

TEST_CASE("erasure leaves no phone, email or address of the account in any table of the user database") {
  Erasing f;
  REQUIRE_FALSE(zhongtai::testing::RowsContaining(*f.pool, kPhone).empty());  // the search finds what is there

  REQUIRE(f.erasure.Erase(f.user_id, kPassword).ok());

  for (const char* needle : {kPhone, kEmail, kRecipientPhone, kStreet, "王小明", "Alice"}) {
    INFO(needle);
    CHECK(zhongtai::testing::RowsContaining(*f.pool, needle).empty());
  }
  // Failed-login counters are kept by the login's hash, which is easily reversed for a phone.
  CHECK(zhongtai::testing::RowsContaining(*f.pool, auth::Sha256Hex(kPhone)).empty());
}

TEST_CASE("an erased account ends every session at once and its logins are free for a new account") {
  Erasing f;
  absl::StatusOr<LoginResult> session = f.accounts.Login(kPhone, kPassword);
  REQUIRE(session.ok());

  REQUIRE(f.erasure.Erase(f.user_id, kPassword).ok());

  CHECK(f.Count("SELECT count(*) FROM refresh_sessions WHERE user_id = $1", f.user_id) == 0);
  CHECK(f.accounts.Refresh(session->tokens.refresh_token).status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(f.accounts.Login(kPhone, kPassword).status().code() == absl::StatusCode::kUnauthenticated);
  CHECK(f.accounts.GetMe(f.user_id).status().code() == absl::StatusCode::kNotFound);
  RegisterCommand again{kEmail, kPhone, "another-password", "New"};
  CHECK(f.accounts.Register(again).ok());
}

TEST_CASE("erasure removes the member's tier, tier history and lifecycle stage, and a late order brings none back") {
  Erasing f;
  PgMembershipStore membership(*f.pool);
  OrderGrowth paid{"o_1", f.user_id, 6000, 600000, f.clock.Now()};
  REQUIRE(membership
              .AddOrderGrowth(paid, f.clock.Now() - absl::Hours(24 * 365),
                              [](const Member&, int64_t) { return Tier::kGold; })
              .ok());
  PgLifecycleStore lifecycle_store(*f.pool);
  Lifecycle lifecycle(lifecycle_store, f.clock, LifecycleSettings{});
  REQUIRE(lifecycle.RecordOrder(f.user_id, f.clock.Now()).ok());
  REQUIRE(f.Count("SELECT count(*) FROM members WHERE user_id = $1 AND tier = 'gold'", f.user_id) == 1);
  REQUIRE(f.Count("SELECT count(*) FROM tier_history WHERE user_id = $1", f.user_id) == 1);
  REQUIRE(f.Count("SELECT count(*) FROM user_lifecycle WHERE user_id = $1", f.user_id) == 1);

  REQUIRE(f.erasure.Erase(f.user_id, kPassword).ok());

  CHECK(f.Count("SELECT count(*) FROM members WHERE user_id = $1", f.user_id) == 0);
  CHECK(f.Count("SELECT count(*) FROM tier_history WHERE user_id = $1", f.user_id) == 0);
  CHECK(f.Count("SELECT count(*) FROM user_lifecycle WHERE user_id = $1", f.user_id) == 0);
  // The order's growth stays for accounting (a refund reverses its points at the rate it earned them).
  CHECK(f.Count("SELECT count(*) FROM order_growth WHERE user_id = $1", f.user_id) == 1);
  // A paid order delivered after the erasure, and the lifecycle sweep, leave the erased account without a stage.
  CHECK(ReasonOf(lifecycle.RecordOrder(f.user_id, f.clock.Now()).status()) == "USER_NOT_FOUND");
  REQUIRE(lifecycle.Sweep().ok());
  CHECK(f.Count("SELECT count(*) FROM user_lifecycle WHERE user_id = $1", f.user_id) == 0);
}

TEST_CASE("erasure keeps the points ledger under the account id, for accounting") {
  Erasing f;
  REQUIRE(f.erasure.Erase(f.user_id, kPassword).ok());
  CHECK(f.Count("SELECT count(*) FROM points_ledger WHERE user_id = $1", f.user_id) == 1);
  CHECK(f.Count("SELECT count(*) FROM users WHERE user_id = $1 AND erased_at IS NOT NULL", f.user_id) == 1);
}

TEST_CASE("erasure publishes one UserErased event for the other services, and a second erasure finds no account") {
  Erasing f;
  REQUIRE(f.erasure.Erase(f.user_id, kPassword).ok());
  CHECK(f.erasure.Erase(f.user_id, kPassword).code() == absl::StatusCode::kNotFound);

  std::string payload;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                pqxx::result rows =
                    tx.exec_params("SELECT payload FROM outbox WHERE stream = 'zt.events.user' AND type = $1",
                                   std::string(v1::UserErased::descriptor()->full_name()));
                REQUIRE(rows.size() == 1);
                payload = pqxx::binarystring(rows[0][0]).str();
                return absl::OkStatus();
              })
              .ok());
  v1::UserErased event;
  REQUIRE(event.ParseFromString(payload));
  CHECK(event.user_id() == f.user_id);
}

TEST_CASE("erasure needs the account's password, named in the error, and changes nothing without it") {
  Erasing f;
  absl::Status missing = f.erasure.Erase(f.user_id, "");
  CHECK(missing.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(missing) == "CURRENT_PASSWORD_REQUIRED");
  CHECK(FieldOf(missing) == "currentPassword");
  absl::Status wrong = f.erasure.Erase(f.user_id, "guess");
  CHECK(ReasonOf(wrong) == "CURRENT_PASSWORD_WRONG");
  CHECK(FieldOf(wrong) == "currentPassword");
  CHECK(f.accounts.Login(kPhone, kPassword).ok());
  // Nothing but the fixture's points entries (PointsChanged) was published for the account.
  CHECK(f.Count("SELECT count(*) FROM outbox WHERE key = $1 AND type <> 'zhongtai.user.v1.PointsChanged'", f.user_id) ==
        0);
  CHECK(f.token_revoker.revoked().empty());
}

TEST_CASE("an admin account is not erased") {
  Erasing f;
  REQUIRE(f.accounts.EnsureAdmin("root@example.com", "admin-password").ok());
  absl::StatusOr<LoginResult> admin = f.accounts.Login("root@example.com", "admin-password");
  REQUIRE(admin.ok());
  absl::Status refused = f.erasure.Erase(admin->user.user_id, "admin-password");
  CHECK(refused.code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused) == "ADMIN_NOT_ERASABLE");
}

struct Exporting : PrivacyDb {
  Exporting() : store(*pool), exports(store, gatherer, ids, clock, Settings()) {}
  static ExportSettings Settings() {
    ExportSettings settings;
    settings.lease = absl::Minutes(2);
    settings.max_attempts = 2;
    settings.retry_after = absl::Seconds(30);
    settings.archive_ttl = absl::Hours(24);
    return settings;
  }
  PgExportStore store;
  ScriptedGatherer gatherer;
  DataExports exports;
};

TEST_CASE("a data export is made once per request, and a pending one answers further requests") {
  Exporting f;
  absl::StatusOr<DataExport> first = f.exports.Request("u1", "key-1");
  REQUIRE(first.ok());
  CHECK(first->state == ExportState::kPending);
  CHECK(f.exports.Request("u1", "key-1")->export_id == first->export_id);
  CHECK(f.exports.Request("u1", "key-2")->export_id == first->export_id);  // still pending
  CHECK(f.exports.Request("u2", "key-1")->export_id != first->export_id);  // another user's own
}

TEST_CASE("the worker gathers a due export and only its owner sees the archive") {
  Exporting f;
  std::string id = f.exports.Request("u1", "")->export_id;
  REQUIRE(*f.exports.RunNext());
  CHECK_FALSE(*f.exports.RunNext());  // nothing else is due

  absl::StatusOr<DataExport> ready = f.exports.Get("u1", id);
  REQUIRE(ready.ok());
  CHECK(ready->state == ExportState::kReady);
  CHECK(ready->archive == std::string("archive-of-\0-u1", 15));  // binary-safe
  REQUIRE(ready->completed_at.has_value());
  CHECK(*ready->expires_at == *ready->completed_at + absl::Hours(24));

  absl::StatusOr<DataExport> other = f.exports.Get("u2", id);
  CHECK(other.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(other.status()) == "DATA_EXPORT_NOT_FOUND");
  CHECK(ReasonOf(f.exports.Get("u1", "exp_missing").status()) == "DATA_EXPORT_NOT_FOUND");
  CHECK(FieldOf(f.exports.Get("u1", "").status()) == "exportId");

  // Ready: a new request makes a new export.
  CHECK(f.exports.Request("u1", "")->export_id != id);
}

TEST_CASE("an export whose worker died is taken again once its lease ends") {
  Exporting f;
  std::string id = f.exports.Request("u1", "")->export_id;
  // A worker takes it and dies (a restart) before finishing.
  absl::StatusOr<std::optional<DataExport>> taken = f.store.ClaimDue(f.clock.Now(), absl::Minutes(2));
  REQUIRE(taken.ok());
  REQUIRE(taken->has_value());
  CHECK_FALSE(*f.exports.RunNext());  // held by the dead worker's lease
  f.clock.Advance(absl::Minutes(3));
  CHECK(*f.exports.RunNext());
  CHECK(f.exports.Get("u1", id)->state == ExportState::kReady);
}

TEST_CASE("an export whose gathering keeps failing is retried, then fails for good") {
  Exporting f;
  f.gatherer.fail = true;
  std::string id = f.exports.Request("u1", "")->export_id;
  CHECK(*f.exports.RunNext());
  CHECK(f.exports.Get("u1", id)->state == ExportState::kPending);
  CHECK_FALSE(*f.exports.RunNext());  // waits retry_after
  f.clock.Advance(absl::Seconds(31));
  CHECK(*f.exports.RunNext());
  CHECK(f.exports.Get("u1", id)->state == ExportState::kFailed);
  CHECK(f.gatherer.gathered == 2);
  f.clock.Advance(absl::Hours(24 * 8));
  CHECK_FALSE(*f.exports.RunNext());
}

TEST_CASE("a ready archive is deleted when it expires") {
  Exporting f;
  std::string id = f.exports.Request("u1", "")->export_id;
  REQUIRE(*f.exports.RunNext());
  CHECK(*f.exports.DeleteExpired() == 0);
  f.clock.Advance(absl::Hours(25));
  CHECK(*f.exports.DeleteExpired() == 1);
  CHECK(f.exports.Get("u1", id).status().code() == absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace zhongtai::user
