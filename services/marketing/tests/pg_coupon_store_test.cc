// PgCouponStore on a real PostgreSQL (label store): caps and single use under real concurrent threads, and the
// SQL that decides agreeing with coupon_rules.h.
#include "services/marketing/store/pg_coupon_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/pg/time.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/domain/coupon_rules.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000) + absl::Microseconds(7);

struct Db {
  Db() {
    pg::PoolOptions options;
    options.dsn = database.dsn();
    options.size = 8;
    options.acquire_timeout = absl::Seconds(60);
    options.name = "marketing-coupon-test";
    auto opened = pg::Pool::Open(options);
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
    store = std::make_unique<PgCouponStore>(*pool);
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
  void Exec(const std::string& sql, const std::string& param) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  tx.exec_params(sql, param);
                  return absl::OkStatus();
                })
                .ok());
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgCouponStore> store;
};

CouponTemplate Template(const std::string& id, int64_t total, int64_t per_user) {
  CouponTemplate t;
  t.template_id = id;
  t.request_id = "req-" + id;
  t.name = "满100减20";
  t.type = CouponType::kThresholdReduction;
  t.currency = "CNY";
  t.threshold = 10000;
  t.reduction = 2000;
  t.scope.all_products = false;
  t.scope.category_ids = {"cat-shoes"};
  t.claim_start = kNow - absl::Hours(1);
  t.claim_end = kNow + absl::Hours(24);
  t.valid_from = kNow - absl::Hours(1);
  t.valid_until = kNow + absl::Hours(48);
  t.total_quantity = total;
  t.per_user_limit = per_user;
  t.created_at = kNow;
  return t;
}

}  // namespace

