// The birthday coupon job on real PostgreSQL (label store): one BirthdayCouponDue per customer per year, whatever
// the number of runs or replicas.
#include "services/user/store/pg_birthday_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/domain/birthdays.h"
#include "services/user/store/pg_membership_store.h"
#include "services/user/store/pg_user_store.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::user {
namespace {

const absl::TimeZone kShop = absl::FixedTimeZone(8 * 3600);

User Customer(const std::string& id, const std::string& birthday) {
  User u;
  u.user_id = id;
  u.email = id + "@example.com";
  u.nickname = id;
  u.password_hash = "$argon2id$fake";
  u.created_at = absl::FromUnixSeconds(1700000000);
  u.birthday = birthday;
  return u;
}

std::vector<v1::BirthdayCouponDue> DueEvents(pg::Pool& pool) {
  std::vector<v1::BirthdayCouponDue> events;
  REQUIRE(pool.Transact([&](pqxx::work& tx) {
                events.clear();
                for (const pqxx::row& row : tx.exec(
                         "SELECT payload FROM outbox WHERE type = 'zhongtai.user.v1.BirthdayCouponDue' ORDER BY seq")) {
                  pqxx::binarystring bytes(row[0]);
                  v1::BirthdayCouponDue event;
                  REQUIRE(event.ParseFromString(bytes.str()));
                  events.push_back(event);
                }
                return absl::OkStatus();
              })
              .ok());
  return events;
}

}  // namespace

TEST_CASE("the birthday job asks for each customer's birthday coupon once per year, in the shop's time zone",
          "[store]") {
  zhongtai::testing::TestDatabase database;
  auto pool = pg::Pool::Open({database.dsn(), 8, absl::Seconds(5), "user-birthday-test"});
  REQUIRE(pool.ok());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(**pool, migrations).ok());
  PgUserStore users(**pool);
  for (const User& u :
       {Customer("u_ann", "1990-03-15"), Customer("u_bob", "1985-03-15"), Customer("u_cid", "1990-03-16"),
        Customer("u_dee", "1992-03-15"), Customer("u_eve", "2000-02-29"), Customer("u_fay", "")}) {
    REQUIRE(users.CreateUser(u).ok());
    REQUIRE(users.UpdateProfile(u).ok());
  }
  // Normal and gold have a birthday coupon, silver none. Bob is gold, Dee silver, the others normal (no row).
  REQUIRE((*pool)
              ->Transact([](pqxx::work& tx) {
                tx.exec(
                    "UPDATE membership_tiers SET birthday_coupon_template_id = 'ct_bday_normal' "
                    "WHERE tier = 'normal'");
                tx.exec("UPDATE membership_tiers SET birthday_coupon_template_id = 'ct_bday_gold' WHERE tier = 'gold'");
                tx.exec(
                    "INSERT INTO members (user_id, tier, tier_since, evaluated_at) VALUES "
                    "('u_bob', 'gold', now(), now()), ('u_dee', 'silver', now(), now())");
                return absl::OkStatus();
              })
              .ok());
  PgBirthdayStore store(**pool);
  PgMembershipStore tiers(**pool);
  // 2026-03-14 17:30 UTC is already 15 March in the shop (UTC+8).
  FakeClock clock(absl::FromCivil(absl::CivilSecond(2026, 3, 14, 17, 30, 0), absl::UTCTimeZone()));
  BirthdayCoupons job(store, tiers, clock, kShop);

  auto first = job.RunDaily();
  REQUIRE(first.ok());
  CHECK(*first == 2);  // Ann (normal) and Bob (gold); Dee's tier has no coupon, Cid's birthday is tomorrow
  std::vector<v1::BirthdayCouponDue> due = DueEvents(**pool);
  REQUIRE(due.size() == 2);
  CHECK(due[0].user_id() == "u_ann");
  CHECK(due[0].template_id() == "ct_bday_normal");
  CHECK(due[0].year() == 2026);
  CHECK(due[0].tier() == "normal");
  CHECK(due[1].user_id() == "u_bob");
  CHECK(due[1].template_id() == "ct_bday_gold");

  // Again the same day, and from several replicas at once: nothing more.
  clock.Advance(absl::Hours(3));
  std::atomic<int> more{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      BirthdayCoupons replica(store, tiers, clock, kShop);
      auto ran = replica.RunDaily();
      if (ran.ok()) more += *ran;
    });
  }
  for (std::thread& t : replicas) t.join();
  CHECK(more == 0);
  CHECK(DueEvents(**pool).size() == 2);

  // The next day: Cid, once, however many replicas run the job together.
  clock.Advance(absl::Hours(24));
  replicas.clear();
  for (int i = 0; i < 4; ++i) {
    replicas.emplace_back([&] {
      BirthdayCoupons replica(store, tiers, clock, kShop);
      auto ran = replica.RunDaily();
      if (ran.ok()) more += *ran;
    });
  }
  for (std::thread& t : replicas) t.join();
  CHECK(more == 1);
  CHECK(DueEvents(**pool).size() == 3);

  // A year later Ann and Bob are due again.
  clock.Set(absl::FromCivil(absl::CivilSecond(2027, 3, 15, 9, 0, 0), kShop));
  CHECK(*job.RunDaily() == 2);
  CHECK(DueEvents(**pool).back().year() == 2027);

  // Born on 29 February: celebrated on 28 February of a common year (2027), on the 29th of a leap year (2028).
  clock.Set(absl::FromCivil(absl::CivilSecond(2027, 2, 28, 9, 0, 0), kShop));
  CHECK(*job.RunDaily() == 1);
  CHECK(DueEvents(**pool).back().user_id() == "u_eve");
  clock.Set(absl::FromCivil(absl::CivilSecond(2028, 2, 28, 9, 0, 0), kShop));
  CHECK(*job.RunDaily() == 0);
  clock.Set(absl::FromCivil(absl::CivilSecond(2028, 2, 29, 9, 0, 0), kShop));
  CHECK(*job.RunDaily() == 1);
}

TEST_CASE("the birthday day of a civil date, with 29 February in common years") {
  BirthdayDay day = BirthdayDayOf(absl::FromCivil(absl::CivilSecond(2027, 2, 28, 23, 0, 0), kShop), kShop);
  CHECK(day.year == 2027);
  CHECK(day.month == 2);
  CHECK(day.day == 28);
  CHECK(day.with_leap_day);
  CHECK_FALSE(BirthdayDayOf(absl::FromCivil(absl::CivilSecond(2028, 2, 28, 9, 0, 0), kShop), kShop).with_leap_day);
  // New Year's Eve in UTC is already the 1st in the shop.
  BirthdayDay new_year =
      BirthdayDayOf(absl::FromCivil(absl::CivilSecond(2026, 12, 31, 20, 0, 0), absl::UTCTimeZone()), kShop);
  CHECK(new_year.year == 2027);
  CHECK(new_year.month == 1);
  CHECK(new_year.day == 1);
}

}  // namespace zhongtai::user
