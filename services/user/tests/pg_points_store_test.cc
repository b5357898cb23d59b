// The points ledger on a real PostgreSQL (label store) with real threads: concurrent redemptions of one balance,
// the same order's hold replayed at once, commit racing release, and the sweep's SQL against the domain's rule.
// After every scenario the account's balance equals the sum of its ledger and of its lots.
#include "services/user/store/pg_points_store.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <thread>
#include <utility>
#include <vector>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/domain/points.h"
#include "services/user/tests/points_ledger_check.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

struct PointsDb {
  PointsDb() {
    auto opened = pg::Pool::Open({database.dsn(), 8, absl::Seconds(20), "points-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    // The outbox too: every ledger entry is a PointsChanged event in its transaction.
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
    store = std::make_unique<PgPointsStore>(*pool);
    PointsSettings settings;
    settings.lot_lifetime = absl::Hours(24 * 30);
    settings.hold_ttl = absl::Hours(2);
    points = std::make_unique<Points>(*store, clock, settings);
  }

  int64_t Query(const std::string& sql, const std::string& arg) {
    int64_t value = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  value = tx.exec_params(sql, arg)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return value;
  }

  // The ledger is exact (points_ledger_check.h).
  void CheckLedger(const std::string& user) { testing::CheckPointsLedger(*pool, user); }

  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgPointsStore> store;
  FakeClock clock;
  std::unique_ptr<Points> points;
};

}  // namespace

TEST_CASE("100 concurrent holds against one balance never overspend", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 600, "gift", "gift:1"}).ok());
  db.clock.Advance(absl::Hours(1));
  REQUIRE(db.points->Earn({"u1", 400, "gift", "gift:2"}).ok());
  std::atomic<int64_t> held{0};
  std::atomic<int> won{0}, refused{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&, i] {
      const int64_t amount = 10 + (i % 5) * 10;  // 10..50
      auto hold = db.points->Hold({"u1", "order-" + std::to_string(i), amount, 0});
      if (hold.ok()) {
        held += amount;
        ++won;
      } else if (ReasonOf(hold.status()) == "INSUFFICIENT_POINTS") {
        ++refused;
      } else {
        ++other;
        UNSCOPED_INFO(hold.status().ToString());
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(other == 0);
  CHECK(won + refused == 100);
  CHECK(held <= 1000);
  CHECK(held >= 1000 - 50);  // refused holds were refused for lack of points, not by accident
  CHECK(*db.points->Balance("u1") == 1000 - held);
  CHECK(db.Query("SELECT count(*) FROM points_holds WHERE user_id = $1", "u1") == won);
  CHECK(db.Query("SELECT count(*) FROM points_ledger WHERE user_id = $1 AND kind = 'redeem'", "u1") == won);
  db.CheckLedger("u1");
}

TEST_CASE("the same order's hold replayed 20 times at once holds once", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 500, "gift", "gift:1"}).ok());
  std::atomic<int> same{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      auto hold = db.points->Hold({"u1", "o-same", 120, 0});
      if (hold.ok() && hold->points == 120 && hold->status == HoldStatus::kHeld && hold->order_id == "o-same") ++same;
      if (!hold.ok()) UNSCOPED_INFO(hold.status().ToString());
    });
  }
  for (auto& t : threads) t.join();
  CHECK(same == 20);
  CHECK(*db.points->Balance("u1") == 380);
  CHECK(db.Query("SELECT count(*) FROM points_ledger WHERE reference = $1", "o-same") == 1);
  db.CheckLedger("u1");
}

TEST_CASE("commit racing release: exactly one wins and the other says why", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 500, "gift", "gift:1"}).ok());
  for (int round = 0; round < 10; ++round) {
    const std::string order = "o-race-" + std::to_string(round);
    REQUIRE(db.points->Hold({"u1", order, 50, 0}).ok());
    absl::Status committed, released;
    std::thread commit([&] { committed = db.points->Commit(order, "").status(); });
    std::thread release([&] { released = db.points->Release(order, "").status(); });
    commit.join();
    release.join();
    CHECK(committed.ok() != released.ok());
    if (!committed.ok()) CHECK(ReasonOf(committed) == "POINTS_HOLD_RELEASED");
    if (!released.ok()) CHECK(ReasonOf(released) == "POINTS_HOLD_COMMITTED");
  }
  db.CheckLedger("u1");
}

