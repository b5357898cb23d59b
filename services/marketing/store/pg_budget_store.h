// BudgetStore over PostgreSQL. The statements that take money from a budget are exposed for the test that checks
// they agree with Charged (domain/budget.h).
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/budget.h"

namespace zhongtai::marketing {

namespace budget_sql {
// Takes $2 from the budget of promotion $1 unless what is left cannot cover it: the SQL form of Charged's
// BUDGET_SPENT, the guard that spend never goes above the budget. No row: not covered (or no limit).
extern const char kDebitPromotion[];
// The same for coupon template $1.
extern const char kDebitCouponTemplate[];
}  // namespace budget_sql

class PgBudgetStore : public BudgetStore {
 public:
  explicit PgBudgetStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<OrderBudget> Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges,
                                     absl::Time now) override;
  absl::StatusOr<std::vector<BudgetCharge>> Release(const std::string& order_id, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
