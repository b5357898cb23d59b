// A buyer's erasure on a real PostgreSQL (label store): the user service's UserErased event keeps the buyer's orders
// for accounting (lines, amounts, history), marks them erased once, leaves other buyers' orders alone, and runs again
// harmlessly.
#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/order/ingest/user_erasure.h"
#include "services/order/store/pg_order_store.h"
#include "zhongtai/user/v1/privacy_events.pb.h"

namespace zhongtai::order {
namespace {

const absl::Time kT0 = absl::FromUnixSeconds(1700000000);

struct Db {
  testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  Db() {
    pool =
        zhongtai::testing::OpenMigrated(database, 4, "order-erasure-test", {events::SchemaMigrations(), Migrations()});
  }
  std::string Text(const std::string& sql, const std::string& arg) {
    std::string value;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  pqxx::result rows = tx.exec_params(sql, arg);
                  value = rows.empty() || rows[0][0].is_null() ? "" : rows[0][0].as<std::string>();
                  return absl::OkStatus();
                })
                .ok());
    return value;
  }
  void Place(PgOrderStore& store, const std::string& order_id, const std::string& user_id) {
    Order order;
    order.order_id = order_id;
    order.user_id = user_id;
    order.request_id = "k-" + order_id;
    order.request_fingerprint = "v1|web|sku-1x1";
    order.channel = "web";
    order.created_at = kT0;
    REQUIRE(store.BeginPlacement(order).ok());
    order.lines = {{"sku-1", 1, 2600, 2600, 0, 2600}};
    order.subtotal = 2600;
    order.total = 2600;
    order.status = OrderStatus::kPendingPayment;
    order.pay_deadline = kT0 + absl::Minutes(15);
    order.history.push_back({OrderStatus::kPendingPayment, kT0, "placed"});
    REQUIRE(store.CompletePlacement(order).ok());
  }
  absl::Status Deliver(const events::Handler& handler, const events::Event& event) {
    return pool->Transact([&](pqxx::work& tx) { return handler(tx, event); });
  }
};

events::Event Erased(const std::string& user_id, absl::Time at) {
  user::v1::UserErased erased;
  erased.set_user_id(user_id);
  *erased.mutable_erase_time() = proto::ToTimestamp(at);
  return {"user-erased:" + user_id, std::string(user::v1::UserErased::descriptor()->full_name()), user_id,
          erased.SerializeAsString(), at};
}

TEST_CASE("a buyer's erasure keeps their orders for accounting and marks them erased, once") {
  Db db;
  PgOrderStore store(*db.pool);
  db.Place(store, "o1", "u1");
  db.Place(store, "o2", "u2");
  events::Handler handler = MakeUserErasureHandler();

  REQUIRE(db.Deliver(handler, Erased("u1", kT0 + absl::Hours(1))).ok());
  // Redelivered later: nothing changes (the first erasure time stays).
  REQUIRE(db.Deliver(handler, Erased("u1", kT0 + absl::Hours(5))).ok());

  absl::StatusOr<Order> kept = store.Get("o1");
  REQUIRE(kept.ok());
  CHECK(kept->total == 2600);
  CHECK(kept->lines.size() == 1);
  CHECK(db.Text("SELECT extract(epoch FROM buyer_erased_at)::bigint::text FROM orders WHERE order_id = $1", "o1") ==
        std::to_string(absl::ToUnixSeconds(kT0 + absl::Hours(1))));
  CHECK(db.Text("SELECT buyer_erased_at::text FROM orders WHERE order_id = $1", "o2").empty());
}

TEST_CASE("events other than UserErased, and unreadable ones, are acknowledged without effect") {
  Db db;
  PgOrderStore store(*db.pool);
  db.Place(store, "o1", "u1");
  events::Handler handler = MakeUserErasureHandler();
  events::Event other = Erased("u1", kT0);
  other.type = "zhongtai.user.v1.TierChanged";
  CHECK(db.Deliver(handler, other).ok());
  events::Event garbled = Erased("u1", kT0);
  garbled.payload = "\xff\xff";
  CHECK(db.Deliver(handler, garbled).ok());
  CHECK(db.Text("SELECT buyer_erased_at::text FROM orders WHERE order_id = $1", "o1").empty());
}

}  // namespace
}  // namespace zhongtai::order
