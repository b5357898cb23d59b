// Membership following the order stream on real PostgreSQL and Redis (label store): growth and points once per
// paid order whether the stream delivers an event twice or the order service publishes it twice, reversal on a
// paid order's cancellation or full refund, nothing for an unpaid one, and events it cannot use skipped.
#include "services/user/ingest/order_events.h"

#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/redis/redis.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/store/pg_membership_store.h"
#include "services/user/store/pg_points_store.h"
#include "services/user/tests/points_ledger_check.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::user {
namespace {

struct Published {
  std::string id;
  std::string type;
  std::string key;
  std::string payload;
};

Published Paid(const std::string& event_id, const std::string& order_id, const std::string& user_id, int64_t fen,
               const std::string& currency = "CNY") {
  order::v1::OrderPaid paid;
  paid.set_order_id(order_id);
  paid.set_user_id(user_id);
  paid.mutable_total()->set_currency(currency);
  paid.mutable_total()->set_amount_minor(fen);
  *paid.mutable_occur_time() = proto::ToTimestamp(absl::FromUnixSeconds(1700000000));
  return {event_id, "zhongtai.order.v1.OrderPaid", order_id, paid.SerializeAsString()};
}

Published Cancelled(const std::string& event_id, const std::string& order_id) {
  order::v1::OrderCancelled cancelled;
  cancelled.set_order_id(order_id);
  cancelled.set_reason("BUYER_CANCELLED");
  *cancelled.mutable_occur_time() = proto::ToTimestamp(absl::FromUnixSeconds(1700000100));
  return {event_id, "zhongtai.order.v1.OrderCancelled", order_id, cancelled.SerializeAsString()};
}

Published Refunded(const std::string& event_id, const std::string& order_id, bool full_refund,
                   const std::string& return_id = "", int64_t fen = 0, const std::string& user_id = "u1") {
  order::v1::OrderRefunded refunded;
  refunded.set_order_id(order_id);
  refunded.set_user_id(user_id);
  refunded.set_full_refund(full_refund);
  refunded.set_return_id(return_id);
  if (fen > 0) {
    refunded.mutable_amount()->set_currency("CNY");
    refunded.mutable_amount()->set_amount_minor(fen);
  }
  *refunded.mutable_occur_time() = proto::ToTimestamp(absl::FromUnixSeconds(1700000150));
  return {event_id, "zhongtai.order.v1.OrderRefunded", order_id, refunded.SerializeAsString()};
}

}  // namespace

TEST_CASE("membership applies each paid order once, whatever the redelivery", "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 8, absl::Seconds(5), "user-ingest-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = zhongtai::testing::UniqueName("zt.test.events.order");

  FakeClock clock(absl::FromUnixSeconds(1700000200));
  PgPointsStore points_store(**pool);
  Points points(points_store, clock, PointsSettings{});
  PgMembershipStore store(**pool);
  Membership membership(store, points, clock, MembershipSettings{});
  events::StreamConsumer consumer(**pool, **redis,
                                  {stream, kMembershipConsumerGroup, "user-test", absl::Milliseconds(50)},
                                  MakeOrderEventHandler(membership, clock, LifecycleSettings{}));

  const std::vector<Published> published = {
      Paid("o1:paid", "o1", "u1", 100000),
      Paid("o1:paid", "o1", "u1", 100000),        // the stream delivers it again
      Paid("o1:paid-again", "o1", "u1", 100000),  // the order service published it twice
      Cancelled("o2:cancelled", "o2"),            // never paid
      Paid("o3:paid", "o3", "u1", 100000),        // at silver: 1200 points
      Cancelled("o3:cancelled", "o3"),            // paid, then cancelled: growth and points go
      Paid("o7:paid", "o7", "u1", 10000),
      Refunded("r1:order-refunded", "o7", false),  // a partial refund keeps what the payment earned
      Refunded("r2:order-refunded", "o7", true),   // fully refunded: growth and points go
      Paid("o4:paid", "o4", "u1", 500, "USD"),     // not CNY: skipped
      {"x1", "zhongtai.order.v1.OrderPaid", "o5", "not a protobuf"},
      {"x2", "zhongtai.order.v1.OrderShipped", "o6", ""},
  };
  for (const Published& event : published) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", event.id, "type", event.type, "key", event.key, "payload",
                           event.payload, "occurred_at", "2023-11-14T22:13:20Z"})
                .ok());
  }
  int processed = 0;
  for (int round = 0; round < 20 && processed < static_cast<int>(published.size()); ++round) {
    auto polled = consumer.PollOnce();
    REQUIRE(polled.ok());
    processed += *polled;
  }
  CHECK(processed == static_cast<int>(published.size()));
  CHECK(consumer.duplicates() == 1);
  CHECK(consumer.failures() == 0);

  MemberView member = *membership.GetMember("u1");
  CHECK(member.growth == 1000);
  CHECK(member.tier.tier == Tier::kSilver);
  CHECK(member.points_balance == 1000);
  int64_t ledger_sum = 0;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                ledger_sum = tx.exec("SELECT COALESCE(SUM(delta), 0)::bigint FROM points_ledger")[0][0].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(ledger_sum == 1000);
  (void)(*redis)->Command({"DEL", stream});
}

