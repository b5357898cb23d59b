// What the data hub holds about a user, on a real PostgreSQL (label store): order facts carry the buyer from
// OrderPlaced, the export lists them, and the user service's UserErased event unlinks them (the dashboard's totals
// stay), once, even when an order event of that user arrives after the erasure.
#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/ingest/user_erasure.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "services/datahub/store/pg_user_data_store.h"
#include "zhongtai/order/v1/events.pb.h"
#include "zhongtai/user/v1/privacy_events.pb.h"

namespace zhongtai::datahub {
namespace {

const absl::Time kDay = absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());

events::Event Placed(const std::string& order_id, const std::string& user_id, int64_t total, absl::Duration at) {
  order::v1::OrderPlaced placed;
  placed.set_order_id(order_id);
  placed.set_user_id(user_id);
  placed.mutable_total()->set_currency("CNY");
  placed.mutable_total()->set_amount_minor(total);
  *placed.mutable_occur_time() = proto::ToTimestamp(kDay + at);
  return {order_id + ":placed", "zhongtai.order.v1.OrderPlaced", order_id, placed.SerializeAsString(), kDay + at};
}

events::Event Erased(const std::string& user_id) {
  user::v1::UserErased erased;
  erased.set_user_id(user_id);
  *erased.mutable_erase_time() = proto::ToTimestamp(kDay + absl::Hours(10));
  return {"user-erased:" + user_id, std::string(user::v1::UserErased::descriptor()->full_name()), user_id,
          erased.SerializeAsString(), kDay + absl::Hours(10)};
}

struct Db {
  Db() {
    auto opened = pg::Pool::Open({database.dsn(), 4, absl::Seconds(5), "datahub-erasure-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
  }
  void Deliver(const events::Handler& handler, const events::Event& event) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) { return handler(tx, event); }).ok());
  }
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
};

TEST_CASE("the data hub's facts about a user are exported, then unlinked by the erasure, totals unchanged") {
  Db db;
  events::Handler orders = MakeOrderEventHandler();
  events::Handler erasures = MakeUserErasureHandler();
  db.Deliver(orders, Placed("o1", "u1", 1000, absl::Hours(1)));
  db.Deliver(orders, Placed("o2", "u1", 2000, absl::Hours(2)));
  db.Deliver(orders, Placed("o3", "u2", 4000, absl::Hours(3)));
  PgUserDataStore user_data(*db.pool);
  PgOrderFactStore facts(*db.pool);
  DashboardQuery day{kDay, kDay + absl::Hours(24), "CNY"};

  absl::StatusOr<std::vector<OrderFact>> exported = user_data.ListUserOrderFacts("u1");
  REQUIRE(exported.ok());
  REQUIRE(exported->size() == 2);
  CHECK((*exported)[0].order_id == "o2");  // newest first
  CHECK((*exported)[1].total_minor == 1000);
  const int64_t gmv_before = facts.Totals(day)->gmv_minor;

  db.Deliver(erasures, Erased("u1"));
  db.Deliver(erasures, Erased("u1"));  // redelivered: harmless
  // An order event of the erased user arriving late links nobody.
  db.Deliver(orders, Placed("o4", "u1", 500, absl::Hours(4)));

  CHECK(user_data.ListUserOrderFacts("u1")->empty());
  CHECK(user_data.ListUserOrderFacts("u2")->size() == 1);
  CHECK(facts.Totals(day)->gmv_minor == gmv_before + 500);
  CHECK(facts.Find("o4")->has_value());
}

TEST_CASE("a user's behaviour events are exported newest first and bounded, then unlinked by the erasure") {
  Db db;
  BehaviourPartitions partitions(*db.pool);
  PgBehaviourEventStore store(*db.pool, partitions, absl::Hours(24));
  std::vector<BehaviourEvent> batch;
  auto event = [&](const std::string& id, BehaviourEventType type, absl::Duration at, const std::string& user) {
    BehaviourEvent e;
    e.event_id = id;
    e.type = type;
    e.occurred_at = kDay + at;
    e.received_at = kDay + at;
    e.device_id = "dev-1";
    e.user_id = user;
    e.channel = "app";
    e.product_id = type == BehaviourEventType::kSearch ? "" : "p1";
    e.query = type == BehaviourEventType::kSearch ? "green tea" : "";
    batch.push_back(e);
  };
  event("e1", BehaviourEventType::kView, absl::Minutes(1), "u1");
  event("e2", BehaviourEventType::kSearch, absl::Minutes(2), "u1");
  event("e3", BehaviourEventType::kAddToCart, absl::Minutes(3), "u1");
  event("e4", BehaviourEventType::kView, absl::Minutes(4), "u2");
  event("e5", BehaviourEventType::kView, absl::Minutes(5), "");  // signed out
  REQUIRE(store.Insert(batch).ok());
  PgUserDataStore user_data(*db.pool);

  auto all = user_data.ListUserBehaviourEvents("u1", 100);
  REQUIRE(all.ok());
  CHECK(all->total == 3);
  REQUIRE(all->events.size() == 3);
  CHECK(all->events[0].event_id == "e3");  // newest first
  CHECK(all->events[0].type == BehaviourEventType::kAddToCart);
  CHECK(all->events[1].query == "green tea");
  CHECK(all->events[2].occurred_at == kDay + absl::Minutes(1));
  auto bounded = user_data.ListUserBehaviourEvents("u1", 2);
  REQUIRE(bounded.ok());
  CHECK(bounded->total == 3);
  REQUIRE(bounded->events.size() == 2);
  CHECK(bounded->events[1].event_id == "e2");

  db.Deliver(MakeUserErasureHandler(), Erased("u1"));
  auto after = user_data.ListUserBehaviourEvents("u1", 100);
  REQUIRE(after.ok());
  CHECK(after->total == 0);
  CHECK(after->events.empty());
  CHECK(user_data.ListUserBehaviourEvents("u2", 100)->total == 1);
}

}  // namespace
}  // namespace zhongtai::datahub
