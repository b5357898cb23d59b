// Other services' events (coupons, products and prices, tiers) and order refunds, through Redis streams and consumer
// groups into the data hub, each applied once however often it is delivered.
#include <catch2/catch.hpp>
#include <thread>

#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "google/protobuf/util/time_util.h"
#include "migrations.h"
#include "services/datahub/ingest/domain_events.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/store/pg_domain_event_store.h"
#include "services/datahub/store/pg_funnel_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "zhongtai/marketing/v1/events.pb.h"
#include "zhongtai/order/v1/events.pb.h"
#include "zhongtai/product/v1/events.pb.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::datahub {
namespace {

using google::protobuf::util::TimeUtil;

const absl::Time kAt = absl::FromCivil(absl::CivilHour(2026, 12, 3, 10), absl::UTCTimeZone());

template <typename Pred>
bool WaitFor(Pred pred, absl::Duration limit = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

// Publishes `event` to `stream` `times` times, as a relay that delivers twice would.
void Publish(redis::Pool& redis, const std::string& stream, const events::Event& event, int times = 2) {
  for (int i = 0; i < times; ++i) {
    REQUIRE(redis
                .Command({"XADD", stream, "*", "id", event.id, "type", event.type, "key", event.key, "payload",
                          event.payload, "occurred_at", "2026-12-03T10:00:00Z"})
                .ok());
  }
}

template <typename Message>
events::Event Wrap(const std::string& id, const std::string& key, const Message& message) {
  return {id, Message::descriptor()->full_name(), key, message.SerializeAsString(), kAt};
}

struct Stores {
  Stores() {
    auto opened = pg::Pool::Open({db.dsn(), 4, absl::Seconds(5), "datahub"});
    REQUIRE(opened.ok());
    pg = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pg, migrations).ok());
    auto r = redis::Pool::Open({testing::RedisAddress(), 2, absl::Seconds(1)});
    REQUIRE(r.ok());
    redis = std::move(*r);
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(pg->Transact([&](pqxx::work& tx) {
                n = tx.exec1(sql)[0].as<int64_t>();
                return absl::OkStatus();
              }).ok());
    return n;
  }
  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pg;
  std::unique_ptr<redis::Pool> redis;
};

TEST_CASE("Coupon, product, price and tier events are kept once each, whatever the redelivery") {
  Stores s;
  const std::string marketing = testing::UniqueName("zt.test.events.marketing");
  const std::string product = testing::UniqueName("zt.test.events.product");
  const std::string user = testing::UniqueName("zt.test.events.user");

  marketing::v1::CouponClaimed claimed;
  claimed.set_coupon_id("c1");
  claimed.set_user_id("u1");
  *claimed.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
  marketing::v1::CouponRedeemed redeemed;
  redeemed.set_coupon_id("c1");
  redeemed.set_user_id("u1");
  redeemed.set_order_id("o1");
  product::v1::PriceChanged price;
  price.set_product_id("p1");
  price.set_sku_id("s1");
  price.mutable_new_price()->set_currency("CNY");
  price.mutable_new_price()->set_amount_minor(1999);
  user::v1::TierChanged tier;
  tier.set_user_id("u1");
  Publish(*s.redis, marketing, Wrap("m1", "c1", claimed));
  Publish(*s.redis, marketing, Wrap("m2", "c1", redeemed));
  Publish(*s.redis, product, Wrap("p1", "p1", price));
  Publish(*s.redis, user, Wrap("t1", "u1", tier));

  std::vector<std::unique_ptr<events::StreamConsumer>> consumers;
  for (const std::string& stream : {marketing, product, user}) {
    consumers.push_back(std::make_unique<events::StreamConsumer>(
        *s.pg, *s.redis, events::ConsumerOptions{stream, kDomainEventConsumerGroup, "test", absl::Milliseconds(100)},
        MakeDomainEventHandler(stream)));
    consumers.back()->Start();
  }
  CHECK(WaitFor([&] {
    int64_t seen = 0;
    for (auto& c : consumers) seen += c->handled() + c->duplicates();
    return seen == 8;
  }));
  for (auto& c : consumers) c->Stop();
  CHECK(s.Count("SELECT count(*) FROM domain_events") == 4);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE type = 'zhongtai.marketing.v1.CouponClaimed' "
                "AND subject_id = 'c1' AND user_id = 'u1' AND occurred_at = '2026-12-03 10:00:00+00'") == 1);
  CHECK(s.Count("SELECT amount_minor FROM domain_events WHERE type = 'zhongtai.product.v1.PriceChanged'") == 1999);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE type = 'zhongtai.user.v1.TierChanged' AND "
                "user_id = 'u1'") == 1);
}