TEST_CASE("every order event of a customer decides their lifecycle stage again, once per event", "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 8, absl::Seconds(5), "user-ingest-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = zhongtai::testing::UniqueName("zt.test.events.order");
  // Registered long ago and never ordered: churned until the paid order (at 1700000000) makes them active.
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                tx.exec(
                    "INSERT INTO users (user_id, email, nickname, role, password_hash, created_at, updated_at) "
                    "VALUES ('u1', 'a@example.com', 'Ann', 'customer', 'x', 'epoch'::timestamptz + interval "
                    "'1600000000 seconds', now())");
                return absl::OkStatus();
              })
              .ok());

  FakeClock clock(absl::FromUnixSeconds(1700000200));
  PgPointsStore points_store(**pool);
  Points points(points_store, clock, PointsSettings{});
  PgMembershipStore store(**pool);
  Membership membership(store, points, clock, MembershipSettings{});
  events::StreamConsumer consumer(**pool, **redis,
                                  {stream, kMembershipConsumerGroup, "user-test", absl::Milliseconds(50)},
                                  MakeOrderEventHandler(membership, clock, LifecycleSettings{}));
  const std::vector<Published> published = {
      Paid("o1:paid", "o1", "u1", 1000), Paid("o1:paid", "o1", "u1", 1000),  // redelivered
      Paid("o9:paid", "o9", "stranger", 1000),  // not a user of ours: no lifecycle, no failure
  };
  for (const Published& event : published) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", event.id, "type", event.type, "key", event.key, "payload",
                           event.payload, "occurred_at", "2023-11-14T22:13:20Z"})
                .ok());
  }
  int processed = 0;
  for (int round = 0; round < 20 && processed < static_cast<int>(published.size()); ++round) {
    auto polled = consumer.PollOnce();
    REQUIRE(polled.ok());
    processed += *polled;
  }
  CHECK(consumer.failures() == 0);
  std::string stage;
  int64_t last_order = 0;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                pqxx::row row =
                    tx.exec1("SELECT stage, zt_micros(last_order_at) FROM user_lifecycle WHERE user_id = 'u1'");
                stage = row[0].as<std::string>();
                last_order = row[1].as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(stage == "active");
  CHECK(last_order == int64_t{1700000000} * 1000000);
  (void)(*redis)->Command({"DEL", stream});
}

TEST_CASE("partial refunds from the order stream take back growth and points in proportion, once per return",
          "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 8, absl::Seconds(5), "user-ingest-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = zhongtai::testing::UniqueName("zt.test.events.order");
  FakeClock clock(absl::FromUnixSeconds(1700000200));
  PgPointsStore points_store(**pool);
  Points points(points_store, clock, PointsSettings{});
  PgMembershipStore store(**pool);
  Membership membership(store, points, clock, MembershipSettings{});
  events::StreamConsumer consumer(**pool, **redis,
                                  {stream, kMembershipConsumerGroup, "user-test", absl::Milliseconds(50)},
                                  MakeOrderEventHandler(membership, clock, LifecycleSettings{}));
  const std::vector<Published> published = {
      Paid("o1:paid", "o1", "u2", 80000),                                   // 800 growth, 800 points
      Refunded("ret1:order-refunded", "o1", false, "ret1", 20000, "u2"),    // a quarter
      Refunded("ret1:order-refunded", "o1", false, "ret1", 20000, "u2"),    // redelivered by the stream
      Refunded("ret1:order-refunded-2", "o1", false, "ret1", 20000, "u2"),  // published twice for one return
      Refunded("ret2:order-refunded", "o1", true, "ret2", 60000, "u2"),     // the rest: the order is fully refunded
      Refunded("ret3:order-refunded", "o1", true, "ret3", 100, "u2"),       // nothing left to take
  };
  for (const Published& event : published) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", event.id, "type", event.type, "key", event.key, "payload",
                           event.payload, "occurred_at", "2023-11-14T22:13:20Z"})
                .ok());
  }
  int processed = 0;
  for (int round = 0; round < 20 && processed < static_cast<int>(published.size()); ++round) {
    auto polled = consumer.PollOnce();
    REQUIRE(polled.ok());
    processed += *polled;
  }
  CHECK(consumer.failures() == 0);
  MemberView member = *membership.GetMember("u2");
  CHECK(member.growth == 0);
  CHECK(member.points_balance == 0);
  int64_t reversed = 0;
  int64_t first_refund = 0;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                reversed = tx.exec(
                                 "SELECT -COALESCE(SUM(delta), 0)::bigint FROM points_ledger WHERE user_id = 'u2' "
                                 "AND kind = 'reverse'")[0][0]
                               .as<int64_t>();
                first_refund = tx.exec(
                                     "SELECT -delta FROM points_ledger WHERE user_id = 'u2' AND kind = 'reverse' "
                                     "ORDER BY seq LIMIT 1")[0][0]
                                   .as<int64_t>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(reversed == 800);
  CHECK(first_refund == 200);  // the quarter, once
  testing::CheckPointsLedger(**pool, "u2");
  (void)(*redis)->Command({"DEL", stream});
}

}  // namespace zhongtai::user
