// CouponLifecycleStore over PostgreSQL. The statement that picks the coupons due for a reminder is exposed for the
// test that checks it agrees with DueForExpiryReminder.
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/coupon_lifecycle.h"

namespace zhongtai::marketing {

namespace lifecycle_sql {
// Over coupons c, with $1 now and $2 now + lead in micros: the SQL form of DueForExpiryReminder.
extern const char kDueForExpiryReminder[];
}  // namespace lifecycle_sql

class PgCouponLifecycleStore : public CouponLifecycleStore {
 public:
  explicit PgCouponLifecycleStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<int> RemindExpiring(absl::Time now, absl::Duration lead, int limit) override;
  absl::StatusOr<std::optional<WalletCoupon>> ReturnRefunded(const std::string& order_id, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