TEST_CASE("concurrent earns with one reference make one lot", "[store]") {
  PointsDb db;
  std::atomic<int> duplicates{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      auto earned = db.points->Earn({"u1", 70, "order paid", "order-paid:o1"});
      if (earned.ok() && earned->duplicate) ++duplicates;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(duplicates == 9);
  CHECK(*db.points->Balance("u1") == 70);
  db.CheckLedger("u1");
}

TEST_CASE("the whole redemption cycle on PostgreSQL: hold, release, commit, return, pages", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 100, "gift", "old"}).ok());
  db.clock.Advance(absl::Hours(24));
  REQUIRE(db.points->Earn({"u1", 100, "gift", "new"}).ok());
  auto hold = db.points->Hold({"u1", "o1", 150, 0});
  REQUIRE(hold.ok());
  REQUIRE(hold->takes.size() == 2);
  CHECK(hold->takes[0].points == 100);  // the older lot first
  REQUIRE(db.points->Release("o1", "").ok());
  CHECK(db.Query("SELECT min(remaining) FROM points_lots WHERE user_id = $1", "u1") == 100);
  REQUIRE(db.points->Hold({"u1", "o2", 80, 0}).ok());
  REQUIRE(db.points->Commit("o2", "u1").ok());
  auto returned = db.points->Return({"o2", 30, "refund-1", "refund"});
  REQUIRE(returned.ok());
  CHECK(returned->returned == 30);
  CHECK(db.points->Return({"o2", 30, "refund-1", "refund"})->returned == 30);
  CHECK(*db.points->Balance("u1") == 150);
  db.CheckLedger("u1");

  auto first = db.points->Summary("u1", absl::Hours(24 * 7), 3, 0);
  REQUIRE(first.ok());
  CHECK(first->balance == 150);
  REQUIRE(first->page.entries.size() == 3);
  CHECK(first->page.entries[0].kind == LedgerKind::kReturn);
  auto second = db.points->Summary("u1", absl::Hours(24 * 7), 3, first->page.next_before_seq);
  REQUIRE(second.ok());
  REQUIRE(second->page.entries.size() == 3);
  CHECK(second->page.next_before_seq == 0);
  CHECK(second->page.entries[2].kind == LedgerKind::kEarn);
  CHECK(second->page.entries[2].reference == "old");
}

TEST_CASE("every points ledger entry is one PointsChanged in its transaction, a replay adds none", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 100, "order paid", "earn:o0"}).ok());
  REQUIRE(db.points->Earn({"u1", 100, "order paid", "earn:o0"}).ok());  // the same reference: nothing new
  REQUIRE(db.points->Hold({"u1", "o1", 60, 0}).ok());
  REQUIRE(db.points->Hold({"u1", "o1", 60, 0}).ok());  // replayed
  REQUIRE(db.points->Commit("o1", "u1").ok());         // no balance change, no entry
  REQUIRE(db.points->Return({"o1", 20, "refund-1", "refund"}).ok());
  std::vector<v1::PointsChanged> events;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                events.clear();
                for (const pqxx::row& row : tx.exec("SELECT o.id, o.payload, o.key, o.stream, l.seq FROM outbox o "
                                                    "JOIN points_ledger l ON o.id = 'points:' || l.seq "
                                                    "WHERE o.type = 'zhongtai.user.v1.PointsChanged' ORDER BY o.seq")) {
                  v1::PointsChanged m;
                  REQUIRE(m.ParseFromString(pqxx::binarystring(row[1]).str()));
                  CHECK(row[2].as<std::string>() == "u1");
                  CHECK(row[3].as<std::string>() == "zt.events.user");
                  CHECK(m.ledger_seq() == row[4].as<int64_t>());
                  events.push_back(m);
                }
                return absl::OkStatus();
              })
              .ok());
  CHECK(db.Query("SELECT count(*) FROM outbox WHERE key = $1", "u1") ==
        db.Query("SELECT count(*) FROM points_ledger WHERE user_id = $1", "u1"));
  REQUIRE(events.size() == 3);
  CHECK(events[0].kind() == v1::POINTS_LEDGER_KIND_EARN);
  CHECK(events[0].delta() == 100);
  CHECK(events[0].balance_after() == 100);
  CHECK(events[0].reason() == "order paid");
  CHECK(events[0].reference() == "earn:o0");
  CHECK(events[1].kind() == v1::POINTS_LEDGER_KIND_REDEEM);
  CHECK(events[1].delta() == -60);
  CHECK(events[1].balance_after() == 40);
  CHECK(events[2].kind() == v1::POINTS_LEDGER_KIND_RETURN);
  CHECK(events[2].delta() == 20);
  CHECK(events[2].balance_after() == 60);
  CHECK(events[2].occur_time().seconds() == absl::ToUnixSeconds(db.clock.Now()));
}