TEST_CASE("Facts recorded together are each kept as one alone would be: erased users unlinked, validity when given") {
  Stores s;
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("INSERT INTO erased_users (user_id, erased_at) VALUES ('gone', now())");
                return absl::OkStatus();
              })
              .ok());
  auto fact = [](const std::string& id, const std::string& user, std::optional<absl::Time> valid_until) {
    DomainEventFact f;
    f.event_id = id;
    f.stream = "zt.events.marketing";
    f.type = "zhongtai.marketing.v1.CouponClaimed";
    f.subject_id = "c-" + id;
    f.user_id = user;
    f.amount_minor = 500;
    f.currency = "CNY";
    f.occurred_at = kAt;
    f.valid_until = valid_until;
    f.template_id = "t1";
    return f;
  };
  REQUIRE(s.pg->Transact([&](pqxx::work& tx) {
                PgDomainEventStore::RecordAll(
                    tx, {fact("e1", "u1", kAt + absl::Hours(48)), fact("e2", "gone", {}), fact("e3", "", {})});
                // A repeat of e1 with other values, and a new one: e1 stays as first recorded.
                PgDomainEventStore::RecordAll(tx, {fact("e1", "u2", {}), fact("e4", "u4", {})});
                return absl::OkStatus();
              })
              .ok());
  CHECK(s.Count("SELECT count(*) FROM domain_events") == 4);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE event_id = 'e1' AND user_id = 'u1' AND subject_id = 'c-e1'"
                " AND amount_minor = 500 AND currency = 'CNY' AND template_id = 't1'"
                " AND occurred_at = '2026-12-03 10:00:00+00' AND valid_until = '2026-12-05 10:00:00+00'") == 1);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE event_id IN ('e2', 'e3') AND user_id IS NULL"
                " AND valid_until IS NULL") == 2);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE event_id = 'e4' AND user_id = 'u4'") == 1);
}

TEST_CASE("Refunds add up once each, and placing and paying are the buyer's funnel steps") {
  Stores s;
  const std::string stream = testing::UniqueName("zt.test.events.order");
  // The buyer viewed, put in the cart and checked out before ordering.
  REQUIRE(s.pg->Transact([&](pqxx::work& tx) {
                PgFunnelStore::Fold(tx,
                                    {{"u:u1", FunnelStep::kView, kAt - absl::Hours(1), "app"},
                                     {"u:u1", FunnelStep::kAddToCart, kAt - absl::Minutes(50), "app"},
                                     {"u:u1", FunnelStep::kCheckout, kAt - absl::Minutes(40), "app"}},
                                    absl::Hours(24));
                return absl::OkStatus();
              })
              .ok());
  order::v1::OrderPlaced placed;
  placed.set_order_id("o1");
  placed.set_user_id("u1");
  placed.set_channel("app");
  placed.mutable_total()->set_currency("CNY");
  placed.mutable_total()->set_amount_minor(5000);
  *placed.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt - absl::Minutes(30)));
  order::v1::OrderPaid paid;
  paid.set_order_id("o1");
  paid.set_user_id("u1");
  paid.mutable_total()->set_currency("CNY");
  paid.mutable_total()->set_amount_minor(5000);
  *paid.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt - absl::Minutes(29)));
  order::v1::OrderRefunded refund1;
  refund1.set_order_id("o1");
  refund1.set_user_id("u1");
  refund1.mutable_amount()->set_currency("CNY");
  refund1.mutable_amount()->set_amount_minor(1000);
  *refund1.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
  order::v1::OrderRefunded refund2 = refund1;
  refund2.mutable_amount()->set_amount_minor(1500);
  Publish(*s.redis, stream, Wrap("e1", "o1", placed));
  Publish(*s.redis, stream, Wrap("e2", "o1", paid));
  Publish(*s.redis, stream, Wrap("r1", "o1", refund1));
  Publish(*s.redis, stream, Wrap("r2", "o1", refund2), 3);

  events::StreamConsumer consumer(*s.pg, *s.redis, {stream, kConsumerGroup, "test", absl::Milliseconds(100)},
                                  MakeOrderEventHandler(nullptr, absl::Hours(24)));
  consumer.Start();
  CHECK(WaitFor([&] { return consumer.handled() + consumer.duplicates() == 9; }));
  consumer.Stop();
  CHECK(consumer.handled() == 4);

  PgOrderFactStore facts(*s.pg);
  CHECK(s.Count("SELECT refunded_minor FROM order_facts WHERE order_id = 'o1'") == 2500);
  CHECK(s.Count("SELECT count(*) FROM order_facts WHERE channel = 'app' AND refunded_at = '2026-12-03 10:00:00+00'") ==
        1);
  PgFunnelStore funnel(*s.pg);
  auto journeys = funnel.JourneysOf("u:u1");
  REQUIRE(journeys.ok());
  REQUIRE(journeys->size() == 1);
  CHECK(StepsReached((*journeys)[0], absl::Hours(24)) == 5);
  CHECK((*journeys)[0].step_at[3] == kAt - absl::Minutes(29));
}

