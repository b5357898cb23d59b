// CouponStore over PostgreSQL (common/pg). SQL lives here only; the statements that decide are exposed for the
// test that checks they agree with coupon_rules.h.
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

// The stream the coupon events go to (common/events).
inline constexpr char kMarketingEventStream[] = "zt.events.marketing";

namespace coupon_sql {
// Raises a template's claimed counter by one unless it is sold out ($1 template_id): the SQL form of
// CheckClaim's COUPON_SOLD_OUT, the guard that no claim goes over total_quantity. No row: sold out.
extern const char kTakeOneFromTemplate[];
// The status a wallet shows ($1 time in micros), over coupons c: EffectiveStatus in SQL.
extern const char kEffectiveStatus[];
}  // namespace coupon_sql

class PgCouponStore : public CouponStore {
 public:
  explicit PgCouponStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<CreateTemplateResult> CreateTemplate(const CouponTemplate& coupon_template) override;
  absl::StatusOr<std::vector<CouponTemplate>> ListClaimable(absl::Time now) override;
  absl::StatusOr<ClaimResult> Claim(const std::string& template_id, const std::string& user_id,
                                    const std::string& request_id, const std::string& coupon_id, absl::Time now,
                                    const ClaimDevice& device = {}) override;
  absl::StatusOr<std::optional<WalletCoupon>> Get(const std::string& coupon_id) override;
  absl::StatusOr<std::vector<WalletCoupon>> ListWallet(const std::string& user_id, std::optional<CouponStatus> status,
                                                       absl::Time now) override;
  absl::StatusOr<WalletCoupon> Lock(const std::string& coupon_id, const std::string& order_id,
                                    const std::string& user_id, absl::Time now) override;
  absl::StatusOr<WalletCoupon> Redeem(const std::string& order_id, absl::Time now) override;
  absl::StatusOr<std::optional<WalletCoupon>> Release(const std::string& order_id, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