TEST_CASE("a change of several entries writes them in order, each with its own PointsChanged", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 10, "gift", "a"}).ok());
  REQUIRE(db.points->Earn({"u1", 20, "gift", "b"}).ok());
  db.clock.Advance(absl::Hours(24 * 20));
  REQUIRE(db.points->Earn({"u1", 100, "gift", "c"}).ok());
  db.clock.Advance(absl::Hours(24 * 11));  // a and b expired
  // One change of three entries: 50 held from c, then a and b written off.
  REQUIRE(db.points->Hold({"u1", "o1", 50, 0}).ok());
  std::vector<std::string> ledger, published;  // "kind delta", by seq
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                for (const pqxx::row& row : tx.exec("SELECT kind, delta FROM points_ledger ORDER BY seq")) {
                  ledger.push_back(row[0].as<std::string>() + " " + row[1].as<std::string>());
                }
                for (const pqxx::row& row :
                     tx.exec("SELECT o.payload, l.kind, l.delta FROM outbox o "
                             "JOIN points_ledger l ON o.id = 'points:' || l.seq ORDER BY l.seq")) {
                  v1::PointsChanged m;
                  REQUIRE(m.ParseFromString(pqxx::binarystring(row[0]).str()));
                  CHECK(m.delta() == row[2].as<int64_t>());
                  published.push_back(row[1].as<std::string>() + " " + std::to_string(m.delta()));
                }
                return absl::OkStatus();
              })
              .ok());
  const std::vector<std::string> expected = {"earn 10",    "earn 20",    "earn 100",
                                             "redeem -50", "expire -10", "expire -20"};
  CHECK(ledger == expected);
  CHECK(published == expected);
  CHECK(*db.points->Balance("u1") == 50);
  db.CheckLedger("u1");
}

TEST_CASE("an order's hold belongs to one account: another account holding it is refused and writes nothing",
          "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 100, "gift", "a"}).ok());
  REQUIRE(db.points->Earn({"u2", 100, "gift", "b"}).ok());
  REQUIRE(db.points->Hold({"u1", "o1", 30, 0}).ok());
  auto other = db.points->Hold({"u2", "o1", 40, 0});
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(*db.points->Balance("u2") == 100);
  CHECK(db.Query("SELECT count(*) FROM points_ledger WHERE user_id = $1", "u2") == 1);
  CHECK(db.Query("SELECT min(remaining) FROM points_lots WHERE user_id = $1", "u2") == 100);
  db.CheckLedger("u1");
  db.CheckLedger("u2");
}

