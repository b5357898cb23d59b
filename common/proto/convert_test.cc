#include "common/proto/convert.h"

#include <catch2/catch.hpp>

namespace zhongtai::proto {
namespace {

TEST_CASE("ToTimestamp keeps microseconds, ToTimestampExact nanoseconds, FromTimestamp reads both back") {
  const absl::Time t = absl::FromUnixSeconds(1764720000) + absl::Nanoseconds(123456789);
  google::protobuf::Timestamp micros = ToTimestamp(t);
  CHECK(micros.seconds() == 1764720000);
  CHECK(micros.nanos() == 123456000);
  google::protobuf::Timestamp exact = ToTimestampExact(t);
  CHECK(exact.seconds() == 1764720000);
  CHECK(exact.nanos() == 123456789);
  CHECK(FromTimestamp(exact) == t);
  CHECK(FromTimestamp(micros) == t - absl::Nanoseconds(789));
}

TEST_CASE("Times before 1970 keep non-negative nanos") {
  const absl::Time t = absl::FromUnixSeconds(-10) + absl::Milliseconds(250);
  google::protobuf::Timestamp ts = ToTimestampExact(t);
  CHECK(ts.seconds() == -10);
  CHECK(ts.nanos() == 250000000);
  CHECK(FromTimestamp(ToTimestamp(t)) == t);
}

TEST_CASE("IsValidTimestamp accepts 0001-01-01 to 9999-12-31 with nanos in range, nothing else") {
  google::protobuf::Timestamp ts;
  CHECK(IsValidTimestamp(ts));
  ts.set_seconds(-62135596800);
  CHECK(IsValidTimestamp(ts));
  ts.set_seconds(-62135596801);
  CHECK_FALSE(IsValidTimestamp(ts));
  ts.set_seconds(253402300799);
  ts.set_nanos(999999999);
  CHECK(IsValidTimestamp(ts));
  ts.set_seconds(253402300800);
  CHECK_FALSE(IsValidTimestamp(ts));
  ts.set_seconds(0);
  ts.set_nanos(-1);
  CHECK_FALSE(IsValidTimestamp(ts));
  ts.set_nanos(1000000000);
  CHECK_FALSE(IsValidTimestamp(ts));
}

TEST_CASE("SetMoney sets currency and minor units") {
  type::v1::Money money;
  SetMoney(&money, "CNY", 1999);
  CHECK(money.currency() == "CNY");
  CHECK(money.amount_minor() == 1999);
}

}  // namespace
}  // namespace zhongtai::proto
