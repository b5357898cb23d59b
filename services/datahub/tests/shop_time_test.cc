#include "services/datahub/domain/shop_time.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

absl::TimeZone Zone(const char* name) {
  absl::TimeZone zone;
  REQUIRE(absl::LoadTimeZone(name, &zone));
  return zone;
}

absl::Time Utc(int y, int m, int d, int h, int min = 0) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, h, min), absl::UTCTimeZone());
}

TEST_CASE("Today in Shanghai starts at 16:00 UTC of the day before") {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  // 2026-12-03 01:30 UTC is 09:30 in Shanghai, on the 3rd.
  TimeRange today = ShopToday(Utc(2026, 12, 3, 1, 30), shanghai);
  CHECK(today.start == Utc(2026, 12, 2, 16));
  CHECK(today.end == Utc(2026, 12, 3, 16));
  // 2026-12-03 17:00 UTC is already the 4th in Shanghai.
  CHECK(ShopToday(Utc(2026, 12, 3, 17), shanghai).start == Utc(2026, 12, 3, 16));
}

TEST_CASE("A range is cut into the shop's days, the ends clipped, and each time finds its day") {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  auto days = ShopDays(Utc(2026, 12, 1, 10), Utc(2026, 12, 3, 2), shanghai);
  REQUIRE(days.ok());
  REQUIRE(days->size() == 3);  // Shanghai days 1st (from 18:00), 2nd, 3rd (to 10:00)
  CHECK(DayLabel((*days)[0].day) == "2026-12-01");
  CHECK((*days)[0].start == Utc(2026, 12, 1, 10));
  CHECK((*days)[0].end == Utc(2026, 12, 1, 16));
  CHECK(DayLabel((*days)[1].day) == "2026-12-02");
  CHECK((*days)[1].start == Utc(2026, 12, 1, 16));
  CHECK((*days)[1].end == Utc(2026, 12, 2, 16));
  CHECK((*days)[2].end == Utc(2026, 12, 3, 2));

  CHECK(DayIndexOf(*days, Utc(2026, 12, 1, 9)) == -1);
  CHECK(DayIndexOf(*days, Utc(2026, 12, 1, 10)) == 0);
  CHECK(DayIndexOf(*days, Utc(2026, 12, 1, 15, 59)) == 0);
  CHECK(DayIndexOf(*days, Utc(2026, 12, 1, 16)) == 1);  // midnight in Shanghai
  CHECK(DayIndexOf(*days, Utc(2026, 12, 3, 1)) == 2);
  CHECK(DayIndexOf(*days, Utc(2026, 12, 3, 2)) == -1);  // the end is excluded
}

TEST_CASE("A day where the clocks change is 23 hours long") {
  const absl::TimeZone berlin = Zone("Europe/Berlin");
  auto days = ShopDays(absl::FromCivil(absl::CivilDay(2026, 3, 29), berlin),
                       absl::FromCivil(absl::CivilDay(2026, 3, 30), berlin), berlin);
  REQUIRE(days.ok());
  REQUIRE(days->size() == 1);
  CHECK((*days)[0].end - (*days)[0].start == absl::Hours(23));
}

TEST_CASE("An empty range is refused, one of more than 366 days has no days") {
  const absl::TimeZone shanghai = Zone("Asia/Shanghai");
  auto empty = ShopDays(Utc(2026, 12, 1, 0), Utc(2026, 12, 1, 0), shanghai);
  CHECK(ReasonOf(empty.status()) == "INVALID_TIME_RANGE");
  CHECK(FieldOf(empty.status()) == "endTime");
  auto years = ShopDays(Utc(2025, 1, 1, 0), Utc(2026, 12, 1, 0), shanghai);
  REQUIRE(years.ok());
  CHECK(years->empty());
  auto year = ShopDays(Utc(2025, 12, 1, 16), Utc(2026, 12, 1, 16), shanghai);
  REQUIRE(year.ok());
  CHECK(year->size() == 365);
}

}  // namespace
}  // namespace zhongtai::datahub
