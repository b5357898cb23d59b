// After a customer erases their account, no service still holds their phone, email or address, nor (where the data
// is not kept for accounting) their user id: the user service's own erasure, then the UserErased event through the
// outbox relay and a Redis stream to the order, marketing and data hub consumers, each on its own database, with the
// event delivered twice.
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "common/auth/token_revocations.h"
#include "common/events/consumer.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/testing/personal_data.h"
#include "common/testing/stores.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/ingest/user_erasure.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_user_data_store.h"
#include "services/marketing/ingest/user_erasure.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/order/ingest/user_erasure.h"
#include "services/order/store/pg_order_store.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/addresses.h"
#include "services/user/domain/privacy_erasure.h"
#include "services/user/store/pg_address_store.h"
#include "services/user/store/pg_erasure_store.h"
#include "services/user/store/pg_user_store.h"
#include "services/user/store/redis_token_revoker.h"
#include "zhongtai/order/v1/events.pb.h"

// Each service's embedded migrations (its store library).
namespace zhongtai::user {
const std::vector<pg::Migration>& Migrations();
}
namespace zhongtai::order {
const std::vector<pg::Migration>& Migrations();
}
namespace zhongtai::marketing {
const std::vector<pg::Migration>& Migrations();
}
namespace zhongtai::datahub {
const std::vector<pg::Migration>& Migrations();
}

