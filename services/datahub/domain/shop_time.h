// Days in the shop's time zone: the dashboard's "today" and its by-day breakdown. Plain C++ over absl time.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"

namespace zhongtai::datahub {

// Longest range the dashboard breaks down by day; a longer one has totals and channels only.
inline constexpr int kMaxDashboardDays = 366;

// One calendar day of the shop, clipped to the range asked for: [start, end).
struct ShopDay {
  absl::CivilDay day;
  absl::Time start;
  absl::Time end;
};

// [midnight, next midnight) of the shop's day that contains `now`. A day is 23 or 25 hours where the zone
// changes its clock.
struct TimeRange {
  absl::Time start;
  absl::Time end;
};
TimeRange ShopToday(absl::Time now, const absl::TimeZone& zone);

// The shop days that [start, end) touches, in order, the first and last clipped to the range; none when they would
// be more than kMaxDashboardDays. INVALID_ARGUMENT (field endTime, INVALID_TIME_RANGE) for an empty range.
absl::StatusOr<std::vector<ShopDay>> ShopDays(absl::Time start, absl::Time end, const absl::TimeZone& zone);

// The index in `days` of the day containing t; -1 when t is outside them all.
int DayIndexOf(const std::vector<ShopDay>& days, absl::Time t);

// "2026-12-03".
std::string DayLabel(absl::CivilDay day);

}  // namespace zhongtai::datahub
