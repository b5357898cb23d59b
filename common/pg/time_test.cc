// The SQL time convention against a real PostgreSQL: microseconds survive the round trip exactly.
#include "common/pg/time.h"

#include <catch2/catch.hpp>
#include <pqxx/pqxx>

#include "common/testing/stores.h"

namespace zhongtai::pg {
namespace {

TEST_CASE("times cross the SQL boundary as exact microseconds", "[store]") {
  testing::TestDatabase db;
  pqxx::connection connection(db.dsn());
  pqxx::work tx(connection);
  const std::string round_trip =
      absl::StrCat("SELECT (extract(epoch from ", TimestampFromMicros(1), ") * 1000000)::bigint");
  for (int64_t micros : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1700000000123457}, int64_t{4102444799999999},
                         int64_t{1764748800000001}}) {
    INFO(micros);
    absl::Time t = absl::FromUnixMicros(micros);
    pqxx::result row = tx.exec_params(round_trip, Micros(t));
    CHECK(TimeFromMicros(row[0][0]) == t);
  }
  CHECK_FALSE(OptionalTimeFromMicros(tx.exec("SELECT NULL::bigint")[0][0]).has_value());
}

}  // namespace
}  // namespace zhongtai::pg
