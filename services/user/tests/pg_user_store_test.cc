#include "services/user/store/pg_user_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>
#include <vector>

#include "common/auth/token.h"
#include "common/auth/token_revocations.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/redis/redis.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/domain/accounts.h"
#include "services/user/store/redis_token_revoker.h"
#include "services/user/tests/fakes.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

struct Db {
  Db() {
    auto opened = pg::Pool::Open({database.dsn(), 4, absl::Seconds(5), "user-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    REQUIRE(pg::Migrate(*pool, Migrations()).ok());
    // Applying again is a no-op.
    REQUIRE(pg::Migrate(*pool, Migrations()).ok());
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
};

const absl::Time kNow = absl::FromUnixSeconds(1700000000) + absl::Microseconds(123456);

User Alice() {
  User u;
  u.user_id = "u_alice";
  u.email = "alice@example.com";
  u.nickname = "Alice";
  u.password_hash = "$argon2id$fake";
  u.created_at = kNow;
  return u;
}

RefreshSession Session(const std::string& hash, const std::string& user_id, absl::Time expires_at) {
  RefreshSession s;
  s.token_hash = hash;
  s.user_id = user_id;
  s.family_id = "sf_1";
  s.created_at = kNow;
  s.expires_at = expires_at;
  s.family_started_at = kNow;
  return s;
}

}  // namespace

TEST_CASE("users are stored and found by email, phone and id", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  User bob;
  bob.user_id = "u_bob";
  bob.phone = "+8613800138000";
  bob.nickname = "Bob";
  bob.role = Role::kAdmin;
  bob.password_hash = "h";
  bob.created_at = kNow;
  REQUIRE(store.CreateUser(bob).ok());

  auto alice = store.FindByLogin("alice@example.com");
  REQUIRE(alice.ok());
  CHECK(alice->user_id == "u_alice");
  CHECK(alice->phone.empty());
  CHECK(alice->nickname == "Alice");
  CHECK(alice->role == Role::kCustomer);
  CHECK(alice->password_hash == "$argon2id$fake");
  CHECK(alice->created_at == kNow);

  auto found_bob = store.FindByLogin("+8613800138000");
  REQUIRE(found_bob.ok());
  CHECK(found_bob->user_id == "u_bob");
  CHECK(found_bob->email.empty());
  CHECK(found_bob->role == Role::kAdmin);
  CHECK(store.FindById("u_bob").ok());

  auto missing = store.FindByLogin("nobody@example.com");
  CHECK(missing.status().code() == absl::StatusCode::kNotFound);
  CHECK(ReasonOf(missing.status()) == "USER_NOT_FOUND");
  CHECK(store.FindById("u_none").status().code() == absl::StatusCode::kNotFound);
  CHECK(store.FindByLogin("").status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("a taken email or phone is LOGIN_TAKEN", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  User again = Alice();
  again.user_id = "u_other";
  absl::Status taken = store.CreateUser(again);
  CHECK(taken.code() == absl::StatusCode::kAlreadyExists);
  CHECK(ReasonOf(taken) == "LOGIN_TAKEN");
}

TEST_CASE("credentials can be updated", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  REQUIRE(store.UpdateCredentials("u_alice", Role::kAdmin, "new-hash").ok());
  auto alice = store.FindById("u_alice");
  REQUIRE(alice.ok());
  CHECK(alice->role == Role::kAdmin);
  CHECK(alice->password_hash == "new-hash");
  CHECK(store.UpdateCredentials("u_none", Role::kAdmin, "x").code() == absl::StatusCode::kNotFound);
}

TEST_CASE("refresh sessions rotate once: reuse revokes the family: expiry holds", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  REQUIRE(store.CreateSession(Session("h1", "u_alice", kNow + absl::Hours(1))).ok());

  auto rotated = store.RotateSession("h1", Session("h2", "", kNow + absl::Hours(2)), kNow + absl::Minutes(1),
                                     absl::InfinitePast());
  REQUIRE(rotated.ok());
  CHECK(rotated->outcome == UserStore::RotateOutcome::kRotated);
  CHECK(rotated->user_id == "u_alice");

  auto unknown = store.RotateSession("nope", Session("h9", "", kNow), kNow, absl::InfinitePast());
  REQUIRE(unknown.ok());
  CHECK(unknown->outcome == UserStore::RotateOutcome::kUnknown);

  auto reused = store.RotateSession("h1", Session("h3", "", kNow + absl::Hours(2)), kNow + absl::Minutes(2),
                                    absl::InfinitePast());
  REQUIRE(reused.ok());
  CHECK(reused->outcome == UserStore::RotateOutcome::kReused);
  // The revocation of the family was committed: h2, issued by the first rotation, is dead as well.
  auto after = store.RotateSession("h2", Session("h4", "", kNow + absl::Hours(2)), kNow + absl::Minutes(3),
                                   absl::InfinitePast());
  REQUIRE(after.ok());
  CHECK(after->outcome == UserStore::RotateOutcome::kReused);

  RefreshSession other = Session("e1", "u_alice", kNow + absl::Hours(1));
  other.family_id = "sf_2";
  REQUIRE(store.CreateSession(other).ok());
  auto expired =
      store.RotateSession("e1", Session("e2", "", kNow + absl::Hours(3)), kNow + absl::Hours(1), absl::InfinitePast());
  REQUIRE(expired.ok());
  CHECK(expired->outcome == UserStore::RotateOutcome::kExpired);
}

TEST_CASE("concurrent refreshes with one token: exactly one rotates", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  REQUIRE(store.CreateSession(Session("h1", "u_alice", kNow + absl::Hours(1))).ok());
  std::atomic<int> rotated{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = store.RotateSession("h1", Session("n" + std::to_string(i), "", kNow + absl::Hours(2)), kNow,
                                   absl::InfinitePast());
      if (!r.ok()) {
        ++failed;
      } else if (r->outcome == UserStore::RotateOutcome::kRotated) {
        ++rotated;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(rotated == 1);
  CHECK(failed == 0);
}

// Accounts over a fresh database, with fakes for hashing, time and ids.
struct AccountsOverPg {
  Db db;
  PgUserStore store{*db.pool};
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  AccountSettings settings = testing::TestAccountSettings();
};

TEST_CASE("accounts over PostgreSQL: one of many concurrent registrations of a login wins", "[store]") {
  AccountsOverPg pg;
  Accounts accounts(pg.store, pg.hasher, pg.clock, pg.ids, pg.settings);

  std::atomic<int> ok{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      auto user = accounts.Register({"Race@Example.com", "", "s3cret-pass", "R"});
      if (user.ok()) ++ok;
      if (ReasonOf(user.status()) == "LOGIN_TAKEN") ++taken;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 1);
  CHECK(taken == 3);

  auto login = accounts.Login("race@example.com", "s3cret-pass");
  REQUIRE(login.ok());
  auto refreshed = accounts.Refresh(login->tokens.refresh_token);
  REQUIRE(refreshed.ok());
  CHECK(ReasonOf(accounts.Refresh(login->tokens.refresh_token).status()) == "REFRESH_TOKEN_INVALID");

  REQUIRE(accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-1").ok());
  REQUIRE(accounts.EnsureAdmin("admin@zhongtai.local", "admin-pass-1").ok());
  auto admin = accounts.Login("admin@zhongtai.local", "admin-pass-1");
  REQUIRE(admin.ok());
  CHECK(admin->user.role == Role::kAdmin);
}

TEST_CASE("login failures over PostgreSQL: concurrent failures each count and the limit locks once per count",
          "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  const UserStore::LoginThrottlePolicy policy{5, absl::Minutes(15), absl::Minutes(15)};
  const std::string key = "hash-of-alice";
  std::atomic<int> locks{0};
  std::atomic<int> errors{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 5; ++j) {
        auto locked = store.RecordLoginFailure(key, kNow, policy);
        if (!locked.ok()) {
          ++errors;
        } else if (*locked > kNow) {
          ++locks;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(errors == 0);
  // 20 failures from 4 replicas' worth of threads: each counted, so the 5th, 10th, 15th and 20th lock.
  CHECK(locks == 4);
  auto until = store.LoginLockedUntil(key, kNow + absl::Minutes(1));
  REQUIRE(until.ok());
  CHECK(*until == kNow + absl::Minutes(15));
  CHECK(*store.LoginLockedUntil(key, kNow + absl::Minutes(15)) == absl::InfinitePast());
  CHECK(*store.LoginLockedUntil("hash-of-someone-else", kNow) == absl::InfinitePast());
}

TEST_CASE("login failures over PostgreSQL: a window restarts when it is over, and success clears", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  const UserStore::LoginThrottlePolicy policy{3, absl::Minutes(15), absl::Minutes(30)};
  const std::string key = "hash-of-bob";
  REQUIRE(*store.RecordLoginFailure(key, kNow, policy) == absl::InfinitePast());
  REQUIRE(*store.RecordLoginFailure(key, kNow + absl::Minutes(1), policy) == absl::InfinitePast());
  // The third failure comes after the window of the first: it counts as the first of a new window.
  REQUIRE(*store.RecordLoginFailure(key, kNow + absl::Minutes(16), policy) == absl::InfinitePast());
  REQUIRE(*store.RecordLoginFailure(key, kNow + absl::Minutes(17), policy) == absl::InfinitePast());
  absl::Time third = kNow + absl::Minutes(18);
  CHECK(*store.RecordLoginFailure(key, third, policy) == third + absl::Minutes(30));
  CHECK(*store.LoginLockedUntil(key, third + absl::Minutes(29)) == third + absl::Minutes(30));

  REQUIRE(store.ClearLoginFailures(key).ok());
  CHECK(*store.LoginLockedUntil(key, third) == absl::InfinitePast());

  // Stale rows are pruned as later failures are recorded.
  REQUIRE(store.RecordLoginFailure("hash-of-stale", kNow, policy).ok());
  REQUIRE(store.RecordLoginFailure("hash-of-fresh", kNow + absl::Hours(2), policy).ok());
  int rows = -1;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                rows =
                    tx.exec("SELECT count(*) FROM login_failures WHERE login_hash = 'hash-of-stale'")[0][0].as<int>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(rows == 0);
}

TEST_CASE("accounts over PostgreSQL: failed logins lock the account across Accounts instances (replicas)", "[store]") {
  AccountsOverPg pg;
  Accounts replica_a(pg.store, pg.hasher, pg.clock, pg.ids, pg.settings);
  Accounts replica_b(pg.store, pg.hasher, pg.clock, pg.ids, pg.settings);
  REQUIRE(replica_a.Register({"eve@example.com", "", "s3cret-pass", "Eve"}).ok());
  for (int i = 0; i < 5; ++i) {
    Accounts& replica = i % 2 ? replica_a : replica_b;
    CHECK(ReasonOf(replica.Login("eve@example.com", "wrong-password").status()) == "INVALID_CREDENTIALS");
  }
  auto locked = replica_a.Login("eve@example.com", "s3cret-pass");
  CHECK(locked.status().code() == absl::StatusCode::kResourceExhausted);
  CHECK(ReasonOf(locked.status()) == "LOGIN_THROTTLED");
  pg.clock.Advance(absl::Minutes(15));
  CHECK(replica_b.Login("eve@example.com", "s3cret-pass").ok());
}

}  // namespace zhongtai::user

namespace zhongtai::user {

TEST_CASE("the profile round-trips through PostgreSQL and logins stay unique", "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  User bob = Alice();
  bob.user_id = "u_bob";
  bob.email = "bob@example.com";
  REQUIRE(store.CreateUser(bob).ok());

  User alice = *store.FindById("u_alice");
  CHECK(alice.birthday.empty());
  CHECK(alice.gender == Gender::kUnspecified);
  alice.nickname = "Alice W";
  alice.avatar_url = "https://cdn.example.com/alice.png";
  alice.birthday = "1990-02-28";
  alice.gender = Gender::kFemale;
  alice.phone = "13800138000";
  REQUIRE(store.UpdateProfile(alice).ok());
  User stored = *store.FindByLogin("13800138000");
  CHECK(stored.user_id == "u_alice");
  CHECK(stored.nickname == "Alice W");
  CHECK(stored.avatar_url == "https://cdn.example.com/alice.png");
  CHECK(stored.birthday == "1990-02-28");
  CHECK(stored.gender == Gender::kFemale);
  CHECK(stored.password_hash == "$argon2id$fake");

  alice.email = "bob@example.com";
  CHECK(ReasonOf(store.UpdateProfile(alice)) == "LOGIN_TAKEN");
  alice.birthday.clear();
  alice.email = "alice@example.com";
  REQUIRE(store.UpdateProfile(alice).ok());
  CHECK(store.FindById("u_alice")->birthday.empty());
  alice.user_id = "u_nobody";
  CHECK(ReasonOf(store.UpdateProfile(alice)) == "USER_NOT_FOUND");
}

}  // namespace zhongtai::user

namespace zhongtai::user {

TEST_CASE("a session family past its absolute lifetime cannot rotate, and all of a user's sessions can be ended",
          "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  REQUIRE(store.CreateSession(Session("l1", "u_alice", kNow + absl::Hours(24))).ok());
  // Rotations keep the login's time: the new session still counts from kNow.
  auto rotated = store.RotateSession("l1", Session("l2", "", kNow + absl::Hours(48)), kNow + absl::Hours(1),
                                     kNow - absl::Hours(1));
  REQUIRE(rotated.ok());
  CHECK(rotated->outcome == UserStore::RotateOutcome::kRotated);
  auto too_old = store.RotateSession("l2", Session("l3", "", kNow + absl::Hours(48)), kNow + absl::Hours(2), kNow);
  REQUIRE(too_old.ok());
  CHECK(too_old->outcome == UserStore::RotateOutcome::kExpired);

  REQUIRE(store.CreateSession(Session("m1", "u_alice", kNow + absl::Hours(24))).ok());
  REQUIRE(store.RevokeSessions("u_alice", kNow + absl::Hours(3)).ok());
  auto revoked =
      store.RotateSession("m1", Session("m2", "", kNow + absl::Hours(48)), kNow + absl::Hours(4), absl::InfinitePast());
  REQUIRE(revoked.ok());
  CHECK(revoked->outcome == UserStore::RotateOutcome::kReused);
}

TEST_CASE("sessions name their family: logout finds it again, and the recent families are those with live tokens",
          "[store]") {
  Db db;
  PgUserStore store(*db.pool);
  REQUIRE(store.CreateUser(Alice()).ok());
  RefreshSession phone = Session("p1", "u_alice", kNow + absl::Hours(24));
  phone.family_id = "sf_phone";
  RefreshSession old = Session("o1", "u_alice", kNow + absl::Hours(24));
  old.family_id = "sf_old";
  old.created_at = kNow - absl::Hours(1);
  REQUIRE(store.CreateSession(phone).ok());
  REQUIRE(store.CreateSession(old).ok());
  auto rotated = store.RotateSession("p1", Session("p2", "", kNow + absl::Hours(48)), kNow, absl::InfinitePast());
  REQUIRE(rotated.ok());
  CHECK(rotated->family_id == "sf_phone");

  auto recent = store.RecentSessionFamilies("u_alice", kNow - absl::Minutes(16));
  REQUIRE(recent.ok());
  CHECK(*recent == std::vector<std::string>{"sf_phone"});  // sf_old issued its last token an hour ago

  CHECK(*store.RevokeFamily("p2", "someone-else", kNow) == "");
  CHECK(*store.RevokeFamily("p2", "u_alice", kNow) == "sf_phone");
  CHECK(*store.RevokeFamily("p2", "u_alice", kNow) == "sf_phone");  // a retried logout finds it again
  CHECK(*store.RevokeFamily("unknown", "u_alice", kNow) == "");
}

TEST_CASE("a registration attempt notifies the account at most once per interval, through the outbox", "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 4, absl::Seconds(5), "user-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  PgUserStore store(**pool);
  REQUIRE(store.CreateUser(Alice()).ok());

  // Concurrent attempts: exactly one notice.
  std::atomic<int> sent{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      auto noted = store.NoteRegistrationAttempt("u_alice", "email", kNow, absl::Hours(1));
      if (noted.ok() && *noted) ++sent;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(sent == 1);
  CHECK_FALSE(*store.NoteRegistrationAttempt("u_alice", "phone", kNow + absl::Minutes(59), absl::Hours(1)));
  CHECK(*store.NoteRegistrationAttempt("u_alice", "phone", kNow + absl::Hours(1), absl::Hours(1)));

  std::vector<v1::RegistrationAttempted> events;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                events.clear();
                for (const pqxx::row& row : tx.exec("SELECT payload, stream FROM outbox WHERE type = "
                                                    "'zhongtai.user.v1.RegistrationAttempted' ORDER BY seq")) {
                  pqxx::binarystring bytes(row[0]);
                  v1::RegistrationAttempted event;
                  REQUIRE(event.ParseFromString(bytes.str()));
                  CHECK(row[1].as<std::string>() == "zt.events.user");
                  events.push_back(event);
                }
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(events.size() == 2);
  CHECK(events[0].user_id() == "u_alice");
  CHECK(events[0].channel() == "email");
  CHECK(events[1].channel() == "phone");
  // Nothing of the attempt's password or the account's logins travels in the event.
  CHECK(events[0].ByteSizeLong() < 64);
}

TEST_CASE("a role change over PostgreSQL and Redis ends every session of the account, access tokens at once",
          "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 4, absl::Seconds(5), "user-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  PgUserStore store(**pool);
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  AccountSettings settings = testing::TestAccountSettings();
  RedisAccessTokenRevoker revoker(**redis, settings.token.access_ttl);
  Accounts accounts(store, hasher, clock, ids, settings, &revoker);
  auth::RedisTokenRevocations revocations(**redis);

  REQUIRE(accounts.EnsureAdmin("root@example.com", "admin-password").ok());
  auto root = accounts.Login("root@example.com", "admin-password");
  REQUIRE(root.ok());
  REQUIRE(accounts.Register({"role@example.com", "", "customer-password", "Rolf"}).ok());
  auto customer = accounts.Login("role@example.com", "customer-password");
  REQUIRE(customer.ok());
  auto claims = auth::VerifyAccessToken(settings.token, customer->tokens.access_token, clock.Now());
  REQUIRE(claims.ok());
  const std::string user_id = customer->user.user_id;
  auto root_claims = auth::VerifyAccessToken(settings.token, root->tokens.access_token, clock.Now());
  REQUIRE(root_claims.ok());
  // The ids are sequential: forget the records an earlier run of this test left in the shared Redis.
  for (const std::string& sid : {claims->session_id, root_claims->session_id}) {
    REQUIRE((*redis)->Command({"DEL", auth::SessionRevocationKey(sid)}).ok());
  }
  CHECK_FALSE(revocations.Lookup(user_id, claims->session_id)->session_revoked);

  auto promoted = accounts.SetRole(root->user.user_id, user_id, "admin");
  REQUIRE(promoted.ok());
  CHECK(promoted->sessions_ended);
  CHECK(store.FindById(user_id)->role == Role::kAdmin);
  // The old refresh token fails and the old access token's session is revoked where the gateway looks.
  CHECK(ReasonOf(accounts.Refresh(customer->tokens.refresh_token).status()) == "REFRESH_TOKEN_INVALID");
  CHECK(revocations.Lookup(user_id, claims->session_id)->session_revoked);
  // The admin's own session is untouched.
  CHECK_FALSE(revocations.Lookup(root->user.user_id, root_claims->session_id)->session_revoked);
  CHECK(accounts.Refresh(root->tokens.refresh_token).ok());

  // The history and the RoleChanged event, written with the change.
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                pqxx::row history =
                    tx.exec1("SELECT user_id, from_role, to_role, changed_by FROM role_changes ORDER BY change_id");
                CHECK(history[0].as<std::string>() == user_id);
                CHECK(history[1].as<std::string>() == "customer");
                CHECK(history[2].as<std::string>() == "admin");
                CHECK(history[3].as<std::string>() == root->user.user_id);
                pqxx::row row = tx.exec1("SELECT payload FROM outbox WHERE type = 'zhongtai.user.v1.RoleChanged'");
                pqxx::binarystring bytes(row[0]);
                v1::RoleChanged event;
                REQUIRE(event.ParseFromString(bytes.str()));
                CHECK(event.user_id() == user_id);
                CHECK(event.from_role() == "customer");
                CHECK(event.to_role() == "admin");
                CHECK(event.changed_by() == root->user.user_id);
                return absl::OkStatus();
              })
              .ok());

  // Two admins demoting each other at once: the admins are counted under lock, so exactly one demotion passes.
  std::atomic<int> passed{0};
  std::atomic<int> last_admin{0};
  std::mutex unexpected_mu;
  std::string unexpected;
  std::vector<std::thread> threads;
  for (const auto& [target, by] :
       std::vector<std::pair<std::string, std::string>>{{user_id, root->user.user_id}, {root->user.user_id, user_id}}) {
    threads.emplace_back([&, target = target, by = by] {
      UserStore::RoleChange change{target, Role::kAdmin, Role::kCustomer, by, clock.Now()};
      absl::Status changed = store.ChangeRole(change);
      if (changed.ok()) ++passed;
      if (ReasonOf(changed) == "LAST_ADMIN") ++last_admin;
      if (!changed.ok() && ReasonOf(changed) != "LAST_ADMIN") {
        std::lock_guard<std::mutex> lock(unexpected_mu);
        unexpected = changed.ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(passed == 1);
  CHECK(last_admin == 1);
  CHECK(unexpected == "");
  CHECK(*store.CountAdmins() == 1);
  // A change decided on a role the account no longer has is refused; an unknown account is NOT_FOUND.
  const std::string remaining = store.FindById(user_id)->role == Role::kAdmin ? user_id : root->user.user_id;
  UserStore::RoleChange stale{remaining, Role::kCustomer, Role::kAdmin, "u_someone", clock.Now()};
  CHECK(ReasonOf(store.ChangeRole(stale)) == "ROLE_CHANGED_CONCURRENTLY");
  CHECK(store.ChangeRole({"u_nobody", Role::kCustomer, Role::kAdmin, "u_someone", clock.Now()}).code() ==
        absl::StatusCode::kNotFound);
}

}  // namespace zhongtai::user
