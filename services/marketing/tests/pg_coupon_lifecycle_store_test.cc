// Coupon lifecycle on a real PostgreSQL and Redis (label store): expiry reminders once per coupon from a repeated
// sweep, agreeing with DueForExpiryReminder; a fully refunded order's coupon back in the wallet, and a cancelled
// order's coupon and budgets released, once whatever the stream redelivers.
#include "services/marketing/store/pg_coupon_lifecycle_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/redis/redis.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/ingest/order_events.h"
#include "services/marketing/store/pg_budget_store.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/tests/fakes.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::marketing {
namespace {

struct Db {
  Db() {
    pg::PoolOptions options;
    options.dsn = database.dsn();
    options.size = 6;
    options.acquire_timeout = absl::Seconds(60);
    options.name = "marketing-lifecycle-test";
    auto opened = pg::Pool::Open(options);
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
    coupons = std::make_unique<PgCouponStore>(*pool);
    lifecycle_store = std::make_unique<PgCouponLifecycleStore>(*pool);
    budgets = std::make_unique<PgBudgetStore>(*pool);
  }
  // A template whose coupons are valid for `days` from the claim.
  void AddTemplate(const std::string& id, int days, std::optional<int64_t> budget = std::nullopt) {
    CouponTemplate t;
    t.template_id = id;
    t.request_id = "req-" + id;
    t.name = id;
    t.currency = "CNY";
    t.type = CouponType::kNoThreshold;
    t.reduction = 500;
    t.claim_start = clock.Now() - absl::Hours(1);
    t.claim_end = clock.Now() + absl::Hours(24 * 30);
    t.valid_from = t.valid_until = absl::InfinitePast();
    t.valid_days_after_claim = days;
    t.total_quantity = 1000;
    t.per_user_limit = 100;
    t.created_at = clock.Now();
    t.budget_remaining = budget;
    REQUIRE(coupons->CreateTemplate(t).ok());
  }
  std::string Claim(const std::string& template_id, const std::string& user_id) {
    std::string id = ids.NewCouponId();
    REQUIRE(coupons->Claim(template_id, user_id, id, id, clock.Now()).ok());
    return id;
  }
  int64_t Count(const std::string& sql, const std::string& param) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params1(sql, param)[0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  CouponStatus StatusOf(const std::string& coupon_id) { return (*coupons->Get(coupon_id))->coupon.status; }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgCouponStore> coupons;
  std::unique_ptr<PgCouponLifecycleStore> lifecycle_store;
  std::unique_ptr<PgBudgetStore> budgets;
  testing::FakeClock clock;
  testing::SequentialIds ids;
};

}  // namespace

TEST_CASE("each coupon about to expire is reminded once, however often the sweep runs", "[store]") {
  Db db;
  db.AddTemplate("ct_2d", 2);
  db.AddTemplate("ct_10d", 10);
  for (int i = 0; i < 7; ++i) db.Claim("ct_2d", absl::StrCat("u", i));
  std::string far = db.Claim("ct_10d", "u1");
  std::string locked = db.Claim("ct_2d", "u9");
  REQUIRE(db.coupons->Lock(locked, "o9", "u9", db.clock.Now()).ok());

  CouponLifecycleSettings settings;
  settings.expiry_reminder_lead = absl::Hours(72);
  settings.sweep_batch = 3;  // several batches
  CouponLifecycle lifecycle(*db.lifecycle_store, *db.coupons, *db.budgets, db.clock, settings);
  auto first = lifecycle.SweepExpiring();
  REQUIRE(first.ok());
  CHECK(*first == 7);
  CHECK(*lifecycle.SweepExpiring() == 0);
  db.clock.Advance(absl::Hours(24));
  CHECK(*lifecycle.SweepExpiring() == 0);
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE type = $1", "zhongtai.marketing.v1.CouponExpiringSoon") == 7);
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE coupon_id = $1 AND expiry_reminded_at IS NULL", far) == 1);
  // Eight days on, the ten-day coupon's turn.
  db.clock.Advance(absl::Hours(24 * 7));
  CHECK(*lifecycle.SweepExpiring() == 1);
}

TEST_CASE("the SQL that picks coupons for a reminder agrees with DueForExpiryReminder", "[store]") {
  Db db;
  db.AddTemplate("ct_5d", 5);
  const absl::Time claimed = db.clock.Now();
  const absl::Duration lead = absl::Hours(48);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(db.Claim("ct_5d", absl::StrCat("u", i)));
  REQUIRE(db.coupons->Lock(ids[1], "o1", "u1", claimed).ok());
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec_params("UPDATE coupons SET expiry_reminded_at = now() WHERE coupon_id = $1", ids[2]);
                return absl::OkStatus();
              })
              .ok());
  // Times around both edges of the window: validity ends at claimed + 5 days.
  const absl::Time ends = claimed + absl::Hours(24 * 5);
  for (absl::Time now : {claimed, ends - lead - absl::Microseconds(1), ends - lead, ends - absl::Microseconds(1), ends,
                         ends + absl::Hours(1)}) {
    for (const std::string& id : ids) {
      bool sql_due = false;
      bool reminded = false;
      REQUIRE(
          db.pool
              ->Transact([&](pqxx::work& tx) {
                sql_due = !tx.exec_params(absl::StrCat("SELECT 1 FROM coupons c WHERE c.coupon_id = $3 AND ",
                                                       lifecycle_sql::kDueForExpiryReminder),
                                          pg::Micros(now), pg::Micros(now + lead), id)
                               .empty();
                reminded =
                    !tx.exec_params1("SELECT expiry_reminded_at FROM coupons WHERE coupon_id = $1", id)[0].is_null();
                return absl::OkStatus();
              })
              .ok());
      Coupon c = (*db.coupons->Get(id))->coupon;
      INFO(id << " at " << absl::FormatTime(now));
      CHECK(sql_due == DueForExpiryReminder(c, reminded, now, lead));
    }
  }
}