TEST_CASE("An order's later status changes are kept once each as domain events") {
  Stores s;
  const std::string stream = testing::UniqueName("zt.test.events.order");
  order::v1::OrderShipped shipped;
  shipped.set_order_id("o7");
  shipped.set_user_id("u7");
  shipped.set_shipment_id("sh1");
  *shipped.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
  order::v1::OrderDelivered delivered;
  delivered.set_order_id("o7");
  delivered.set_user_id("u7");
  order::v1::OrderCompleted completed;
  completed.set_order_id("o7");
  completed.set_user_id("u7");
  order::v1::ReturnStatusChanged returned;
  returned.set_return_id("ret7");
  returned.set_order_id("o7");
  returned.set_user_id("u7");
  returned.set_status("REFUNDED");
  returned.mutable_refund()->set_currency("CNY");
  returned.mutable_refund()->set_amount_minor(700);
  Publish(*s.redis, stream, Wrap("s1", "o7", shipped));
  Publish(*s.redis, stream, Wrap("s2", "o7", delivered));
  Publish(*s.redis, stream, Wrap("s3", "o7", completed));
  Publish(*s.redis, stream, Wrap("s4", "o7", returned), 3);
  events::StreamConsumer consumer(*s.pg, *s.redis, {stream, kConsumerGroup, "test", absl::Milliseconds(100)},
                                  MakeOrderEventHandler(nullptr, absl::Hours(24)));
  consumer.Start();
  CHECK(WaitFor([&] { return consumer.handled() + consumer.duplicates() == 9; }));
  consumer.Stop();
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE subject_id = 'o7' AND user_id = 'u7' "
                "AND stream = 'zt.events.order'") == 4);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE type = 'zhongtai.order.v1.OrderShipped' "
                "AND occurred_at = '2026-12-03 10:00:00+00'") == 1);
  CHECK(s.Count("SELECT amount_minor FROM domain_events WHERE type = 'zhongtai.order.v1.ReturnStatusChanged' "
                "AND template_id = 'ret7'") == 700);
  CHECK(s.Count("SELECT count(*) FROM order_facts WHERE order_id = 'o7'") == 0);
}

}  // namespace
}  // namespace zhongtai::datahub

