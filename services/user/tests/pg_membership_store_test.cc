// Membership on a real PostgreSQL (label store): the seeded tier table is the domain's default, growth counts once
// per order under concurrent redelivery, a tier change writes its history and its TierChanged event in the same
// transaction, and the evaluation's SQL picks the members the domain's interval says.
#include "services/user/store/pg_membership_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/domain/membership.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/tests/points_ledger_check.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

struct MembershipDb {
  MembershipDb() {
    auto opened = pg::Pool::Open({database.dsn(), 8, absl::Seconds(20), "membership-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
    store = std::make_unique<PgMembershipStore>(*pool);
    points_store = std::make_unique<PgPointsStore>(*pool);
    points = std::make_unique<Points>(*points_store, clock, PointsSettings{});
    membership = std::make_unique<Membership>(*store, *points, clock, MembershipSettings{});
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
  // The TierChanged events in the outbox, oldest first.
  std::vector<v1::TierChanged> Events() {
    std::vector<v1::TierChanged> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  out.clear();
                  for (const pqxx::row& row :
                       tx.exec("SELECT payload FROM outbox WHERE type = 'zhongtai.user.v1.TierChanged' ORDER BY seq")) {
                    pqxx::binarystring bytes(row[0]);
                    v1::TierChanged event;
                    REQUIRE(event.ParseFromString(bytes.str()));
                    out.push_back(event);
                  }
                  return absl::OkStatus();
                })
                .ok());
    return out;
  }

  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgMembershipStore> store;
  std::unique_ptr<PgPointsStore> points_store;
  FakeClock clock;
  std::unique_ptr<Points> points;
  std::unique_ptr<Membership> membership;
};

bool SameRules(const TierRule& a, const TierRule& b) {
  return a.tier == b.tier && a.name == b.name && a.growth_threshold == b.growth_threshold &&
         a.member_price_tier == b.member_price_tier && a.points_multiplier_percent == b.points_multiplier_percent &&
         a.free_shipping_threshold_minor == b.free_shipping_threshold_minor &&
         a.birthday_coupon_template_id == b.birthday_coupon_template_id;
}

}  // namespace

TEST_CASE("the migration seeds the domain's default tier table, and the admin's table round-trips", "[store]") {
  MembershipDb db;
  TierTable stored = *db.membership->GetTiers();
  TierTable expected = DefaultTierTable();
  REQUIRE(stored.rules.size() == expected.rules.size());
  for (size_t i = 0; i < stored.rules.size(); ++i) CHECK(SameRules(stored.rules[i], expected.rules[i]));

  TierTable changed = expected;
  changed.rules[1].growth_threshold = 800;
  changed.rules[1].free_shipping_threshold_minor.reset();
  changed.rules[3].birthday_coupon_template_id = "ct_birthday";
  REQUIRE(db.membership->UpdateTiers(changed).ok());
  stored = *db.membership->GetTiers();
  for (size_t i = 0; i < stored.rules.size(); ++i) CHECK(SameRules(stored.rules[i], changed.rules[i]));
  CHECK(stored.updated_at == db.clock.Now());
}

TEST_CASE("one paid order redelivered 20 times at once counts once and changes the tier once", "[store]") {
  MembershipDb db;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&] {
      absl::Status paid = db.membership->OnOrderPaid({"u1", "o1", 150000, db.clock.Now()});
      if (paid.ok()) ++ok;
      if (!paid.ok()) UNSCOPED_INFO(paid.ToString());
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 20);
  MemberView member = *db.membership->GetMember("u1");
  CHECK(member.growth == 1500);
  CHECK(member.tier.tier == Tier::kSilver);
  CHECK(member.points_balance == 1500);
  std::vector<v1::TierChanged> events = db.Events();
  REQUIRE(events.size() == 1);
  CHECK(events[0].user_id() == "u1");
  CHECK(events[0].from_tier() == v1::MEMBER_TIER_NORMAL);
  CHECK(events[0].to_tier() == v1::MEMBER_TIER_SILVER);
  CHECK(events[0].cause() == v1::TIER_CHANGE_CAUSE_GROWTH);
  CHECK(db.Count("SELECT count(*) FROM tier_history WHERE user_id = $1", "u1") == 1);
  CHECK(db.Count("SELECT count(*) FROM points_lots WHERE user_id = $1", "u1") == 1);
}

