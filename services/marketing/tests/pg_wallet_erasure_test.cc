// A user's erasure in the coupon wallet on a real PostgreSQL (label store): the user service's UserErased event
// deletes the coupons no order holds or used, keeps the ones an order does under a pseudonym, leaves other users'
// wallets alone, and runs again harmlessly.
#include "services/marketing/store/pg_wallet_erasure.h"

#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/ingest/user_erasure.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "zhongtai/user/v1/privacy_events.pb.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

struct Db {
  Db() {
    auto opened = pg::Pool::Open({database.dsn(), 4, absl::Seconds(20), "wallet-erasure-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
    store = std::make_unique<PgCouponStore>(*pool);
    CouponTemplate t;
    t.template_id = "ct_1";
    t.request_id = "req-ct_1";
    t.name = "满100减20";
    t.type = CouponType::kThresholdReduction;
    t.currency = "CNY";
    t.threshold = 10000;
    t.reduction = 2000;
    t.scope.all_products = true;
    t.claim_start = kNow - absl::Hours(1);
    t.claim_end = kNow + absl::Hours(24);
    t.valid_from = kNow - absl::Hours(1);
    t.valid_until = kNow + absl::Hours(48);
    t.total_quantity = 100;
    t.per_user_limit = 5;
    t.created_at = kNow;
    REQUIRE(store->CreateTemplate(t).ok());
  }
  int64_t Count(const std::string& sql, const std::string& param) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params(sql, param)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  absl::Status Deliver(const events::Event& event) {
    return pool->Transact([&](pqxx::work& tx) { return handler(tx, event); });
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgCouponStore> store;
  events::Handler handler = MakeUserErasureHandler();
};

events::Event Erased(const std::string& user_id) {
  user::v1::UserErased erased;
  erased.set_user_id(user_id);
  *erased.mutable_erase_time() = proto::ToTimestamp(kNow);
  return {"user-erased:" + user_id, std::string(user::v1::UserErased::descriptor()->full_name()), user_id,
          erased.SerializeAsString(), kNow};
}

TEST_CASE("a user's erasure deletes their unused coupons and keeps the one an order holds, without the user") {
  Db db;
  REQUIRE(db.store->Claim("ct_1", "u1", "r1", "cp_unused", kNow).ok());
  REQUIRE(db.store->Claim("ct_1", "u1", "r2", "cp_locked", kNow).ok());
  REQUIRE(db.store->Claim("ct_1", "u2", "r1", "cp_other", kNow).ok());
  REQUIRE(db.store->Lock("cp_locked", "o_1", "u1", kNow).ok());

  REQUIRE(db.Deliver(Erased("u1")).ok());
  REQUIRE(db.Deliver(Erased("u1")).ok());  // redelivered: nothing more happens

  CHECK(db.store->ListWallet("u1", std::nullopt, kNow)->empty());
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE user_id = $1", "u1") == 0);
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE coupon_id = $1", "cp_unused") == 0);
  // The order's coupon stays for the order (redeem and release find it by order id).
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE order_id = $1 AND user_erased_at IS NOT NULL", "o_1") == 1);
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE user_id = $1", ErasedCouponOwner("cp_locked")) == 1);
  CHECK(db.store->Redeem("o_1", kNow).ok());
  CHECK(db.store->ListWallet("u2", std::nullopt, kNow)->size() == 1);
}

}  // namespace
}  // namespace zhongtai::marketing
