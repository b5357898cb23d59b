// CouponIssueStore over PostgreSQL: the issue jobs, and one coupon per (template, user, issue) in the coupons table
// under the template's row lock (the same lock and counter as claims, so issues and claims never exceed the total).
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/coupon_issue.h"

namespace zhongtai::marketing {

// Whose coupons a template's per-user limit counts when issuing.
enum class UserLimitScope {
  kLifetime,  // every coupon of the template the user ever got (claims, issues)
  kClaimKey,  // only the coupons given under the same claim key: the birthday coupon's key is per year, so a limit
              // of 1 means one a year (the lifetime count would block next year's)
};

// In the caller's transaction: gives `user_id` one coupon of `template_id` as `coupon_id`, idempotent on
// (user_id, claim_key) (kAlreadyIssued when that key gave the user a coupon before), per DecideIssue under the
// template's row lock, with its CouponClaimed event. NOT_FOUND COUPON_TEMPLATE_NOT_FOUND. Issue jobs key by issue
// (IssueClaimKey) and count the limit over the user's lifetime; the birthday coupon keys by template and year and
// counts it per key.
absl::StatusOr<IssueOutcome> IssueCouponInTx(pqxx::work& tx, const std::string& template_id, const std::string& user_id,
                                             const std::string& claim_key, const std::string& coupon_id, absl::Time now,
                                             UserLimitScope limit_scope = UserLimitScope::kLifetime);

class PgCouponIssueStore : public CouponIssueStore {
 public:
  explicit PgCouponIssueStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<CreateResult> Create(const CouponIssue& issue, absl::Time now) override;
  absl::StatusOr<std::optional<CouponIssue>> TakeRunnable(absl::Time now, absl::Duration lease) override;
  absl::StatusOr<IssueOutcome> IssueOne(const CouponIssue& issue, const std::string& user_id,
                                        const std::string& coupon_id, absl::Time now) override;
  absl::Status SaveProgress(const CouponIssue& issue, absl::Time now, absl::Duration lease) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
