#include "services/user/domain/birthdays.h"

#include <map>

#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::user {

BirthdayDay BirthdayDayOf(absl::Time now, absl::TimeZone zone) {
  const absl::CivilDay today = absl::ToCivilDay(now, zone);
  BirthdayDay day;
  day.year = static_cast<int>(today.year());
  day.month = today.month();
  day.day = today.day();
  // 29 February does not exist this year: those born on it celebrate on the 28th.
  if (day.month == 2 && day.day == 28) {
    day.with_leap_day = absl::CivilDay(today.year(), 2, 29).month() != 2;
  }
  return day;
}

absl::StatusOr<int> BirthdayCoupons::RunDaily() {
  constexpr int kBatch = 200;
  ASSIGN_OR_RETURN(TierTable table, tiers_.LoadTiers());
  std::map<Tier, std::string> templates;
  std::vector<Tier> tiers;
  for (const TierRule& rule : table.rules) {
    if (rule.birthday_coupon_template_id.empty()) continue;
    templates[rule.tier] = rule.birthday_coupon_template_id;
    tiers.push_back(rule.tier);
  }
  if (tiers.empty()) return 0;
  const absl::Time now = clock_.Now();
  const BirthdayDay day = BirthdayDayOf(now, shop_zone_);
  int sent = 0;
  for (int round = 0; round < 1000; ++round) {
    ASSIGN_OR_RETURN(std::vector<BirthdayDue> due, store_.DueBirthdays(day, tiers, kBatch));
    int failed = 0;
    for (const BirthdayDue& member : due) {
      absl::StatusOr<bool> recorded =
          store_.RecordBirthdayCoupon(member.user_id, day.year, member.tier, templates[member.tier], clock_.Now());
      if (!recorded.ok()) {
        ++failed;
        log::Error("birthday coupon not recorded",
                   {{"user_id", member.user_id}, {"error", recorded.status().ToString()}});
      } else if (*recorded) {
        ++sent;
      }
    }
    if (static_cast<int>(due.size()) < kBatch || failed == static_cast<int>(due.size())) break;
  }
  if (sent > 0) log::Info("birthday coupons due", {{"count", std::to_string(sent)}});
  return sent;
}

}  // namespace zhongtai::user
