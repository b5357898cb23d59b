// What happens to coupons after they are claimed, driven by time and by the order center's events: a reminder
// before a coupon expires (CouponExpiringSoon for the data hub), a coupon back in the wallet when its order is
// fully refunded while it is still valid (and the order's budget charges back), and a safety net that releases a
// cancelled order's coupon and budgets when the order saga did not.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/budget.h"
#include "services/marketing/domain/coupon_model.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

// Whether `coupon` gets its expiry reminder at `now`: available, not reminded yet, and its validity ends within
// (now, now + lead].
bool DueForExpiryReminder(const Coupon& coupon, bool reminded, absl::Time now, absl::Duration lead);

// The coupon that `order_id` used, back in the wallet after a full refund: available again while still valid.
// nullopt when there is nothing to return (not used by this order, or no longer valid): a redelivery is a no-op.
std::optional<Coupon> ReturnedCoupon(const Coupon& coupon, const std::string& order_id, absl::Time now);

class CouponLifecycleStore {
 public:
  virtual ~CouponLifecycleStore() = default;
  // Marks up to `limit` coupons DueForExpiryReminder as reminded, each with its CouponExpiringSoon event in the same
  // transaction; returns how many.
  virtual absl::StatusOr<int> RemindExpiring(absl::Time now, absl::Duration lead, int limit) = 0;
  // ReturnedCoupon on the coupon the order used, with its CouponReturned event; nullopt when nothing came back.
  virtual absl::StatusOr<std::optional<WalletCoupon>> ReturnRefunded(const std::string& order_id, absl::Time now) = 0;
};

struct CouponLifecycleSettings {
  absl::Duration expiry_reminder_lead = absl::Hours(72);
  int sweep_batch = 500;
};

class CouponLifecycle {
 public:
  CouponLifecycle(CouponLifecycleStore& lifecycle, CouponStore& coupons, BudgetStore& budgets, Clock& clock,
                  CouponLifecycleSettings settings = {})
      : lifecycle_(lifecycle), coupons_(coupons), budgets_(budgets), clock_(clock), settings_(settings) {}

  // The daily sweep: reminds every coupon due, batch by batch; idempotent (each coupon once). Returns how many.
  absl::StatusOr<int> SweepExpiring();
  // A fully refunded order's coupon back in the wallet while valid, and its budget charges back in the budgets. A
  // partial refund changes nothing.
  absl::Status OnOrderRefunded(const std::string& order_id, bool full_refund);
  // The order is cancelled (or expired unpaid): whatever coupon and budgets it still holds go back.
  absl::Status OnOrderCancelled(const std::string& order_id);

 private:
  CouponLifecycleStore& lifecycle_;
  CouponStore& coupons_;
  BudgetStore& budgets_;
  Clock& clock_;
  CouponLifecycleSettings settings_;
};

}  // namespace zhongtai::marketing
