// CouponIssueStore over PostgreSQL: the issue jobs, and one coupon per (template, user, issue) in the coupons table
// under the template's row lock (the same lock and counter as claims, so issues and claims never exceed the total).
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/coupon_issue.h"

namespace zhongtai::marketing {

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
