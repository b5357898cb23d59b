// The budget rules without a database, and what a quote shows when a budget cannot cover a discount.
#include "services/marketing/domain/budget.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/marketing/domain/best_price.h"
#include "services/marketing/domain/coupon_rules.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

using testing::Item;
using testing::kQuoteTime;
using testing::Tiered;

BudgetCharge Charge(const std::string& id, int64_t amount, BudgetOwner owner = BudgetOwner::kPromotion) {
  return BudgetCharge{{owner, id}, "CNY", amount};
}

const NotApplied* NotAppliedOf(const Quote& quote, const std::string& id) {
  for (const NotApplied& n : quote.not_applied) {
    if (n.promotion_id == id) return &n;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("a budget covers a charge up to what is left, in its own currency") {
  Budget budget{{BudgetOwner::kPromotion, "pr_1"}, "CNY", 1000};
  auto taken = Charged(budget, Charge("pr_1", 400));
  REQUIRE(taken.ok());
  CHECK(taken->remaining == 600);
  auto exact = Charged(budget, Charge("pr_1", 1000));
  REQUIRE(exact.ok());
  CHECK(exact->remaining == 0);
  auto over = Charged(budget, Charge("pr_1", 1001));
  CHECK(over.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(over.status()) == "BUDGET_SPENT");
  BudgetCharge usd = Charge("pr_1", 1);
  usd.currency = "USD";
  CHECK(ReasonOf(Charged(budget, usd).status()) == "CURRENCY_MISMATCH");

  Budget unlimited{{BudgetOwner::kPromotion, "pr_2"}, "CNY", std::nullopt};
  auto free = Charged(unlimited, Charge("pr_2", 1'000'000'000));
  REQUIRE(free.ok());
  CHECK_FALSE(free->remaining.has_value());
  CHECK(Released(*exact, Charge("pr_1", 1000)).remaining == 1000);
  CHECK_FALSE(Released(unlimited, Charge("pr_2", 5)).remaining.has_value());
}

TEST_CASE("an order's charges are checked before any budget is touched") {
  CHECK(ReasonOf(ValidateCharges("", {Charge("pr_1", 1)})) == "ORDER_ID_MISSING");
  CHECK(ReasonOf(ValidateCharges("o1", {Charge("", 1)})) == "BUDGET_OWNER_MISSING");
  CHECK(FieldOf(ValidateCharges("o1", {Charge("pr_1", 1), Charge("pr_2", 0)})) == "charges[1].amount.amountMinor");
  CHECK(ReasonOf(ValidateCharges("o1", {Charge("pr_1", 1), Charge("pr_1", 2)})) == "DUPLICATE_CHARGE");
  CHECK(ValidateCharges("o1", {Charge("x", 1), Charge("x", 2, BudgetOwner::kCouponTemplate)}).ok());
  CHECK(ValidateCharges("o1", {}).ok());
}

TEST_CASE("a replayed charge answers the first one, a released order cannot charge again") {
  OrderBudget charged{"o1", OrderBudgetState::kCharged, {Charge("pr_1", 5)}};
  auto replay = ReplayCharge(charged);
  REQUIRE(replay.ok());
  CHECK(replay->charges.size() == 1);
  OrderBudget released{"o1", OrderBudgetState::kReleased, {}};
  CHECK(ReasonOf(ReplayCharge(released).status()) == "ORDER_BUDGET_RELEASED");
}

TEST_CASE("budgets are locked in one order whatever the request's order, so orders never deadlock") {
  auto ordered = InLockOrder({Charge("b", 1, BudgetOwner::kCouponTemplate), Charge("z", 1), Charge("a", 1)});
  REQUIRE(ordered.size() == 3);
  CHECK(ordered[0].key.id == "a");
  CHECK(ordered[1].key.id == "z");
  CHECK(ordered[2].key.owner == BudgetOwner::kCouponTemplate);
}

TEST_CASE("a quote explains a promotion or coupon whose budget cannot cover its discount as budget spent") {
  Promotion poor = Tiered("pr_poor", {{10000, 3000}});
  poor.budget_remaining = 2999;
  Promotion rich = Tiered("pr_rich", {{10000, 1000}});
  rich.budget_remaining = 1000;

  CouponTemplate t;
  t.template_id = "ct_1";
  t.name = "满100减20";
  t.currency = "CNY";
  t.type = CouponType::kThresholdReduction;
  t.threshold = 10000;
  t.reduction = 2000;
  t.budget_remaining = 1999;
  Promotion coupon = CouponBenefit(t, "cp_1");

  Quote quote = QuoteBestPrice({Item("sku-1", 12000, 1)}, {poor, rich, coupon}, Shopper{}, kQuoteTime);
  REQUIRE(quote.applied.size() == 1);
  CHECK(quote.applied[0].promotion_id == "pr_rich");
  CHECK(quote.total == 11000);
  const NotApplied* spent = NotAppliedOf(quote, "pr_poor");
  REQUIRE(spent != nullptr);
  CHECK(spent->reason == NotAppliedReason::kBudgetSpent);
  const NotApplied* coupon_spent = NotAppliedOf(quote, "cp_1");
  REQUIRE(coupon_spent != nullptr);
  CHECK(coupon_spent->reason == NotAppliedReason::kBudgetSpent);

  t.budget_remaining = 2000;
  Quote covered = QuoteBestPrice({Item("sku-1", 12000, 1)}, {CouponBenefit(t, "cp_1")}, Shopper{}, kQuoteTime);
  CHECK(covered.discount == 2000);
}

}  // namespace zhongtai::marketing