TEST_CASE("order events: a full refund returns the coupon, a cancellation releases coupon and budget, once",
          "[store]") {
  Db db;
  db.AddTemplate("ct_1", 30, 10000);
  std::string refunded = db.Claim("ct_1", "u1");
  std::string partial = db.Claim("ct_1", "u2");
  std::string cancelled = db.Claim("ct_1", "u3");
  REQUIRE(db.coupons->Lock(refunded, "o1", "u1", db.clock.Now()).ok());
  REQUIRE(db.coupons->Redeem("o1", db.clock.Now()).ok());
  REQUIRE(db.coupons->Lock(partial, "o2", "u2", db.clock.Now()).ok());
  REQUIRE(db.coupons->Redeem("o2", db.clock.Now()).ok());
  REQUIRE(db.coupons->Lock(cancelled, "o3", "u3", db.clock.Now()).ok());
  REQUIRE(db.budgets->Charge("o3", {BudgetCharge{{BudgetOwner::kCouponTemplate, "ct_1"}, "CNY", 500}}, db.clock.Now())
              .ok());

  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = zhongtai::testing::UniqueName("zt.test.events.order");
  CouponLifecycle lifecycle(*db.lifecycle_store, *db.coupons, *db.budgets, db.clock);
  events::StreamConsumer consumer(*db.pool, **redis,
                                  {stream, kCouponConsumerGroup, "marketing-test", absl::Milliseconds(50)},
                                  MakeOrderEventHandler(lifecycle));
  auto refund = [](const std::string& order_id, bool full) {
    order::v1::OrderRefunded e;
    e.set_order_id(order_id);
    e.set_full_refund(full);
    return e.SerializeAsString();
  };
  order::v1::OrderCancelled cancel;
  cancel.set_order_id("o3");
  struct Published {
    std::string id, type, key, payload;
  };
  const std::vector<Published> published = {
      {"o1:refunded", "zhongtai.order.v1.OrderRefunded", "o1", refund("o1", true)},
      {"o1:refunded", "zhongtai.order.v1.OrderRefunded", "o1", refund("o1", true)},  // delivered again
      {"o2:refunded", "zhongtai.order.v1.OrderRefunded", "o2", refund("o2", false)},
      {"o3:cancelled", "zhongtai.order.v1.OrderCancelled", "o3", cancel.SerializeAsString()},
      {"o3:cancelled", "zhongtai.order.v1.OrderCancelled", "o3", cancel.SerializeAsString()},
      {"x1", "zhongtai.order.v1.OrderRefunded", "o4", "not a protobuf"},
  };
  for (const Published& e : published) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", e.id, "type", e.type, "key", e.key, "payload", e.payload,
                           "occurred_at", "2027-01-15T08:00:00Z"})
                .ok());
  }
  int processed = 0;
  for (int round = 0; round < 20 && processed < static_cast<int>(published.size()); ++round) {
    auto polled = consumer.PollOnce();
    REQUIRE(polled.ok());
    processed += *polled;
  }
  CHECK(processed == static_cast<int>(published.size()));
  CHECK(consumer.duplicates() == 2);
  CHECK(consumer.failures() == 0);

  CHECK(db.StatusOf(refunded) == CouponStatus::kAvailable);
  CHECK(db.StatusOf(partial) == CouponStatus::kUsed);
  CHECK(db.StatusOf(cancelled) == CouponStatus::kAvailable);
  CHECK(db.Count("SELECT budget_remaining_minor FROM coupon_templates WHERE template_id = $1", "ct_1") == 10000);
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE type = $1", "zhongtai.marketing.v1.CouponReturned") == 1);

  // Returned, it can be used again; an expired one stays used.
  REQUIRE(db.coupons->Lock(refunded, "o5", "u1", db.clock.Now()).ok());
  REQUIRE(db.coupons->Redeem("o5", db.clock.Now()).ok());
  db.clock.Advance(absl::Hours(24 * 31));
  REQUIRE(lifecycle.OnOrderRefunded("o5", true).ok());
  CHECK(db.StatusOf(refunded) == CouponStatus::kUsed);
  (void)(*redis)->Command({"DEL", stream});
}

