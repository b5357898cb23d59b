// The address book on a real PostgreSQL (label store): concurrent additions respect the limit of 20 and leave one
// default, replays of one request make one address, and another customer's address stays untouched.
#include "services/user/store/pg_address_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/user/store/pg_user_store.h"
#include "services/user/tests/in_memory_address_store.h"

namespace zhongtai::user {
namespace {

struct AddressDb {
  AddressDb() {
    auto opened = pg::Pool::Open({database.dsn(), 8, absl::Seconds(20), "address-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    REQUIRE(pg::Migrate(*pool, Migrations()).ok());
    PgUserStore users(*pool);
    for (const char* id : {"u1", "u2"}) {
      User user;
      user.user_id = id;
      user.email = std::string(id) + "@example.com";
      user.nickname = id;
      user.password_hash = "$argon2id$fake";
      user.created_at = clock.Now();
      REQUIRE(users.CreateUser(user).ok());
    }
  }
  int64_t Count(const std::string& sql, const std::string& arg) {
    int64_t value = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  value = tx.exec_params(sql, arg)[0][0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return value;
  }

  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  FakeClock clock;
};

AddressInput Beijing(const std::string& detail) {
  AddressInput input;
  input.recipient_name = "李四";
  input.recipient_phone = "13900139000";
  input.province_code = "110000";
  input.city_code = "110100";
  input.district_code = "110105";
  input.detail = detail;
  return input;
}

}  // namespace

TEST_CASE("30 concurrent additions keep the book at 20 with one default", "[store]") {
  AddressDb db;
  PgAddressStore store(*db.pool);
  testing::SequentialAddressIds ids;
  AddressBook book(store, ids, db.clock);
  std::atomic<int> added{0}, full{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 30; ++i) {
    threads.emplace_back([&, i] {
      AddressInput input = Beijing("room " + std::to_string(i));
      input.make_default = i % 3 == 0;
      auto result = book.Add("u1", input, "req-" + std::to_string(i));
      if (result.ok()) {
        ++added;
      } else if (ReasonOf(result.status()) == "ADDRESS_BOOK_FULL") {
        ++full;
      } else {
        ++other;
        UNSCOPED_INFO(result.status().ToString());
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(other == 0);
  CHECK(added == 20);
  CHECK(full == 10);
  CHECK(db.Count("SELECT count(*) FROM addresses WHERE user_id = $1", "u1") == 20);
  CHECK(db.Count("SELECT count(*) FROM addresses WHERE user_id = $1 AND is_default", "u1") == 1);
}

TEST_CASE("the address book on PostgreSQL: replays, defaults, deletes and other customers", "[store]") {
  AddressDb db;
  PgAddressStore store(*db.pool);
  testing::SequentialAddressIds ids;
  AddressBook book(store, ids, db.clock);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 10; ++i) {
    threads.emplace_back([&] {
      if (book.Add("u1", Beijing("home"), "same-request").ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 10);
  CHECK(db.Count("SELECT count(*) FROM addresses WHERE user_id = $1", "u1") == 1);

  db.clock.Advance(absl::Seconds(1));
  Address office = *book.Add("u1", Beijing("office"), "");
  Address home = book.List("u1")->front();
  CHECK(home.is_default);
  CHECK(home.detail == "home");
  REQUIRE(book.SetDefault("u1", office.address_id).ok());
  CHECK(book.List("u1")->front().address_id == office.address_id);
  CHECK(ReasonOf(book.Update("u2", office.address_id, Beijing("hijack")).status()) == "ADDRESS_NOT_FOUND");
  REQUIRE(book.Delete("u2", office.address_id).ok());
  CHECK(book.Get("u1", office.address_id)->detail == "office");
  REQUIRE(book.Delete("u1", office.address_id).ok());
  std::vector<Address> left = *book.List("u1");
  REQUIRE(left.size() == 1);
  CHECK(left[0].is_default);
  CHECK(ReasonOf(book.Add("nobody", Beijing("x"), "").status()) == "USER_NOT_FOUND");
}

}  // namespace zhongtai::user