TEST_CASE("coupon templates round trip, are idempotent on request id and list while claimable", "[store]") {
  Db db;
  CouponTemplate relative = Template("ct_1", 10, 1);
  relative.valid_from = relative.valid_until = absl::InfinitePast();
  relative.valid_days_after_claim = 7;
  auto created = db.store->CreateTemplate(relative);
  REQUIRE(created.ok());
  CHECK(created->created);
  const CouponTemplate& t = created->coupon_template;
  CHECK(t.template_id == "ct_1");
  CHECK(t.scope.category_ids == std::vector<std::string>{"cat-shoes"});
  CHECK_FALSE(t.scope.all_products);
  CHECK(t.valid_days_after_claim == 7);
  CHECK(t.valid_from == absl::InfinitePast());
  CHECK(t.claim_start == kNow - absl::Hours(1));
  CHECK(t.created_at == kNow);

  CouponTemplate again = relative;
  again.template_id = "ct_2";
  auto replay = db.store->CreateTemplate(again);
  REQUIRE(replay.ok());
  CHECK_FALSE(replay->created);
  CHECK(replay->coupon_template.template_id == "ct_1");

  REQUIRE(db.store->CreateTemplate(Template("ct_3", 1, 1)).ok());
  auto claimable = db.store->ListClaimable(kNow);
  REQUIRE(claimable.ok());
  CHECK(claimable->size() == 2);
  auto claimed = db.store->Claim("ct_3", "u1", "r1", "cp_1", kNow);
  REQUIRE(claimed.ok());
  claimable = db.store->ListClaimable(kNow);
  REQUIRE(claimable.ok());
  REQUIRE(claimable->size() == 1);
  CHECK(claimable->front().template_id == "ct_1");
  CHECK(db.store->ListClaimable(kNow + absl::Hours(25))->empty());

  auto coupon = db.store->Claim("ct_1", "u1", "r2", "cp_2", kNow);
  REQUIRE(coupon.ok());
  CHECK(coupon->coupon.coupon.valid_until == kNow + absl::Hours(24 * 7));
  auto same = db.store->Claim("ct_1", "u1", "r2", "cp_3", kNow);
  REQUIRE(same.ok());
  CHECK_FALSE(same->created);
  CHECK(same->coupon.coupon.coupon_id == "cp_2");
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE template_id = $1", "ct_1") == 1);
  CHECK(db.store->Claim("missing", "u1", "r9", "cp_9", kNow).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("1000 concurrent claims of 50 coupons, 2 per user, by 30 users: exactly 50, nobody over 2", "[store]") {
  Db db;
  REQUIRE(db.store->CreateTemplate(Template("ct_hot", 50, 2)).ok());
  constexpr int kThreads = 16;
  constexpr int kClaims = 1000;
  constexpr int kUsers = 30;
  std::atomic<int> next{0};
  std::atomic<int> won{0};
  std::mutex mu;
  std::map<std::string, int> reasons;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      for (int n = next++; n < kClaims; n = next++) {
        std::string user = absl::StrCat("u", n % kUsers);
        auto result = db.store->Claim("ct_hot", user, absl::StrCat("r", n), absl::StrCat("cp_", n), kNow);
        if (result.ok()) {
          ++won;
          continue;
        }
        std::lock_guard<std::mutex> lock(mu);
        ++reasons[ReasonOf(result.status())];
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 50);
  CHECK(reasons["COUPON_SOLD_OUT"] + reasons["COUPON_LIMIT_REACHED"] == kClaims - 50);
  CHECK(reasons.size() <= 2);
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE template_id = $1", "ct_hot") == 50);
  CHECK(db.Count("SELECT claimed_quantity FROM coupon_templates WHERE template_id = $1", "ct_hot") == 50);
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE type = $1", "zhongtai.marketing.v1.CouponClaimed") == 50);
  CHECK(db.Count("SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM coupons WHERE template_id = $1 "
                 "GROUP BY user_id) per_user",
                 "ct_hot") == 2);
}

TEST_CASE(
    "coupon farming: 40 accounts on one device claiming one template at once get 3 coupons, other devices "
    "theirs",
    "[store]") {
  Db db;
  REQUIRE(db.store->CreateTemplate(Template("ct_farm", 100, 1)).ok());
  constexpr int kAccounts = 40;
  std::atomic<int> won{0};
  std::mutex mu;
  std::map<std::string, int> reasons;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      for (int n = i; n < kAccounts; n += 8) {
        auto result = db.store->Claim("ct_farm", absl::StrCat("farm", n), "r", absl::StrCat("cp_farm", n), kNow,
                                      ClaimDevice{"device-1", 3});
        std::lock_guard<std::mutex> lock(mu);
        result.ok() ? ++won : ++reasons[ReasonOf(result.status())];
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 3);
  CHECK(reasons["COUPON_DEVICE_LIMIT_REACHED"] == kAccounts - 3);
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE claim_device_id = $1", "device-1") == 3);
  // Another device, no device (the cap cannot apply), and a replay of a winner's claim are not refused.
  CHECK(db.store->Claim("ct_farm", "honest", "r", "cp_honest", kNow, ClaimDevice{"device-2", 3}).ok());
  CHECK(db.store->Claim("ct_farm", "webuser", "r", "cp_web", kNow, ClaimDevice{"", 3}).ok());
  CHECK(db.Count("SELECT claimed_quantity FROM coupon_templates WHERE template_id = $1", "ct_farm") == 5);
  std::string winner;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                winner = tx.exec_params1("SELECT user_id FROM coupons WHERE claim_device_id = 'device-1' LIMIT 1")[0]
                             .as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  auto replay = db.store->Claim("ct_farm", winner, "r", "cp_replay", kNow, ClaimDevice{"device-1", 3});
  REQUIRE(replay.ok());
  CHECK_FALSE(replay->created);
  // The cap is per template: the same device may claim another template.
  REQUIRE(db.store->CreateTemplate(Template("ct_other", 100, 1)).ok());
  CHECK(db.store->Claim("ct_other", "farm0", "r2", "cp_o", kNow, ClaimDevice{"device-1", 3}).ok());
}

TEST_CASE("concurrent orders locking one coupon: exactly one wins, and it is used once", "[store]") {
  Db db;
  REQUIRE(db.store->CreateTemplate(Template("ct_1", 10, 1)).ok());
  REQUIRE(db.store->Claim("ct_1", "u1", "r1", "cp_1", kNow).ok());
  constexpr int kOrders = 24;
  std::atomic<int> won{0};
  std::atomic<int> refused_locked{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kOrders; ++i) {
    threads.emplace_back([&, i] {
      auto result = db.store->Lock("cp_1", absl::StrCat("o", i), "u1", kNow);
      if (result.ok()) ++won;
      if (ReasonOf(result.status()) == "COUPON_LOCKED") ++refused_locked;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 1);
  CHECK(refused_locked == kOrders - 1);
  std::string winner;
  REQUIRE(db.pool
              ->Transact([&](pqxx::work& tx) {
                winner = tx.exec1("SELECT order_id FROM coupons WHERE coupon_id = 'cp_1'")[0].as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  auto replay = db.store->Lock("cp_1", winner, "u1", kNow);
  REQUIRE(replay.ok());
  CHECK(replay->coupon.status == CouponStatus::kLocked);

  auto used = db.store->Redeem(winner, kNow);
  REQUIRE(used.ok());
  CHECK(used->coupon.status == CouponStatus::kUsed);
  CHECK(db.store->Redeem(winner, kNow).ok());
  auto released = db.store->Release(winner, kNow);
  REQUIRE(released.ok());
  CHECK_FALSE(released->has_value());
  CHECK(ReasonOf(db.store->Lock("cp_1", "o-late", "u1", kNow).status()) == "COUPON_USED");
  CHECK(db.Count("SELECT count(*) FROM coupons WHERE status = $1", "USED") == 1);
  // One event per state change, in the change's transaction: a refused lock or a replay records none.
  const std::string kEvents = "SELECT count(*) FROM outbox WHERE key = 'cp_1' AND type = $1";
  CHECK(db.Count(kEvents, "zhongtai.marketing.v1.CouponClaimed") == 1);
  CHECK(db.Count(kEvents, "zhongtai.marketing.v1.CouponLocked") == 1);
  CHECK(db.Count(kEvents, "zhongtai.marketing.v1.CouponRedeemed") == 1);
  CHECK(db.Count(kEvents, "zhongtai.marketing.v1.CouponReleased") == 0);
}

TEST_CASE("release returns a coupon to the wallet, or expires it, the wallet filters by status", "[store]") {
  Db db;
  REQUIRE(db.store->CreateTemplate(Template("ct_1", 10, 5)).ok());
  for (int i = 1; i <= 3; ++i) {
    REQUIRE(db.store->Claim("ct_1", "u1", absl::StrCat("r", i), absl::StrCat("cp_", i), kNow).ok());
  }
  CHECK(db.store->Lock("cp_1", "o1", "u2", kNow).status().code() == absl::StatusCode::kNotFound);
  REQUIRE(db.store->Lock("cp_1", "o1", "u1", kNow).ok());
  CHECK(ReasonOf(db.store->Lock("cp_2", "o1", "u1", kNow).status()) == "ORDER_HAS_COUPON");
  auto released = db.store->Release("o1", kNow);
  REQUIRE(released.ok());
  REQUIRE(released->has_value());
  CHECK((*released)->coupon.status == CouponStatus::kAvailable);
  CHECK((*released)->coupon.order_id.empty());
  CHECK_FALSE(db.store->Release("o1", kNow)->has_value());
  CHECK(db.Count("SELECT count(*) FROM outbox WHERE key = $1 AND type = 'zhongtai.marketing.v1.CouponReleased'",
                 "cp_1") == 1);

  REQUIRE(db.store->Lock("cp_2", "o2", "u1", kNow).ok());
  REQUIRE(db.store->Lock("cp_3", "o3", "u1", kNow).ok());
  REQUIRE(db.store->Redeem("o3", kNow).ok());
  const absl::Time later = kNow + absl::Hours(49);
  auto expired = db.store->Release("o2", later);
  REQUIRE(expired.ok());
  REQUIRE(expired->has_value());
  CHECK((*expired)->coupon.status == CouponStatus::kExpired);

  auto ids = [&](std::optional<CouponStatus> status, absl::Time now) {
    std::vector<std::string> out;
    auto wallet = db.store->ListWallet("u1", status, now);
    REQUIRE(wallet.ok());
    for (const WalletCoupon& w : *wallet) out.push_back(w.coupon.coupon_id);
    return out;
  };
  CHECK(ids(CouponStatus::kAvailable, kNow) == std::vector<std::string>{"cp_1"});
  CHECK(ids(CouponStatus::kUsed, kNow) == std::vector<std::string>{"cp_3"});
  CHECK(ids(CouponStatus::kExpired, kNow) == std::vector<std::string>{"cp_2"});
  CHECK(ids(CouponStatus::kExpired, later) == std::vector<std::string>{"cp_2", "cp_1"});
  CHECK(ids(std::nullopt, kNow).size() == 3);
  CHECK(db.store->ListWallet("u2", std::nullopt, kNow)->empty());
  auto got = db.store->Get("cp_3");
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->coupon.status == CouponStatus::kUsed);
  CHECK((*got)->coupon_template.template_id == "ct_1");
  CHECK_FALSE(db.store->Get("cp_none")->has_value());
}

TEST_CASE("the SQL that decides agrees with the C++ rules", "[store]") {
  Db db;
  CouponTemplate t = Template("ct_1", 2, 5);
  REQUIRE(db.store->CreateTemplate(t).ok());
  // kTakeOneFromTemplate takes one exactly when CheckClaim does not say sold out.
  for (int64_t claimed : {0, 1, 2}) {
    db.Exec(absl::StrCat("UPDATE coupon_templates SET claimed_quantity = ", claimed, " WHERE template_id = $1"),
            "ct_1");
    t.claimed_quantity = claimed;
    bool rule_allows = ReasonOf(CheckClaim(t, 0, kNow)) != "COUPON_SOLD_OUT";
    bool sql_takes = false;
    REQUIRE(db.pool
                ->Transact([&](pqxx::work& tx) {
                  sql_takes = !tx.exec_params(coupon_sql::kTakeOneFromTemplate, "ct_1").empty();
                  return absl::Status(absl::StatusCode::kCancelled, "roll back");
                })
                .code() == absl::StatusCode::kCancelled);
    CHECK(sql_takes == rule_allows);
  }
  // kEffectiveStatus reads each stored status as EffectiveStatus does, either side of valid_until.
  db.Exec("UPDATE coupon_templates SET claimed_quantity = 0 WHERE template_id = $1", "ct_1");
  REQUIRE(db.store->Claim("ct_1", "u1", "r1", "cp_1", kNow).ok());
  constexpr const char* kStored[] = {"AVAILABLE", "LOCKED", "USED", "EXPIRED"};
  constexpr const char* kNames[] = {"available", "locked", "used", "expired"};
  for (int s = 0; s < 4; ++s) {
    for (absl::Time now :
         {kNow, t.valid_until - absl::Microseconds(1), t.valid_until, t.valid_until + absl::Hours(1)}) {
      std::string sql_status;
      REQUIRE(db.pool
                  ->Transact([&](pqxx::work& tx) {
                    tx.exec_params(
                        "UPDATE coupons SET status = $1, order_id = CASE WHEN $1 IN ('LOCKED', 'USED') "
                        "THEN 'o1' ELSE '' END WHERE coupon_id = 'cp_1'",
                        std::string(kStored[s]));
                    sql_status = tx.exec_params1(absl::StrCat("SELECT ", coupon_sql::kEffectiveStatus,
                                                              " FROM coupons c WHERE c.coupon_id = 'cp_1'"),
                                                 pg::Micros(now))[0]
                                     .as<std::string>();
                    return absl::OkStatus();
                  })
                  .ok());
      Coupon c = NewCoupon(t, kNow);
      c.status = *CouponStatusFromName(kNames[s]);
      CouponStatus rule = EffectiveStatus(c, now);
      CHECK(sql_status == kStored[static_cast<int>(rule)]);
    }
  }
}

}  // namespace zhongtai::marketing