TEST_CASE("a full refund gives the order's budget charges back once, under concurrent redeliveries", "[store]") {
  Db db;
  db.AddTemplate("ct_b", 30, 10000);
  const int kOrders = 20;
  for (int i = 0; i < kOrders; ++i) {
    REQUIRE(db.budgets
                ->Charge(absl::StrCat("r", i), {BudgetCharge{{BudgetOwner::kCouponTemplate, "ct_b"}, "CNY", 500}},
                         db.clock.Now())
                .ok());
  }
  auto remaining = [&] {
    return db.Count("SELECT budget_remaining_minor FROM coupon_templates WHERE template_id = $1", "ct_b");
  };
  REQUIRE(remaining() == 0);
  CouponLifecycle lifecycle(*db.lifecycle_store, *db.coupons, *db.budgets, db.clock);
  // Orders r0..r15 fully refunded, each refund handled by 4 threads at once (redeliveries racing); r16..r19 partly.
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kOrders; ++i) {
        const int order = (i + t * 5) % kOrders;
        if (!lifecycle.OnOrderRefunded(absl::StrCat("r", order), order < 16).ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  CHECK(failures == 0);
  CHECK(remaining() == 16 * 500);
  // What came back can be spent again by new orders, and no more.
  for (int i = 0; i < 16; ++i) {
    CHECK(db.budgets
              ->Charge(absl::StrCat("n", i), {BudgetCharge{{BudgetOwner::kCouponTemplate, "ct_b"}, "CNY", 500}},
                       db.clock.Now())
              .ok());
  }
  auto over =
      db.budgets->Charge("n16", {BudgetCharge{{BudgetOwner::kCouponTemplate, "ct_b"}, "CNY", 500}}, db.clock.Now());
  CHECK(ReasonOf(over.status()) == "BUDGET_SPENT");
  // A refunded order cannot charge again.
  CHECK(ReasonOf(
            db.budgets->Charge("r0", {BudgetCharge{{BudgetOwner::kCouponTemplate, "ct_b"}, "CNY", 500}}, db.clock.Now())
                .status()) == "ORDER_BUDGET_RELEASED");
}

}  // namespace zhongtai::marketing