TEST_CASE("the points statements read an account's lots through indexes, whatever plan PostgreSQL keeps", "[store]") {
  PointsDb db;
  // Other accounts' lots: a statement that scans every lot reads at least these each time.
  REQUIRE(db.pool
              ->Transact([](pqxx::work& tx) {
                tx.exec(
                    "INSERT INTO points_lots (user_id, original, remaining, earned_at, expires_at, reference) "
                    "SELECT 'other-' || (i % 50), 10, 10, now(), now() + interval '30 days', 'seed-' || i "
                    "FROM generate_series(1, 2000) AS i");
                tx.exec("ANALYZE points_lots");
                return absl::OkStatus();
              })
              .ok());
  // One connection: every call meets the same prepared statements, which after five calls keep a generic plan.
  auto one = pg::Pool::Open({db.database.dsn(), 1, absl::Seconds(20), "points-plan-test"});
  REQUIRE(one.ok());
  PgPointsStore store(**one);
  Points points(store, db.clock, PointsSettings{});
  // The lots read, by this connection, flushed to the statistics views (pg_stat_force_next_flush: at its next idle).
  auto lots_read = [&]() {
    REQUIRE((*one)
                ->Transact([](pqxx::work& tx) {
                  tx.exec("SELECT pg_stat_force_next_flush()");
                  return absl::OkStatus();
                })
                .ok());
    return db.Query(
        "SELECT COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0) FROM pg_stat_user_tables WHERE relname = $1",
        "points_lots");
  };
  const int64_t before = lots_read();
  constexpr int kRounds = 10;
  for (int i = 0; i < kRounds; ++i) {
    const std::string order = "o" + std::to_string(i);
    REQUIRE(points.Earn({"u1", 20, "order paid", "earn:" + order}).ok());
    REQUIRE(points.Hold({"u1", order, 15, 0}).ok());
    if (i % 2 == 0) {
      REQUIRE(points.Commit(order, "u1").ok());
    } else {
      REQUIRE(points.Release(order, "u1").ok());
    }
  }
  // u1 has at most 10 lots, each call reads a few: far below one scan of the 2,000 others.
  CHECK(lots_read() - before < 1000);
  db.CheckLedger("u1");
}

TEST_CASE("the sweep's SQL picks exactly the lots the domain counts as expired, once", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 100, "gift", "a"}).ok());
  const absl::Time expiry = db.clock.Now() + absl::Hours(24 * 30);
  REQUIRE(db.points->Earn({"u2", 100, "gift", "b"}).ok());
  db.clock.Advance(absl::Microseconds(1));
  REQUIRE(db.points->Earn({"u3", 100, "gift", "c"}).ok());  // expires one microsecond later

  PointsLot lot;
  lot.expires_at = expiry;
  CHECK(LotExpired(lot, expiry));
  auto due = db.store->AccountsDue(expiry, 10);
  REQUIRE(due.ok());
  CHECK(due->size() == 2);  // u1 and u2 expire exactly now; u3 not yet
  CHECK(std::find(due->begin(), due->end(), "u3") == due->end());

  db.clock.Set(expiry);
  CHECK(*db.points->Sweep() == 2);
  CHECK(*db.points->Sweep() == 0);
  CHECK(*db.points->Balance("u1") == 0);
  CHECK(*db.points->Balance("u3") == 100);
  CHECK(db.Query("SELECT count(*) FROM points_ledger WHERE kind = 'expire' AND user_id = $1", "u1") == 1);
  for (const char* user : {"u1", "u2", "u3"}) db.CheckLedger(user);
}

TEST_CASE("the sweep releases forgotten holds on PostgreSQL", "[store]") {
  PointsDb db;
  REQUIRE(db.points->Earn({"u1", 100, "gift", "a"}).ok());
  REQUIRE(db.points->Hold({"u1", "o1", 60, 0}).ok());
  REQUIRE(db.points->Hold({"u1", "o2", 40, 0}).ok());
  REQUIRE(db.points->Commit("o2", "").ok());
  db.clock.Advance(absl::Hours(3));
  CHECK(*db.points->Sweep() == 1);
  CHECK(*db.points->Balance("u1") == 60);
  CHECK(ReasonOf(db.points->Commit("o1", "").status()) == "POINTS_HOLD_RELEASED");
  db.CheckLedger("u1");
}

