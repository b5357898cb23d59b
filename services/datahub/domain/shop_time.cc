#include "services/datahub/domain/shop_time.h"

#include <algorithm>

#include "absl/strings/str_format.h"
#include "common/status/status.h"

namespace zhongtai::datahub {

TimeRange ShopToday(absl::Time now, const absl::TimeZone& zone) {
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  return {absl::FromCivil(today, zone), absl::FromCivil(today + 1, zone)};
}

absl::StatusOr<std::vector<ShopDay>> ShopDays(absl::Time start, absl::Time end, const absl::TimeZone& zone) {
  if (end <= start) return InvalidArgument("endTime", "INVALID_TIME_RANGE", "end_time must be after start_time");
  const absl::CivilDay first = absl::ToCivilDay(start, zone);
  // The day of the last instant inside the range (end is exclusive).
  const absl::CivilDay last = absl::ToCivilDay(end - absl::Nanoseconds(1), zone);
  std::vector<ShopDay> days;
  if (last - first + 1 > kMaxDashboardDays) return days;
  for (absl::CivilDay day = first; day <= last; ++day) {
    days.push_back({day, std::max(start, absl::FromCivil(day, zone)), std::min(end, absl::FromCivil(day + 1, zone))});
  }
  return days;
}

int DayIndexOf(const std::vector<ShopDay>& days, absl::Time t) {
  auto it = std::upper_bound(days.begin(), days.end(), t, [](absl::Time x, const ShopDay& d) { return x < d.start; });
  if (it == days.begin()) return -1;
  --it;
  if (t >= it->end) return -1;
  return static_cast<int>(it - days.begin());
}

std::string DayLabel(absl::CivilDay day) { return absl::FormatCivilTime(day); }

}  // namespace zhongtai::datahub
