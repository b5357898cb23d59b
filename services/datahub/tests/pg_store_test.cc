// Order events travel outbox -> relay -> Redis stream -> consumer group -> order facts, and the
// dashboard reads them back from PostgreSQL.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "google/protobuf/util/time_util.h"
#include "migrations.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::datahub {
namespace {

using google::protobuf::util::TimeUtil;

const absl::Time kDay = absl::FromCivil(absl::CivilDay(2026, 11, 1), absl::UTCTimeZone());

google::protobuf::Timestamp At(absl::Duration offset) {
  return TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kDay + offset));
}

events::Event PlacedEvent(const std::string& order_id, absl::Duration at, int64_t total) {
  order::v1::OrderPlaced placed;
  placed.set_order_id(order_id);
  placed.set_user_id("u1");
  placed.mutable_total()->set_currency("CNY");
  placed.mutable_total()->set_amount_minor(total);
  placed.set_channel("app");
  *placed.mutable_occur_time() = At(at);
  return {order_id + ":placed", "zhongtai.order.v1.OrderPlaced", order_id, placed.SerializeAsString(), kDay + at};
}

events::Event PaidEvent(const std::string& order_id, absl::Duration at, int64_t total) {
  order::v1::OrderPaid paid;
  paid.set_order_id(order_id);
  paid.mutable_total()->set_currency("CNY");
  paid.mutable_total()->set_amount_minor(total);
  *paid.mutable_occur_time() = At(at);
  return {order_id + ":paid", "zhongtai.order.v1.OrderPaid", order_id, paid.SerializeAsString(), kDay + at};
}

events::Event CancelledEvent(const std::string& order_id, absl::Duration at) {
  order::v1::OrderCancelled cancelled;
  cancelled.set_order_id(order_id);
  cancelled.set_reason("PAYMENT_TIMEOUT");
  *cancelled.mutable_occur_time() = At(at);
  return {order_id + ":cancelled", "zhongtai.order.v1.OrderCancelled", order_id, cancelled.SerializeAsString(),
          kDay + at};
}