namespace zhongtai::datahub {

TEST_CASE("Stock, safety stock, cost and points events: the latest level and setting kept, each applied once",
          "[store]") {
  Stores s;
  const std::string product = testing::UniqueName("zt.test.events.product");
  const std::string user = testing::UniqueName("zt.test.events.user");
  auto stock = [](int64_t entry, int64_t on_hand, int64_t available, std::optional<int64_t> safety,
                  absl::Time safety_at) {
    product::v1::StockChanged m;
    m.set_product_id("p1");
    m.set_sku_id("s1");
    m.set_warehouse_id("wh1");
    m.set_reason("confirm");
    m.set_on_hand_delta(-1);
    m.set_on_hand_after(on_hand);
    m.set_available_after(available);
    if (safety) {
      m.set_safety_stock(*safety);
      *m.mutable_safety_stock_update_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(safety_at));
    }
    m.set_ledger_entry_id(entry);
    *m.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
    return Wrap("stock:" + std::to_string(entry), "p1", m);
  };
  // Entry 12 then the older entry 11 arriving late: the level stays entry 12's. The setting of kAt - 1h travels
  // with the movements; a newer setting (SafetyStockChanged at kAt) wins over it whatever the order.
  Publish(*s.redis, product, stock(12, 20, 15, 5, kAt - absl::Hours(1)));
  Publish(*s.redis, product, stock(11, 21, 16, 5, kAt - absl::Hours(1)));
  product::v1::SafetyStockChanged safety;
  safety.set_product_id("p1");
  safety.set_sku_id("s1");
  safety.set_warehouse_id("wh1");
  safety.set_safety_days_of_cover(7);
  safety.set_on_hand(99);  // older than the movements the hub has: ignored
  safety.set_available(99);
  *safety.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
  Publish(*s.redis, product, Wrap("safety:s1:wh1:1", "p1", safety));
  Publish(*s.redis, product, stock(13, 19, 14, 5, kAt - absl::Hours(1)));
  // A second SKU only ever set, never moved: its row has the setting's level.
  product::v1::SafetyStockChanged fresh = safety;
  fresh.set_sku_id("s2");
  fresh.clear_safety_days_of_cover();
  fresh.set_safety_stock(3);
  fresh.set_on_hand(2);
  fresh.set_available(1);
  Publish(*s.redis, product, Wrap("safety:s2:wh1:1", "p1", fresh));
  product::v1::SkuCostChanged cost;
  cost.set_product_id("p1");
  cost.set_sku_id("s1");
  cost.mutable_cost_price()->set_currency("CNY");
  cost.mutable_cost_price()->set_amount_minor(1200);
  *cost.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
  Publish(*s.redis, product, Wrap("cost:s1:1", "p1", cost));
  // An incomplete event (no warehouse) is acknowledged and changes nothing.
  product::v1::StockChanged broken;
  broken.set_sku_id("s9");
  broken.set_ledger_entry_id(1);
  Publish(*s.redis, product, Wrap("stock:broken", "p9", broken));
  auto points = [](const std::string& id, user::v1::PointsLedgerKind kind, int64_t delta) {
    user::v1::PointsChanged m;
    m.set_user_id("u1");
    m.set_kind(kind);
    m.set_delta(delta);
    *m.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kAt));
    return Wrap(id, "u1", m);
  };
  Publish(*s.redis, user, points("points:1", user::v1::POINTS_LEDGER_KIND_EARN, 100));
  Publish(*s.redis, user, points("points:2", user::v1::POINTS_LEDGER_KIND_REDEEM, -60));

  std::vector<std::unique_ptr<events::StreamConsumer>> consumers;
  for (const std::string& stream : {product, user}) {
    consumers.push_back(std::make_unique<events::StreamConsumer>(
        *s.pg, *s.redis, events::ConsumerOptions{stream, kDomainEventConsumerGroup, "test", absl::Milliseconds(100)},
        MakeDomainEventHandler(stream)));
    consumers.back()->Start();
  }
  CHECK(WaitFor([&] {
    int64_t seen = 0;
    for (auto& c : consumers) seen += c->handled() + c->duplicates();
    return seen == 2 * 9;
  }));
  for (auto& c : consumers) c->Stop();
  CHECK(s.Count("SELECT count(*) FROM stock_levels") == 2);
  CHECK(s.Count("SELECT on_hand FROM stock_levels WHERE sku_id = 's1'") == 19);
  CHECK(s.Count("SELECT available FROM stock_levels WHERE sku_id = 's1'") == 14);
  CHECK(s.Count("SELECT ledger_entry_id FROM stock_levels WHERE sku_id = 's1'") == 13);
  CHECK(s.Count("SELECT count(*) FROM stock_levels WHERE sku_id = 's1' AND safety_stock IS NULL "
                "AND safety_days_of_cover = 7 AND product_id = 'p1'") == 1);
  CHECK(s.Count("SELECT available FROM stock_levels WHERE sku_id = 's2'") == 1);
  CHECK(s.Count("SELECT safety_stock FROM stock_levels WHERE sku_id = 's2'") == 3);
  CHECK(s.Count("SELECT cost_minor FROM sku_cost_history WHERE sku_id = 's1' AND currency = 'CNY'") == 1200);
  CHECK(s.Count("SELECT count(*) FROM sku_products WHERE sku_id IN ('s1', 's2') AND product_id = 'p1'") == 2);
  CHECK(s.Count("SELECT count(*) FROM points_facts") == 2);
  CHECK(s.Count("SELECT sum(delta) FROM points_facts") == 40);
  CHECK(s.Count("SELECT count(*) FROM points_facts WHERE kind = 'redeem'") == 1);
  // Every event but the broken one is also a domain event fact, once.
  CHECK(s.Count("SELECT count(*) FROM domain_events") == 8);
  CHECK(s.Count("SELECT count(*) FROM domain_events WHERE type = 'zhongtai.user.v1.PointsChanged' "
                "AND user_id = 'u1'") == 2);
}

}  // namespace zhongtai::datahub
