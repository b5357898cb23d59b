// Birthday coupons on a real PostgreSQL (label store): the user service's BirthdayCouponDue puts the tier's birthday
// coupon in the customer's wallet once per customer, template and year, whatever the redelivery.
#include "services/marketing/ingest/birthday_coupons.h"

#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/tests/fakes.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

CouponTemplate BirthdayTemplate(const std::string& id, int64_t total) {
  CouponTemplate t;
  t.template_id = id;
  t.request_id = "req-" + id;
  t.name = "生日券";
  t.type = CouponType::kThresholdReduction;
  t.currency = "CNY";
  t.threshold = 5000;
  t.reduction = 1000;
  t.scope.all_products = true;
  t.claim_start = kNow - absl::Hours(1);
  t.claim_end = kNow + absl::Hours(24 * 800);
  t.valid_from = absl::InfinitePast();  // no fixed window: 30 days from each claim
  t.valid_until = absl::InfinitePast();
  t.valid_days_after_claim = 30;
  t.total_quantity = total;
  t.per_user_limit = 1;  // one birthday coupon a year: the limit counts per year
  t.created_at = kNow;
  return t;
}

events::Event Due(const std::string& event_id, const std::string& user_id, const std::string& template_id, int year) {
  user::v1::BirthdayCouponDue due;
  due.set_user_id(user_id);
  due.set_template_id(template_id);
  due.set_year(year);
  due.set_tier("gold");
  *due.mutable_occur_time() = proto::ToTimestamp(kNow);
  return {event_id, std::string(user::v1::BirthdayCouponDue::descriptor()->full_name()), user_id,
          due.SerializeAsString(), kNow};
}

}  // namespace

TEST_CASE(
    "a birthday coupon is issued once per customer, template and year, whatever the redelivery, with a "
    "per-user limit of 1 counting per year",
    "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 8, absl::Seconds(20), "birthday-coupons-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> all = events::SchemaMigrations();
  all.insert(all.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, all).ok());
  PgCouponStore store(**pool);
  REQUIRE(store.CreateTemplate(BirthdayTemplate("ct_bday", 100)).ok());
  REQUIRE(store.CreateTemplate(BirthdayTemplate("ct_scarce", 1)).ok());
  testing::FakeClock clock(kNow);
  testing::SequentialIds ids;
  events::Handler handler = MakeBirthdayCouponHandler(clock, ids);
  auto deliver = [&](const events::Event& event) {
    return (*pool)->Transact([&](pqxx::work& tx) { return handler(tx, event); });
  };
  auto count = [&](const std::string& sql) {
    int64_t n = 0;
    REQUIRE((*pool)
                ->Transact([&](pqxx::work& tx) {
                  n = tx.exec(sql)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  };

  // The same birthday delivered again, and as another event (a second emission), from 8 consumers at once.
  std::vector<std::thread> consumers;
  for (int i = 0; i < 8; ++i) {
    consumers.emplace_back([&, i] {
      CHECK(
          deliver(Due("birthday-coupon-due:u1:2026" + std::string(i % 2 ? "" : "-again"), "u1", "ct_bday", 2026)).ok());
    });
  }
  for (std::thread& t : consumers) t.join();
  CHECK(count("SELECT count(*) FROM coupons WHERE user_id = 'u1' AND template_id = 'ct_bday'") == 1);
  CHECK(count("SELECT count(*) FROM coupons WHERE user_id = 'u1' AND status = 'AVAILABLE' AND "
              "claim_request_id = 'birthday:ct_bday:2026' AND valid_until_at = claimed_at + interval '30 days'") == 1);
  CHECK(count("SELECT claimed_quantity FROM coupon_templates WHERE template_id = 'ct_bday'") == 1);
  CHECK(count("SELECT count(*) FROM outbox WHERE type = 'zhongtai.marketing.v1.CouponClaimed'") == 1);

  // Next year, another coupon despite a per-user limit of 1, redelivered from 8 consumers at once as well, with this
  // year's redelivered among them; another customer, theirs.
  std::vector<std::thread> next_year;
  for (int i = 0; i < 8; ++i) {
    next_year.emplace_back([&, i] {
      const int year = i % 4 == 3 ? 2026 : 2027;
      CHECK(deliver(Due(absl::StrCat("birthday-coupon-due:u1:", year, i % 2 ? "" : "-again"), "u1", "ct_bday", year))
                .ok());
    });
  }
  for (std::thread& t : next_year) t.join();
  REQUIRE(deliver(Due("birthday-coupon-due:u2:2026", "u2", "ct_bday", 2026)).ok());
  CHECK(count("SELECT count(*) FROM coupons WHERE user_id = 'u1'") == 2);
  CHECK(count("SELECT count(*) FROM coupons WHERE user_id = 'u1' AND claim_request_id = 'birthday:ct_bday:2027'") == 1);
  CHECK(count("SELECT count(*) FROM coupons WHERE user_id = 'u2'") == 1);
  CHECK(count("SELECT claimed_quantity FROM coupon_templates WHERE template_id = 'ct_bday'") == 3);

  // Sold out, an unknown template, a payload that does not parse, another user event: skipped, acknowledged.
  REQUIRE(deliver(Due("e1", "u3", "ct_scarce", 2026)).ok());
  CHECK(deliver(Due("e2", "u4", "ct_scarce", 2026)).ok());
  CHECK(count("SELECT count(*) FROM coupons WHERE template_id = 'ct_scarce'") == 1);
  CHECK(deliver(Due("e3", "u4", "ct_missing", 2026)).ok());
  CHECK(
      deliver({"e4", std::string(user::v1::BirthdayCouponDue::descriptor()->full_name()), "u4", "garbage", kNow}).ok());
  CHECK(deliver({"e5", "zhongtai.user.v1.TierChanged", "u4", "", kNow}).ok());
  CHECK(count("SELECT count(*) FROM coupons WHERE user_id = 'u4'") == 0);
}

}  // namespace zhongtai::marketing