namespace zhongtai {
namespace {

constexpr char kPhone[] = "13800138000";
constexpr char kEmail[] = "erased.buyer@example.com";
constexpr char kRecipientPhone[] = "13911112222";
constexpr char kStreet[] = "浦东新区世纪大道100号";
const absl::Time kNow = absl::FromUnixSeconds(1790000000);

struct ServiceDb {
  explicit ServiceDb(const std::vector<pg::Migration>& own) {
    auto opened = pg::Pool::Open({database.dsn(), 4, absl::Seconds(20), "privacy-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), own.begin(), own.end());
    REQUIRE(pg::Migrate(*pool, all).ok());
  }
  int64_t Count(const std::string& sql, const std::string& arg) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params(sql, arg)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
};

class FakeHasher : public user::PasswordHasher {
 public:
  absl::StatusOr<std::string> Hash(const std::string& password) override { return "fake$" + password; }
  bool Verify(const std::string& hash, const std::string& password) override { return hash == "fake$" + password; }
};

class Ids : public user::IdGenerator, public user::AddressIds {
 public:
  std::string NewUserId() override { return "u_erased_buyer"; }
  std::string NewSessionFamilyId() override { return "sf_" + std::to_string(++next_); }
  std::string NewAddressId() override { return "addr_" + std::to_string(++next_); }

 private:
  int next_ = 0;
};

template <typename Pred>
bool WaitFor(Pred pred, absl::Duration limit = absl::Seconds(20)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

TEST_CASE("after erasure no service holds the customer's phone, email or address") {
  ServiceDb user_db(user::Migrations());
  ServiceDb order_db(order::Migrations());
  ServiceDb marketing_db(marketing::Migrations());
  ServiceDb datahub_db(datahub::Migrations());

  // The customer, with an address, an order, a coupon held by the order and the data hub's fact of the order.
  FakeHasher hasher;
  FakeClock clock;
  clock.Set(kNow);
  Ids ids;
  user::AccountSettings settings;
  auth::KeyPair keys = auth::NewKeyPair();
  settings.token.signing_key = keys.signing_key;
  settings.token.public_key = keys.public_key;
  user::PgUserStore users(*user_db.pool);
  user::Accounts accounts(users, hasher, clock, ids, settings);
  absl::StatusOr<user::User> buyer = accounts.Register({kEmail, kPhone, "buyer-password", "买家小王"});
  REQUIRE(buyer.ok());
  const std::string user_id = buyer->user_id;
  user::PgAddressStore address_store(*user_db.pool);
  user::AddressBook addresses(address_store, ids, clock);
  user::AddressInput home;
  home.recipient_name = "王小明";
  home.recipient_phone = kRecipientPhone;
  home.province_code = "310000";
  home.city_code = "310100";
  home.district_code = "310115";
  home.detail = kStreet;
  REQUIRE(addresses.Add(user_id, home, "req-1").ok());
  REQUIRE(accounts.Login(kPhone, "buyer-password").ok());

  order::PgOrderStore orders(*order_db.pool);
  order::Order placed;
  placed.order_id = "o_1";
  placed.user_id = user_id;
  placed.request_id = "k1";
  placed.request_fingerprint = "v1|app|sku-1x1";
  placed.channel = "app";
  placed.created_at = kNow;
  REQUIRE(orders.BeginPlacement(placed).ok());
  placed.lines = {{"sku-1", 1, 9900, 9900, 0, 9900}};
  placed.subtotal = placed.total = 9900;
  placed.status = order::OrderStatus::kPendingPayment;
  placed.pay_deadline = kNow + absl::Minutes(15);
  placed.history.push_back({order::OrderStatus::kPendingPayment, kNow, "placed"});
  REQUIRE(orders.CompletePlacement(placed).ok());

  marketing::PgCouponStore coupons(*marketing_db.pool);
  marketing::CouponTemplate coupon_template;
  coupon_template.template_id = "ct_1";
  coupon_template.request_id = "req-ct_1";
  coupon_template.name = "新人券";
  coupon_template.type = marketing::CouponType::kNoThreshold;
  coupon_template.currency = "CNY";
  coupon_template.reduction = 500;
  coupon_template.scope.all_products = true;
  coupon_template.claim_start = kNow - absl::Hours(1);
  coupon_template.claim_end = kNow + absl::Hours(1);
  coupon_template.valid_from = kNow - absl::Hours(1);
  coupon_template.valid_until = kNow + absl::Hours(24);
  coupon_template.total_quantity = 10;
  coupon_template.per_user_limit = 2;
  coupon_template.created_at = kNow;
  REQUIRE(coupons.CreateTemplate(coupon_template).ok());
  REQUIRE(coupons.Claim("ct_1", user_id, "c1", "cp_1", kNow).ok());
  REQUIRE(coupons.Claim("ct_1", user_id, "c2", "cp_2", kNow).ok());
  REQUIRE(coupons.Lock("cp_2", "o_1", user_id, kNow).ok());

  order::v1::OrderPlaced fact;
  fact.set_order_id("o_1");
  fact.set_user_id(user_id);
  fact.mutable_total()->set_currency("CNY");
  fact.mutable_total()->set_amount_minor(9900);
  *fact.mutable_occur_time() = proto::ToTimestamp(kNow);
  REQUIRE(datahub_db.pool
              ->Transact([&](pqxx::work& tx) {
                return datahub::MakeOrderEventHandler()(
                    tx, {"o_1:placed", "zhongtai.order.v1.OrderPlaced", "o_1", fact.SerializeAsString(), kNow});
              })
              .ok());
  REQUIRE(datahub_db.Count("SELECT count(*) FROM order_facts WHERE user_id = $1", user_id) == 1);
  // And what the customer did in the app while signed in: their behaviour events, which their export carries.
  datahub::BehaviourPartitions partitions(*datahub_db.pool);
  datahub::PgBehaviourEventStore behaviour(*datahub_db.pool, partitions, absl::Hours(24));
  std::vector<datahub::BehaviourEvent> seen;
  for (auto type : {datahub::BehaviourEventType::kView, datahub::BehaviourEventType::kSearch,
                    datahub::BehaviourEventType::kAddToCart}) {
    datahub::BehaviourEvent e;
    e.event_id = "b" + std::to_string(seen.size());
    e.type = type;
    e.occurred_at = kNow - absl::Minutes(static_cast<int>(seen.size()));
    e.received_at = kNow;
    e.device_id = "device-1";
    e.user_id = user_id;
    e.channel = "app";
    e.product_id = type == datahub::BehaviourEventType::kSearch ? "" : "p_1";
    e.query = type == datahub::BehaviourEventType::kSearch ? "绿茶" : "";
    seen.push_back(e);
  }
  REQUIRE(*behaviour.Insert(seen) == 3);
  datahub::PgUserDataStore user_data(*datahub_db.pool);
  REQUIRE(user_data.ListUserBehaviourEvents(user_id, 100)->total == 3);

  // The other services' consumers of the user events, on a stream private to this test.
  auto redis = redis::Pool::Open({testing::RedisAddress(), 8, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = testing::UniqueName("zt.test.events.user");
  struct Consumer {
    ServiceDb* db;
    events::Handler handler;
    std::unique_ptr<events::StreamConsumer> consumer;
  };
  std::vector<Consumer> consumers;
  consumers.push_back({&order_db, order::MakeUserErasureHandler(), nullptr});
  consumers.push_back({&marketing_db, marketing::MakeUserErasureHandler(), nullptr});
  consumers.push_back({&datahub_db, datahub::MakeUserErasureHandler(), nullptr});
  int n = 0;
  for (Consumer& c : consumers) {
    events::ConsumerOptions options;
    options.stream = stream;
    options.group = "erasure-" + std::to_string(++n);
    options.block = absl::Milliseconds(100);
    c.consumer = std::make_unique<events::StreamConsumer>(*c.db->pool, **redis, options, c.handler);
    c.consumer->Start();
  }

  user::PgErasureStore erasure_store(*user_db.pool);
  user::RedisAccessTokenRevoker token_revoker(**redis, absl::Minutes(15));
  user::AccountErasure erasure(accounts, erasure_store, token_revoker, clock);
  REQUIRE(erasure.Erase(user_id, "buyer-password").ok());
  // The gateway refuses the account's access tokens from now on (services/gateway/token_revocation_check.h).
  CHECK(auth::RedisTokenRevocations(**redis).RevokedAt(user_id)->has_value());

  // The user service's relay publishes the event (onto this test's stream), and it is delivered a second time.
  REQUIRE(user_db.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec_params("UPDATE outbox SET stream = $1 WHERE key = $2", stream, user_id);
                return absl::OkStatus();
              })
              .ok());
  events::OutboxRelay relay(*user_db.pool, **redis);
  REQUIRE(*relay.PublishOnce() == 1);
  std::string event_id;
  std::string payload;
  REQUIRE(user_db.pool
              ->Transact([&](pqxx::work& tx) {
                pqxx::row row = tx.exec_params1("SELECT id, payload FROM outbox WHERE key = $1", user_id);
                event_id = row[0].as<std::string>();
                payload = pqxx::binarystring(row[1]).str();
                return absl::OkStatus();
              })
              .ok());
  REQUIRE((*redis)
              ->Command({"XADD", stream, "*", "id", event_id, "type", "zhongtai.user.v1.UserErased", "key", user_id,
                         "payload", payload, "occurred_at", "2026-09-21T00:00:00Z"})
              .ok());

  for (Consumer& c : consumers) {
    CHECK(WaitFor([&] { return c.consumer->handled() == 1 && c.consumer->duplicates() == 1; }));
    c.consumer->Stop();
    CHECK(c.consumer->failures() == 0);
  }

  for (ServiceDb* db : {&user_db, &order_db, &marketing_db, &datahub_db}) {
    for (const char* needle : {kPhone, kEmail, kRecipientPhone, kStreet, "王小明", "买家小王"}) {
      INFO(db->database.name() << " holds " << needle);
      CHECK(testing::RowsContaining(*db->pool, needle).empty());
    }
  }
  // Where nothing is kept for accounting, not even the user id links anything to the customer.
  CHECK(marketing_db.Count("SELECT count(*) FROM coupons WHERE user_id = $1", user_id) == 0);
  CHECK(datahub_db.Count("SELECT count(*) FROM order_facts WHERE user_id = $1", user_id) == 0);
  // The behaviour events keep their counts for the dashboard but no longer name the customer; an export finds none.
  CHECK(datahub_db.Count("SELECT count(*) FROM behaviour_events WHERE user_id = $1", user_id) == 0);
  CHECK(datahub_db.Count("SELECT count(*) FROM behaviour_events WHERE event_id = $1", "b1") == 1);
  CHECK(user_data.ListUserBehaviourEvents(user_id, 100)->events.empty());
  // The order stays for accounting, its buyer marked erased.
  CHECK(order_db.Count("SELECT count(*) FROM orders WHERE user_id = $1 AND buyer_erased_at IS NOT NULL", user_id) == 1);
  CHECK(datahub_db.Count("SELECT count(*) FROM order_facts WHERE order_id = $1", "o_1") == 1);
}

}  // namespace
}  // namespace zhongtai
