// BirthdayStore over PostgreSQL (migration 0013): birthday_coupons keyed by (user, year), each row written with its
// BirthdayCouponDue event in one transaction. SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/birthdays.h"

namespace zhongtai::user {

class PgBirthdayStore : public BirthdayStore {
 public:
  explicit PgBirthdayStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<BirthdayDue>> DueBirthdays(const BirthdayDay& day, const std::vector<Tier>& tiers,
                                                        int limit) override;
  absl::StatusOr<bool> RecordBirthdayCoupon(const std::string& user_id, int year, Tier tier,
                                            const std::string& template_id, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
