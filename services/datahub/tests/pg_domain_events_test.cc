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

}  // namespace
}  // namespace zhongtai::datahub
