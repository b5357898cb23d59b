// Discount budgets charged by the placement and given back by cancellation, timeouts and the sweeper.
#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/order/domain/orders.h"
#include "services/order/tests/orders_world.h"

namespace zhongtai::order {
namespace {

struct BudgetWorld : World {
  BudgetWorld() {
    quoter.promotion = PromotionApplied{"promo-1", "full reduction", 200, /*budgeted=*/true};
    quoter.coupon_budgeted = {"c-300"};
    budgets.remaining = {{"promo-1", 1000}, {"tpl-c-300", 1000}};
    store.journal = &catalog.calls;
  }
};

TEST_CASE("a placed order charges each budgeted discount to its budget after the holds") {
  BudgetWorld w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  CHECK(order->discount == 500);
  CHECK(w.catalog.calls == Calls{"GetMember", "GetAddress", "GetSkus", "QuotePrice", "Reserve", "LockCoupon",
                                 "HoldPoints", "ChargeBudgets", "CompletePlacement"});
  std::vector<BudgetCharge> held = w.budgets.Held(order->order_id);
  REQUIRE(held.size() == 2);
  CHECK(held[0].promotion_id == "promo-1");
  CHECK(held[0].amount == 200);
  CHECK(held[1].coupon_template_id == "tpl-c-300");  // the template the coupon lock named
  CHECK(held[1].promotion_id.empty());
  CHECK(held[1].amount == 300);
  CHECK(held[1].currency == "CNY");
  CHECK(w.budgets.remaining["promo-1"] == 800);
  CHECK(w.budgets.remaining["tpl-c-300"] == 700);
}

TEST_CASE("without a budgeted discount the placement makes no budget call") {
  World w;
  w.quoter.promotion = PromotionApplied{"promo-free", "no budget", 200, /*budgeted=*/false};
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  CHECK(order->discount == 500);
  CHECK(std::count(w.catalog.calls.begin(), w.catalog.calls.end(), "ChargeBudgets") == 0);
  // Cancelling an order with a discount releases its budgets (it cannot know marketing holds none).
  REQUIRE(w.Cancel("u1", order->order_id).ok());
  CHECK(w.budgets.released.count(order->order_id) == 1);
}

TEST_CASE("a budget that cannot cover the discount fails the placement with PROMOTION_BUDGET_SPENT and undoes all") {
  BudgetWorld w;
  w.budgets.remaining["promo-1"] = 150;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE_FALSE(order.ok());
  CHECK(order.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(order.status()) == "PROMOTION_BUDGET_SPENT");
  // The failed charge is released (its answer could have been lost), then the holds in reverse; no discount is given.
  CHECK(w.catalog.calls == Calls{"GetMember", "GetAddress", "GetSkus", "QuotePrice", "Reserve", "LockCoupon",
                                 "HoldPoints", "ChargeBudgets", "ReleaseBudgets", "Release", "ReleaseCoupon",
                                 "ReleaseBudgets", "ReleasePoints", "MarkHoldsReleased", "FailPlacement"});
  CHECK(w.NothingHeld());
  CHECK(w.budgets.remaining["promo-1"] == 150);
  CHECK(w.budgets.remaining["tpl-c-300"] == 1000);
  CHECK(w.orders.ListOrders("u1", 0, "")->orders.empty());
}

TEST_CASE("a failure after the charge gives the budgets back before the holds") {
  struct Case {
    const char* what;
    std::function<void(BudgetWorld&)> break_it;
    Calls tail;  // the calls after the holds
  };
  std::vector<Case> cases = {
      {"writing the order",
       [](BudgetWorld& w) { w.store.fail_complete = Unavailable("DB_DOWN", "down"); },
       {"ChargeBudgets", "CompletePlacement", "ReleaseBudgets", "Release", "ReleaseCoupon", "ReleaseBudgets",
        "ReleasePoints", "MarkHoldsReleased", "FailPlacement"}},
      {"the charge's answer lost after marketing charged",
       [](BudgetWorld& w) { w.budgets.fail_after_charge = true; },
       {"ChargeBudgets", "ReleaseBudgets", "Release", "ReleaseCoupon", "ReleaseBudgets", "ReleasePoints",
        "MarkHoldsReleased", "FailPlacement"}},
      // Found by the fault scenario (a PostgreSQL restart): the budget step's own release failed, the holds' release
      // then marked everything released, and the budgets stayed charged for an order that never was.
      {"writing the order, and the budget step's release",
       [](BudgetWorld& w) {
         w.store.fail_complete = Unavailable("DB_DOWN", "down");
         w.budgets.releases_failing = 1;
       },
       {"ChargeBudgets", "CompletePlacement", "ReleaseBudgets", "Release", "ReleaseCoupon", "ReleaseBudgets",
        "ReleasePoints", "MarkHoldsReleased", "FailPlacement"}},
  };
  for (const Case& c : cases) {
    INFO("failing: " << c.what);
    BudgetWorld w;
    c.break_it(w);
    auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
    REQUIRE_FALSE(order.ok());
    Calls expected = {"GetMember", "GetAddress", "GetSkus", "QuotePrice", "Reserve", "LockCoupon", "HoldPoints"};
    expected.insert(expected.end(), c.tail.begin(), c.tail.end());
    CHECK(w.catalog.calls == expected);
    CHECK(w.budgets.remaining["promo-1"] == 1000);
    CHECK(w.budgets.remaining["tpl-c-300"] == 1000);
    CHECK(w.NothingHeld());
  }
}

TEST_CASE("cancelling and the unpaid timeout give the budgets back, once") {
  BudgetWorld w;
  auto cancelled = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE(cancelled.ok());
  REQUIRE(w.Cancel("u1", cancelled->order_id).ok());
  REQUIRE(w.Cancel("u1", cancelled->order_id).ok());
  CHECK(w.budgets.remaining["promo-1"] == 1000);
  CHECK(w.budgets.remaining["tpl-c-300"] == 1000);

  auto unpaid = w.Place(w.FullCommand("k2", {{"sku-a", 1}}));
  REQUIRE(unpaid.ok());
  CHECK(w.budgets.remaining["promo-1"] == 800);
  w.clock.Advance(absl::Minutes(16));
  CHECK(w.orders.SweepOnce() == 1);
  CHECK(w.budgets.remaining["promo-1"] == 1000);
  CHECK(w.budgets.remaining["tpl-c-300"] == 1000);
  CHECK(w.budgets.Held(unpaid->order_id).empty());
}

TEST_CASE("a paid order keeps its budget charges") {
  BudgetWorld w;
  auto order = w.Place(w.FullCommand("k1", {{"sku-a", 2}}));
  REQUIRE(order.ok());
  REQUIRE(w.Pay("u1", order->order_id).ok());
  CHECK(w.budgets.Held(order->order_id).size() == 2);
  CHECK(w.budgets.remaining["promo-1"] == 800);
}

TEST_CASE("budget charges come from the budgeted discounts and the coupon's template") {
  Quote quote;
  quote.applied = {{"promo-1", "a", 200, true}, {"promo-2", "b", 100, false}, {"c-1", "coupon", 300, true}};
  auto charges = BudgetChargesOf(quote, "c-1", "tpl-1", "CNY");
  REQUIRE(charges.ok());
  REQUIRE(charges->size() == 2);
  CHECK((*charges)[0].promotion_id == "promo-1");
  CHECK((*charges)[1].coupon_template_id == "tpl-1");
  CHECK((*charges)[1].amount == 300);
  CHECK(ReasonOf(BudgetChargesOf(quote, "c-1", "", "CNY").status()) == "QUOTE_MISMATCH");
  quote.applied = {{"promo-2", "b", 100, false}};
  CHECK(BudgetChargesOf(quote, "", "", "CNY")->empty());
  CHECK(ReasonOf(BudgetChargeOutcome(FailedPrecondition("BUDGET_SPENT", "spent"))) == "PROMOTION_BUDGET_SPENT");
  CHECK(ReasonOf(BudgetChargeOutcome(FailedPrecondition("ORDER_BUDGET_RELEASED", "late"))) == "ORDER_BUDGET_RELEASED");
}

TEST_CASE("an interrupted saga's budget charges are released by the sweeper") {
  BudgetWorld w;
  Order draft;
  draft.order_id = "crashed";
  draft.user_id = "u1";
  draft.request_id = "k9";
  draft.created_at = w.clock.Now();
  REQUIRE(w.store.BeginPlacement(draft).ok());
  // The process died after the charge, before the order was written.
  REQUIRE(async::Await<absl::Status>([&](StatusCallback done) {
            w.budgets.Charge("crashed", {BudgetCharge{"promo-1", "", 200, "CNY"}}, done);
          }).ok());
  CHECK(w.budgets.remaining["promo-1"] == 800);
  w.clock.Advance(absl::Minutes(1));
  w.orders.SweepOnce();
  CHECK(w.store.Get("crashed")->status == OrderStatus::kFailed);
  CHECK(w.budgets.remaining["promo-1"] == 1000);
}

}  // namespace
}  // namespace zhongtai::order
