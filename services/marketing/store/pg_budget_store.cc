#include "services/marketing/store/pg_budget_store.h"

#include "absl/strings/str_cat.h"
#include "common/pg/time.h"
#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai::marketing {

namespace budget_sql {
const char kDebitPromotion[] =
    "UPDATE promotions SET budget_remaining_minor = budget_remaining_minor - $2 "
    "WHERE promotion_id = $1 AND budget_remaining_minor >= $2 RETURNING budget_remaining_minor";
const char kDebitCouponTemplate[] =
    "UPDATE coupon_templates SET budget_remaining_minor = budget_remaining_minor - $2 "
    "WHERE template_id = $1 AND budget_remaining_minor >= $2 RETURNING budget_remaining_minor";
}  // namespace budget_sql

namespace {

using pg::Micros;

// order_budget_charges.owner_kind (0005_campaigns.sql) in enum order.
constexpr const char* kOwnerTexts[] = {"PROMOTION", "COUPON_TEMPLATE"};

// The budget row of an owner, locked until the transaction ends.
constexpr char kLockPromotionBudget[] =
    "SELECT currency, budget_remaining_minor FROM promotions WHERE promotion_id = $1 FOR UPDATE";
constexpr char kLockCouponTemplateBudget[] =
    "SELECT currency, budget_remaining_minor FROM coupon_templates WHERE template_id = $1 FOR UPDATE";
constexpr char kCreditPromotion[] =
    "UPDATE promotions SET budget_remaining_minor = budget_remaining_minor + $2 "
    "WHERE promotion_id = $1 AND budget_remaining_minor IS NOT NULL";
constexpr char kCreditCouponTemplate[] =
    "UPDATE coupon_templates SET budget_remaining_minor = budget_remaining_minor + $2 "
    "WHERE template_id = $1 AND budget_remaining_minor IS NOT NULL";

// Concurrent calls for one order queue on this row: the loser of the insert waits for the winner's commit, then
// finds its record.
constexpr char kRecordCharged[] =
    "INSERT INTO order_budgets (order_id, state, charged_at) VALUES ($1, 'CHARGED', zt_ts($2)) "
    "ON CONFLICT (order_id) DO NOTHING RETURNING order_id";
constexpr char kRecordReleasedUnlessCharged[] =
    "INSERT INTO order_budgets (order_id, state, released_at) VALUES ($1, 'RELEASED', zt_ts($2)) "
    "ON CONFLICT (order_id) DO NOTHING RETURNING order_id";
constexpr char kLockOrder[] = "SELECT state FROM order_budgets WHERE order_id = $1 FOR UPDATE";
constexpr char kOrderCharges[] =
    "SELECT owner_kind, owner_id, currency, amount_minor FROM order_budget_charges WHERE order_id = $1 "
    "ORDER BY owner_kind, owner_id";
constexpr char kInsertCharge[] =
    "INSERT INTO order_budget_charges (order_id, owner_kind, owner_id, currency, amount_minor) "
    "VALUES ($1, $2, $3, $4, $5)";
constexpr char kMarkReleased[] =
    "UPDATE order_budgets SET state = 'RELEASED', released_at = zt_ts($2) WHERE order_id = $1";

const char* OwnerText(BudgetOwner owner) { return kOwnerTexts[static_cast<int>(owner)]; }

std::vector<BudgetCharge> ReadCharges(pqxx::work& tx, const std::string& order_id) {
  std::vector<BudgetCharge> out;
  for (const auto& row : tx.exec_params(kOrderCharges, order_id)) {
    BudgetCharge c;
    c.key.owner = row[0].as<std::string>() == kOwnerTexts[1] ? BudgetOwner::kCouponTemplate : BudgetOwner::kPromotion;
    c.key.id = row[1].as<std::string>();
    c.currency = row[2].as<std::string>();
    c.amount = row[3].as<int64_t>();
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<Budget> LockBudget(pqxx::work& tx, const BudgetKey& key) {
  pqxx::result rows =
      tx.exec_params(key.owner == BudgetOwner::kPromotion ? kLockPromotionBudget : kLockCouponTemplateBudget, key.id);
  if (rows.empty()) {
    return WithDetails(NotFound("BUDGET_OWNER_NOT_FOUND", "no such promotion or coupon template"),
                       absl::StrCat("[{\"id\":\"", key.id, "\"}]"));
  }
  Budget budget;
  budget.key = key;
  budget.currency = rows[0][0].as<std::string>();
  if (!rows[0][1].is_null()) budget.remaining = rows[0][1].as<int64_t>();
  return budget;
}

// Named so that the order center (and its operator) can tell which promotion ran out.
absl::Status Spent(const absl::Status& status, const BudgetKey& key) {
  if (ReasonOf(status) != "BUDGET_SPENT") return status;
  return WithDetails(
      status, absl::StrCat("[{\"", key.owner == BudgetOwner::kPromotion ? "promotionId" : "couponTemplateId", "\":\"",
                           key.id, "\"}]"));
}

}  // namespace

absl::StatusOr<OrderBudget> PgBudgetStore::Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges,
                                                  absl::Time now) {
  OrderBudget result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    result = OrderBudget{order_id, OrderBudgetState::kCharged, {}};
    if (tx.exec_params(kRecordCharged, order_id, Micros(now)).empty()) {
      OrderBudget existing{order_id, OrderBudgetState::kCharged, ReadCharges(tx, order_id)};
      pqxx::result state = tx.exec_params(kLockOrder, order_id);
      if (!state.empty() && state[0][0].as<std::string>() == "RELEASED") existing.state = OrderBudgetState::kReleased;
      ASSIGN_OR_RETURN(result, ReplayCharge(existing));
      return absl::OkStatus();
    }
    for (const BudgetCharge& charge : InLockOrder(charges)) {
      ASSIGN_OR_RETURN(Budget budget, LockBudget(tx, charge.key));
      absl::StatusOr<Budget> charged = Charged(budget, charge);
      if (!charged.ok()) return Spent(charged.status(), charge.key);
      if (budget.remaining.has_value()) {
        const char* debit = charge.key.owner == BudgetOwner::kPromotion ? budget_sql::kDebitPromotion
                                                                        : budget_sql::kDebitCouponTemplate;
        if (tx.exec_params(debit, charge.key.id, charge.amount).empty()) {
          return Internal("BUDGET_RULE_DISAGREES", "the budget's SQL guard refused what its rule allowed");
        }
      }
      tx.exec_params(kInsertCharge, order_id, OwnerText(charge.key.owner), charge.key.id, charge.currency,
                     charge.amount);
      result.charges.push_back(charge);
    }
    return absl::OkStatus();
  }));
  return result;
}

absl::StatusOr<std::vector<BudgetCharge>> PgBudgetStore::Release(const std::string& order_id, absl::Time now) {
  std::vector<BudgetCharge> released;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    released.clear();
    if (!tx.exec_params(kRecordReleasedUnlessCharged, order_id, Micros(now)).empty()) return absl::OkStatus();
    pqxx::result state = tx.exec_params(kLockOrder, order_id);
    if (state.empty() || state[0][0].as<std::string>() == "RELEASED") return absl::OkStatus();
    for (const BudgetCharge& charge : InLockOrder(ReadCharges(tx, order_id))) {
      ASSIGN_OR_RETURN(Budget budget, LockBudget(tx, charge.key));
      if (Released(budget, charge).remaining.has_value()) {
        tx.exec_params(charge.key.owner == BudgetOwner::kPromotion ? kCreditPromotion : kCreditCouponTemplate,
                       charge.key.id, charge.amount);
      }
      released.push_back(charge);
    }
    tx.exec_params(kMarkReleased, order_id, Micros(now));
    return absl::OkStatus();
  }));
  return released;
}

}  // namespace zhongtai::marketing
