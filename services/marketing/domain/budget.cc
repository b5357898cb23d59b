#include "services/marketing/domain/budget.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

bool IsCurrencyCode(const std::string& code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

}  // namespace

absl::Status ValidateCharges(const std::string& order_id, const std::vector<BudgetCharge>& charges) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  if (charges.size() > kMaxChargesPerOrder) {
    return InvalidArgument("charges", "TOO_MANY_CHARGES", "at most 100 charges per order");
  }
  std::set<BudgetKey> seen;
  for (size_t i = 0; i < charges.size(); ++i) {
    const BudgetCharge& c = charges[i];
    const std::string at = absl::StrCat("charges[", i, "]");
    if (c.key.id.empty() || c.key.id.size() > 100) {
      return InvalidArgument(at + ".promotionId", "BUDGET_OWNER_MISSING",
                             "each charge names one promotion or one coupon template");
    }
    if (c.amount <= 0)
      return InvalidArgument(at + ".amount.amountMinor", "AMOUNT_NOT_POSITIVE", "amount must be positive");
    if (!IsCurrencyCode(c.currency)) {
      return InvalidArgument(at + ".amount.currency", "CURRENCY_INVALID", "currency must be an ISO 4217 code");
    }
    if (!seen.insert(c.key).second) {
      return InvalidArgument(at, "DUPLICATE_CHARGE", "one charge per promotion or coupon template");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Budget> Charged(const Budget& budget, const BudgetCharge& charge) {
  if (charge.currency != budget.currency) {
    return InvalidArgument("charges", "CURRENCY_MISMATCH", "the charge is not in the budget's currency");
  }
  Budget out = budget;
  if (!budget.remaining.has_value()) return out;
  if (*budget.remaining < charge.amount) {
    return FailedPrecondition("BUDGET_SPENT",
                              absl::StrCat("the budget of ", budget.key.id, " cannot cover the discount"));
  }
  out.remaining = *budget.remaining - charge.amount;
  return out;
}

Budget Released(const Budget& budget, const BudgetCharge& charge) {
  Budget out = budget;
  if (out.remaining.has_value()) out.remaining = *out.remaining + charge.amount;
  return out;
}

absl::StatusOr<OrderBudget> ReplayCharge(const OrderBudget& existing) {
  if (existing.state == OrderBudgetState::kReleased) {
    return FailedPrecondition("ORDER_BUDGET_RELEASED", "the order's budgets were released; it cannot charge again");
  }
  return existing;
}

std::vector<BudgetCharge> InLockOrder(std::vector<BudgetCharge> charges) {
  std::sort(charges.begin(), charges.end(), [](const BudgetCharge& a, const BudgetCharge& b) { return a.key < b.key; });
  return charges;
}

absl::StatusOr<OrderBudget> Budgets::Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges) {
  RETURN_IF_ERROR(ValidateCharges(order_id, charges));
  return store_.Charge(order_id, InLockOrder(charges), clock_.Now());
}

absl::StatusOr<std::vector<BudgetCharge>> Budgets::Release(const std::string& order_id) {
  if (order_id.empty()) return InvalidArgument("orderId", "ORDER_ID_MISSING", "order id is required");
  return store_.Release(order_id, clock_.Now());
}

}  // namespace zhongtai::marketing
