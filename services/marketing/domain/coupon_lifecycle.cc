#include "services/marketing/domain/coupon_lifecycle.h"

#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::marketing {

bool DueForExpiryReminder(const Coupon& c, bool reminded, absl::Time now, absl::Duration lead) {
  return c.status == CouponStatus::kAvailable && !reminded && c.valid_until > now && c.valid_until <= now + lead;
}

std::optional<Coupon> ReturnedCoupon(const Coupon& c, const std::string& order_id, absl::Time now) {
  if (c.status != CouponStatus::kUsed || c.order_id != order_id || order_id.empty()) return std::nullopt;
  if (now >= c.valid_until) return std::nullopt;
  Coupon back = c;
  back.status = CouponStatus::kAvailable;
  back.order_id.clear();
  return back;
}

absl::StatusOr<int> CouponLifecycle::SweepExpiring() {
  int total = 0;
  const absl::Time now = clock_.Now();
  for (;;) {
    ASSIGN_OR_RETURN(int reminded,
                     lifecycle_.RemindExpiring(now, settings_.expiry_reminder_lead, settings_.sweep_batch));
    total += reminded;
    if (reminded < settings_.sweep_batch) break;
  }
  if (total > 0) log::Info("coupon expiry reminders sent", {{"count", std::to_string(total)}});
  return total;
}

absl::Status CouponLifecycle::OnOrderRefunded(const std::string& order_id, bool full_refund) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  if (!full_refund) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<WalletCoupon> back, lifecycle_.ReturnRefunded(order_id, clock_.Now()));
  if (back) log::Info("coupon returned after refund", {{"coupon_id", back->coupon.coupon_id}, {"order_id", order_id}});
  // The discounts were given back with the money: so is the money they took from the budgets (once, however often the
  // event arrives).
  ASSIGN_OR_RETURN(std::vector<BudgetCharge> returned, budgets_.Release(order_id, clock_.Now()));
  if (!returned.empty()) log::Info("budgets returned after refund", {{"order_id", order_id}});
  return absl::OkStatus();
}

absl::Status CouponLifecycle::OnOrderCancelled(const std::string& order_id) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  RETURN_IF_ERROR(coupons_.Release(order_id, clock_.Now()).status());
  return budgets_.Release(order_id, clock_.Now()).status();
}

}  // namespace zhongtai::marketing