TEST_CASE("an update that loads only the first lots spends and expires exactly what loading every lot would",
          "[store]") {
  PointsDb db;
  const absl::Time now = db.clock.Now();
  std::mt19937 random(20261205);
  // 60 lots: some spent, some expired with points left, many sharing an expiry (ties go by lot id).
  int64_t balance = 0;
  int expired_with_points = 0;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                balance = 0;
                expired_with_points = 0;
                for (int i = 0; i < 60; ++i) {
                  const int64_t remaining = random() % 4 == 0 ? 0 : 1 + random() % 50;
                  const absl::Time expires = now + absl::Hours(24) * (static_cast<int>(random() % 40) - 5);
                  PointsLot probe;
                  probe.expires_at = expires;
                  if (remaining > 0 && LotExpired(probe, now)) ++expired_with_points;
                  balance += remaining;
                  tx.exec_params(
                      "INSERT INTO points_lots (user_id, original, remaining, earned_at, expires_at, reference) "
                      "VALUES ('r1', 50, $1, now(), 'epoch'::timestamptz + $2::bigint * interval '1 microsecond', $3)",
                      remaining, absl::ToUnixMicros(expires), "lot-" + std::to_string(i));
                }
                tx.exec_params("INSERT INTO points_accounts (user_id, balance, updated_at) VALUES ('r1', $1, now())",
                               balance);
                return absl::OkStatus();
              })
              .ok());

  struct Outcome {
    std::string status;
    std::vector<std::pair<int64_t, int64_t>> takes;  // lot, points
    std::map<int64_t, int64_t> remaining_after;      // every lot the change touches
    size_t lots_loaded = 0;
  };
  auto spend = [&](int64_t points, int64_t lots_to_cover) {
    Outcome out;
    PointsScope scope{"r1", "", "", LedgerKind::kEarn, lots_to_cover, now};
    absl::Status stopped = db.store->Update(scope, [&](const PointsSnapshot& snapshot) -> absl::StatusOr<PointsChange> {
      out.lots_loaded = snapshot.account.lots.size();
      PointsWork work(snapshot.account, now);
      absl::StatusOr<std::vector<LotTake>> takes = work.Take(points, LedgerKind::kRedeem, "test", "o");
      out.status = takes.ok() ? "OK" : ReasonOf(takes.status());
      if (takes.ok()) {
        for (const LotTake& take : *takes) out.takes.emplace_back(take.lot_id, take.points);
      }
      out.remaining_after = work.Finish().lot_remaining;
      return Aborted("TEST_STOP", "nothing is written");
    });
    REQUIRE(ReasonOf(stopped) == "TEST_STOP");
    return out;
  };
  int64_t live = 0;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                live =
                    tx.exec_params1(
                          "SELECT COALESCE(sum(remaining), 0) FROM points_lots WHERE user_id = 'r1' AND expires_at > "
                          "'epoch'::timestamptz + $1::bigint * interval '1 microsecond'",
                          absl::ToUnixMicros(now))[0]
                        .as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(live > 100);
  std::vector<int64_t> amounts = {0, 1, 7, 49, 50, 51, live - 1, live, live + 1};
  for (int i = 0; i < 20; ++i) amounts.push_back(1 + static_cast<int64_t>(random() % live));
  for (int64_t points : amounts) {
    INFO("points " << points);
    Outcome first = spend(points, points);
    Outcome every = spend(points, kAllLots);
    CHECK(first.status == every.status);
    CHECK(first.takes == every.takes);
    CHECK(first.remaining_after == every.remaining_after);
    // Eight live lots hold at least eight points: no more is read.
    if (points <= 8) CHECK(first.lots_loaded <= static_cast<size_t>(expired_with_points) + 8);
  }
  // Nothing spent: only the expired lots are read (Finish writes them off).
  CHECK(spend(0, 0).lots_loaded == static_cast<size_t>(expired_with_points));
}

}  // namespace zhongtai::user
