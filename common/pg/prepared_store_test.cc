// Exec against a real PostgreSQL: a statement constant is prepared once per connection and its later calls run the
// same prepared statement; an array whose text changes at the same address runs its new text.
#include <catch2/catch.hpp>
#include <cstring>
#include <string>

#include "common/pg/pool.h"
#include "common/pg/prepared.h"
#include "common/testing/stores.h"

namespace zhongtai::pg {
namespace {

constexpr char kAddSql[] = "SELECT $1::bigint + $2::bigint";

TEST_CASE("a statement constant is prepared once per connection and answers every call with its own parameters") {
  testing::TestDatabase db;
  auto pool = Pool::Open({db.dsn(), 1, absl::Seconds(2), "test"});
  REQUIRE(pool.ok());
  int64_t sum = 0, prepared = 0;
  std::string name;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                for (int i = 0; i < 10; ++i) sum += Exec(tx, kAddSql, i, 100)[0][0].as<int64_t>();
                pqxx::row row = tx.exec1(
                    "SELECT count(*), min(name) FROM pg_prepared_statements WHERE statement = 'SELECT $1::bigint + "
                    "$2::bigint'");
                prepared = row[0].as<int64_t>();
                name = row[1].as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(sum == 45 + 1000);
  CHECK(prepared == 1);
  CHECK(name == PreparedName(kAddSql));
}

TEST_CASE("an array that holds another statement at the same address runs the statement it holds now") {
  testing::TestDatabase db;
  auto pool = Pool::Open({db.dsn(), 1, absl::Seconds(2), "test"});
  REQUIRE(pool.ok());
  char sql[] = "SELECT 'first'::text  ";
  std::string first, second;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                first = Exec(tx, sql)[0][0].as<std::string>();
                std::memcpy(sql, "SELECT 'other'::text  ", sizeof sql);
                second = Exec(tx, sql)[0][0].as<std::string>();
                return absl::OkStatus();
              })
              .ok());
  CHECK(first == "first");
  CHECK(second == "other");
}

}  // namespace
}  // namespace zhongtai::pg
