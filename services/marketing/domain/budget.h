// Budgets: money a promotion or a coupon template may give away. Each placed order charges its discounts to them,
// all or none, and a cancelled order gives them back; both keyed by the order id. The rules here decide; the store
// runs them on the rows it has locked (BudgetStore).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"

namespace zhongtai::marketing {

enum class BudgetOwner { kPromotion, kCouponTemplate };

struct BudgetKey {
  BudgetOwner owner = BudgetOwner::kPromotion;
  std::string id;
  bool operator<(const BudgetKey& o) const { return std::tie(owner, id) < std::tie(o.owner, o.id); }
  bool operator==(const BudgetKey& o) const { return owner == o.owner && id == o.id; }
};

// One promotion's or template's part of an order's discount.
struct BudgetCharge {
  BudgetKey key;
  std::string currency;
  int64_t amount = 0;
};

// A budget as stored: what is left, in the owner's currency; no limit when remaining is empty.
struct Budget {
  BudgetKey key;
  std::string currency;
  std::optional<int64_t> remaining;
};

enum class OrderBudgetState { kCharged, kReleased };

// What an order holds.
struct OrderBudget {
  std::string order_id;
  OrderBudgetState state = OrderBudgetState::kCharged;
  std::vector<BudgetCharge> charges;
};

inline constexpr size_t kMaxChargesPerOrder = 100;

// INVALID_ARGUMENT with the field: order id, ids, positive amounts, currency codes, one charge per owner.
absl::Status ValidateCharges(const std::string& order_id, const std::vector<BudgetCharge>& charges);

// The budget once `charge` is taken from it. FAILED_PRECONDITION BUDGET_SPENT when what is left cannot cover it,
// INVALID_ARGUMENT CURRENCY_MISMATCH when the charge is in another currency. A budget without a limit always fits.
absl::StatusOr<Budget> Charged(const Budget& budget, const BudgetCharge& charge);

// The budget once `charge` comes back to it.
Budget Released(const Budget& budget, const BudgetCharge& charge);

// Charging an order that already has a record: a replay answers it; a released order cannot charge again
// (FAILED_PRECONDITION ORDER_BUDGET_RELEASED), so a late charge after a cancellation holds nothing forever.
absl::StatusOr<OrderBudget> ReplayCharge(const OrderBudget& existing);

// The charges in the order their budget rows are locked (owner, then id), so concurrent orders never deadlock.
std::vector<BudgetCharge> InLockOrder(std::vector<BudgetCharge> charges);

// Budgets in stores; each call is one transaction.
class BudgetStore {
 public:
  virtual ~BudgetStore() = default;
  // For an order without a record: locks the charged budgets InLockOrder, applies Charged to each and records
  // the order, all or none; NOT_FOUND BUDGET_OWNER_NOT_FOUND for an unknown promotion or template. For an order with
  // one: ReplayCharge.
  virtual absl::StatusOr<OrderBudget> Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges,
                                             absl::Time now) = 0;
  // Gives a charged order's charges back (Released) and marks it released; returns what went back (nothing when
  // there was no record or it was released already). An order without a record is recorded as released.
  virtual absl::StatusOr<std::vector<BudgetCharge>> Release(const std::string& order_id, absl::Time now) = 0;
};

// The use case the order center calls (CampaignService.ChargeBudgets / ReleaseBudgets).
class Budgets {
 public:
  Budgets(BudgetStore& store, Clock& clock) : store_(store), clock_(clock) {}
  absl::StatusOr<OrderBudget> Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges);
  absl::StatusOr<std::vector<BudgetCharge>> Release(const std::string& order_id);

 private:
  BudgetStore& store_;
  Clock& clock_;
};

}  // namespace zhongtai::marketing