template <typename Pred>
bool WaitFor(Pred pred, absl::Duration limit = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

TEST_CASE("Order events fed through Redis show up once on the dashboard") {
  testing::TestDatabase db;
  auto pool = pg::Pool::Open({db.dsn(), 4, absl::Seconds(5), "datahub"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  auto redis = redis::Pool::Open({testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = testing::UniqueName("zt.test.events.order");

  std::mutex mu;
  std::map<std::string, int> ingested;
  events::StreamConsumer consumer(**pool, **redis, {stream, kConsumerGroup, "datahub-test", absl::Milliseconds(100)},
                                  MakeOrderEventHandler([&](const std::string& type) {
                                    std::lock_guard<std::mutex> lock(mu);
                                    ++ingested[type];
                                  }));
  consumer.Start();

  // The order service's side: events in its outbox, published by its relay. (One database
  // here for brevity; the stream is all the two services share.)
  std::vector<events::Event> published = {
      PlacedEvent("o1", absl::Hours(1), 10000), PaidEvent("o1", absl::Hours(2), 10000),
      PlacedEvent("o2", absl::Hours(3), 2999),  PaidEvent("o2", absl::Hours(4), 2999),
      PlacedEvent("o3", absl::Hours(5), 500),   CancelledEvent("o3", absl::Hours(6)),
      PlacedEvent("o4", absl::Hours(30), 777),
  };
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                for (const auto& event : published) RETURN_IF_ERROR(events::AppendToOutbox(tx, stream, event));
                return absl::OkStatus();
              })
              .ok());
  events::OutboxRelay relay(**pool, **redis);
  REQUIRE(*relay.PublishOnce() == 7);
  // A second delivery of o1's events and an event the data hub does not use.
  for (const events::Event& event : {published[0], published[1]}) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", event.id, "type", event.type, "key", event.key, "payload",
                           event.payload, "occurred_at", "2026-11-01T01:00:00Z"})
                .ok());
  }
  REQUIRE((*redis)
              ->Command({"XADD", stream, "*", "id", "x1", "type", "zhongtai.order.v1.Unknown", "key", "o9", "payload",
                         "", "occurred_at", "2026-11-01T01:00:00Z"})
              .ok());

  CHECK(WaitFor([&] { return consumer.handled() + consumer.duplicates() == 10; }));
  consumer.Stop();
  CHECK(consumer.duplicates() == 2);
  {
    std::lock_guard<std::mutex> lock(mu);
    CHECK(ingested["zhongtai.order.v1.OrderPlaced"] == 4);
    CHECK(ingested["zhongtai.order.v1.OrderPaid"] == 2);
    CHECK(ingested["zhongtai.order.v1.OrderCancelled"] == 1);
    CHECK(ingested.count("zhongtai.order.v1.Unknown") == 0);
  }

  PgOrderFactStore facts(**pool);
  auto o1 = facts.Find("o1");
  REQUIRE(o1.ok());
  REQUIRE(o1->has_value());
  CHECK((*o1)->placed_at == kDay + absl::Hours(1));
  CHECK((*o1)->paid_at == kDay + absl::Hours(2));
  CHECK((*o1)->total_minor == 10000);
  CHECK((*o1)->currency == "CNY");

  Analytics analytics(facts);
  auto day = analytics.GetDashboard({kDay, kDay + absl::Hours(24), "CNY"});
  REQUIRE(day.ok());
  CHECK(day->totals.orders_placed == 3);
  CHECK(day->totals.gmv_minor == 13499);
  CHECK(day->totals.orders_paid == 2);
  CHECK(day->totals.paid_gmv_minor == 12999);
  CHECK(day->totals.orders_cancelled == 1);
  CHECK(day->average_order_value_minor == 6500);

  auto edge = analytics.GetDashboard({kDay + absl::Hours(1), kDay + absl::Hours(3), "CNY"});
  REQUIRE(edge.ok());
  CHECK(edge->totals.orders_placed == 1);  // o2 placed exactly at the exclusive end
  CHECK(edge->totals.orders_paid == 1);

  auto empty = analytics.GetDashboard({kDay - absl::Hours(24), kDay, "CNY"});
  REQUIRE(empty.ok());
  CHECK(empty->totals.orders_placed == 0);
  CHECK(empty->average_order_value_minor == 0);
  (void)(*redis)->Command({"DEL", stream});
}

TEST_CASE("Recording the same event twice changes nothing") {
  testing::TestDatabase db;
  auto pool = pg::Pool::Open({db.dsn(), 2, absl::Seconds(5), "datahub"});
  REQUIRE(pool.ok());
  REQUIRE(pg::Migrate(**pool, Migrations()).ok());
  OrderEvent paid{OrderEventKind::kPaid, "o1", kDay + absl::Hours(2), "CNY", 900};
  OrderEvent placed{OrderEventKind::kPlaced, "o1", kDay + absl::Hours(1), "CNY", 1000};
  OrderEvent replay{OrderEventKind::kPlaced, "o1", kDay + absl::Hours(9), "CNY", 1};
  for (const OrderEvent& event : {paid, placed, replay, paid}) {
    REQUIRE((*pool)
                ->Transact([&](pqxx::work& tx) {
                  PgOrderFactStore::Record(tx, event);
                  return absl::OkStatus();
                })
                .ok());
  }
  PgOrderFactStore facts(**pool);
  auto fact = facts.Find("o1");
  REQUIRE(fact.ok());
  REQUIRE(fact->has_value());
  CHECK((*fact)->placed_at == kDay + absl::Hours(1));
  CHECK((*fact)->total_minor == 1000);
  CHECK((*fact)->paid_at == kDay + absl::Hours(2));
  CHECK((*fact)->paid_minor == 900);
  CHECK(!(*fact)->cancelled_at.has_value());
}

}  // namespace
}  // namespace zhongtai::datahub
