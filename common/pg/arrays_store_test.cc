// The array literals and TextArray against a real PostgreSQL: what is bound comes back element for element.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "common/pg/arrays.h"
#include "common/pg/pool.h"
#include "common/testing/stores.h"

namespace zhongtai::pg {
namespace {

TEST_CASE("a text[] bound from TextArrayLiteral reads back through TextArray, quotes, commas and NULLs included") {
  testing::TestDatabase db;
  auto pool = Pool::Open({db.dsn(), 1, absl::Seconds(2), "test"});
  REQUIRE(pool.ok());
  const std::vector<std::string> values = {"plain", "with, comma", "say \"hi\"", "back\\slash", "", "颜色 红"};
  std::vector<std::string> read;
  std::vector<std::string> with_null;
  std::vector<std::string> bigints;
  REQUIRE((*pool)
              ->Transact([&](pqxx::work& tx) {
                read = TextArray(tx.exec_params1("SELECT $1::text[]", TextArrayLiteral(values))[0]);
                with_null = TextArray(tx.exec1("SELECT ARRAY['a', NULL, 'b']::text[]")[0]);
                bigints = TextArray(tx.exec_params1("SELECT $1::bigint[]", BigintArrayLiteral({-5, 0, 42}))[0]);
                return absl::OkStatus();
              })
              .ok());
  CHECK(read == values);
  CHECK(with_null == std::vector<std::string>{"a", "b"});
  CHECK(bigints == std::vector<std::string>{"-5", "0", "42"});
}

}  // namespace
}  // namespace zhongtai::pg