TEST_CASE("reversal and the daily evaluation on PostgreSQL", "[store]") {
  MembershipDb db;
  REQUIRE(db.membership->OnOrderPaid({"u1", "o1", 2000000, db.clock.Now()}).ok());  // 20000 growth: diamond
  REQUIRE(db.membership->OnOrderPaid({"u1", "o2", 600000, db.clock.Now()}).ok());
  REQUIRE(db.membership->OnOrderReversed("o1", db.clock.Now()).ok());
  REQUIRE(db.membership->OnOrderReversed("o1", db.clock.Now()).ok());
  MemberView member = *db.membership->GetMember("u1");
  CHECK(member.growth == 6000);
  CHECK(member.tier.tier == Tier::kDiamond);
  CHECK(member.points_balance == 6000 * 2);  // o2 earned at diamond's 200%
  CHECK(db.Count("SELECT count(*) FROM points_ledger WHERE user_id = $1 AND kind = 'reverse'", "u1") == 1);

  // Due exactly one interval after the last evaluation, as the domain's rule says.
  const absl::Time created = db.clock.Now();
  CHECK(db.store->MembersDueForEvaluation(created - absl::Microseconds(1), 10)->empty());
  CHECK(db.store->MembersDueForEvaluation(created, 10)->size() == 1);

  db.clock.Advance(absl::Hours(24));
  CHECK(*db.membership->EvaluateDue() == 1);  // 6000 qualifies for gold: one step down
  CHECK(db.membership->GetMember("u1")->tier.tier == Tier::kGold);
  CHECK(*db.membership->EvaluateDue() == 0);
  db.clock.Advance(absl::Hours(24));
  CHECK(*db.membership->EvaluateDue() == 0);  // gold is what 6000 earns
  CHECK(db.membership->GetMember("u1")->tier.tier == Tier::kGold);
  std::vector<v1::TierChanged> events = db.Events();
  REQUIRE(events.size() == 2);
  CHECK(events[1].to_tier() == v1::MEMBER_TIER_GOLD);
  CHECK(events[1].cause() == v1::TIER_CHANGE_CAUSE_EVALUATION);
  std::vector<TierChange> history = *db.membership->TierHistory("u1");
  REQUIRE(history.size() == 2);
  CHECK(history[0].to == Tier::kGold);
}

TEST_CASE("partial refunds on PostgreSQL: proportional, once per refund under concurrent redelivery, exact rest",
          "[store]") {
  MembershipDb db;
  REQUIRE(db.membership->OnOrderPaid({"u1", "o1", 100000, db.clock.Now()}).ok());  // 1000 growth, 1000 points
  REQUIRE(db.membership->OnOrderPaid({"u1", "o2", 50000, db.clock.Now()}).ok());   // at silver: 500, 600 points
  CHECK(db.membership->GetMember("u1")->points_balance == 1600);

  // The same refund delivered 10 times at once counts once.
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      if (!db.membership->OnOrderRefunded({"o1", "ret-1", 25050, false, db.clock.Now()}).ok()) ++failures;
    });
  }
  for (std::thread& t : threads) t.join();
  CHECK(failures == 0);
  MemberView member = *db.membership->GetMember("u1");
  CHECK(member.growth == 1500 - 250);  // 250.50 of 1000 yuan: 250 growth back, rounded down
  CHECK(member.points_balance == 1600 - 250);
  CHECK(db.Count("SELECT count(*) FROM order_growth_refunds WHERE order_id = $1", "o1") == 1);
  testing::CheckPointsLedger(*db.pool, "u1");

  REQUIRE(db.membership->OnOrderRefunded({"o1", "ret-2", 50000, false, db.clock.Now()}).ok());  // 750.50 in all
  member = *db.membership->GetMember("u1");
  CHECK(member.growth == 1500 - 750);
  CHECK(member.points_balance == 1600 - 750);
  // The last refund completes the order's refund: exactly the 250 left, whatever the rounding before.
  REQUIRE(db.membership->OnOrderRefunded({"o1", "ret-3", 24950, true, db.clock.Now()}).ok());
  REQUIRE(db.membership->OnOrderRefunded({"o1", "ret-3", 24950, true, db.clock.Now()}).ok());
  member = *db.membership->GetMember("u1");
  CHECK(member.growth == 500);
  CHECK(member.points_balance == 600);
  CHECK(member.tier.tier == Tier::kSilver);  // down only at the daily evaluation
  CHECK(db.Count("SELECT growth_reversed FROM order_growth WHERE order_id = $1", "o1") == 1000);
  CHECK(db.Count("SELECT count(*) FROM order_growth WHERE order_id = $1 AND reversed_at IS NOT NULL", "o1") == 1);
  CHECK(db.Count("SELECT -COALESCE(SUM(delta), 0)::bigint FROM points_ledger WHERE user_id = $1 AND kind = 'reverse'",
                 "u1") == 1000);
  // A cancellation of the refunded order takes nothing more.
  REQUIRE(db.membership->OnOrderReversed("o1", db.clock.Now()).ok());
  CHECK(db.membership->GetMember("u1")->points_balance == 600);
  testing::CheckPointsLedger(*db.pool, "u1");

  db.clock.Advance(absl::Hours(24));
  REQUIRE(db.membership->EvaluateDue().ok());
  CHECK(db.membership->GetMember("u1")->tier.tier == Tier::kNormal);  // 500 growth left
}

}  // namespace zhongtai::user
