// Birthday coupons: each day (in the shop's time zone) every customer whose birthday it is gets the birthday coupon
// of their tier (the tier table's birthday_coupon_template_id), once per customer per year. The user center only
// says so (a BirthdayCouponDue event); the marketing center issues the coupon to the customer's wallet.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/membership_model.h"
#include "services/user/domain/membership_ports.h"

namespace zhongtai::user {

// The birthdays celebrated on a civil day: that month and day, and on 28 February of a common year also those born
// on 29 February.
struct BirthdayDay {
  int year = 0;
  int month = 0;
  int day = 0;
  bool with_leap_day = false;
};
BirthdayDay BirthdayDayOf(absl::Time now, absl::TimeZone zone);

struct BirthdayDue {
  std::string user_id;
  Tier tier = Tier::kNormal;
};

class BirthdayStore {
 public:
  virtual ~BirthdayStore() = default;
  // Customers (not erased) born on `day` (see BirthdayDay), at one of `tiers` (a customer with no membership row is
  // at the normal tier), with no birthday coupon recorded for day.year; at most `limit`.
  virtual absl::StatusOr<std::vector<BirthdayDue>> DueBirthdays(const BirthdayDay& day, const std::vector<Tier>& tiers,
                                                                int limit) = 0;
  // Atomically: records the customer's birthday coupon of `year` and writes BirthdayCouponDue (user id, template,
  // year) to the outbox; false (and nothing written) when one was recorded for that year before.
  virtual absl::StatusOr<bool> RecordBirthdayCoupon(const std::string& user_id, int year, Tier tier,
                                                    const std::string& template_id, absl::Time now) = 0;
};

class BirthdayCoupons {
 public:
  BirthdayCoupons(BirthdayStore& store, MembershipStore& tiers, Clock& clock, absl::TimeZone shop_zone)
      : store_(store), tiers_(tiers), clock_(clock), shop_zone_(shop_zone) {}

  // Today's birthdays (shop time zone) not yet served this year: one BirthdayCouponDue each. Idempotent: run it as
  // often as you like (the periodic sweep does, hourly); a second run the same day finds nothing. Tiers without a
  // birthday coupon template are left out. Returns how many events it wrote.
  absl::StatusOr<int> RunDaily();

 private:
  BirthdayStore& store_;
  MembershipStore& tiers_;
  Clock& clock_;
  absl::TimeZone shop_zone_;
};

}  // namespace zhongtai::user
