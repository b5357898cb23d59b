// PgBudgetStore on a real PostgreSQL (label store): spend never above the budget under real concurrent orders,
// all-or-none charges, once per order, and the SQL guard agreeing with Charged.
#include "services/marketing/store/pg_budget_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/details.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/store/pg_promotion_store.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1800000000);

struct Db {
  Db() {
    pg::PoolOptions options;
    options.dsn = database.dsn();
    options.size = 10;
    options.acquire_timeout = absl::Seconds(60);
    options.name = "marketing-budget-test";
    auto opened = pg::Pool::Open(options);
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
    budgets = std::make_unique<PgBudgetStore>(*pool);
  }
  void AddPromotion(const std::string& id, std::optional<int64_t> budget) {
    Promotion p = testing::Tiered(id, {{10000, 1000}});
    p.request_id = "req-" + id;
    p.budget_remaining = budget;
    p.created_at = kNow;
    REQUIRE(PgPromotionStore(*pool).Create(p).ok());
  }
  void AddTemplate(const std::string& id, std::optional<int64_t> budget) {
    CouponTemplate t;
    t.template_id = id;
    t.request_id = "req-" + id;
    t.name = id;
    t.currency = "CNY";
    t.threshold = 10000;
    t.reduction = 2000;
    t.claim_start = kNow - absl::Hours(1);
    t.claim_end = kNow + absl::Hours(1);
    t.valid_from = kNow - absl::Hours(1);
    t.valid_until = kNow + absl::Hours(2);
    t.total_quantity = 100;
    t.per_user_limit = 1;
    t.created_at = kNow;
    t.budget_remaining = budget;
    REQUIRE(PgCouponStore(*pool).CreateTemplate(t).ok());
  }
  std::optional<int64_t> Remaining(const std::string& sql, const std::string& id) {
    std::optional<int64_t> out;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  pqxx::row row = tx.exec_params1(sql, id);
                  out.reset();
                  if (!row[0].is_null()) out = row[0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return out;
  }
  std::optional<int64_t> PromotionBudget(const std::string& id) {
    return Remaining("SELECT budget_remaining_minor FROM promotions WHERE promotion_id = $1", id);
  }
  std::optional<int64_t> TemplateBudget(const std::string& id) {
    return Remaining("SELECT budget_remaining_minor FROM coupon_templates WHERE template_id = $1", id);
  }
  int64_t Charged(const std::string& owner_id) {
    int64_t n = 0;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec_params1(
                            "SELECT coalesce(sum(c.amount_minor), 0) FROM order_budget_charges c JOIN "
                            "order_budgets o USING (order_id) WHERE o.state = 'CHARGED' AND c.owner_id = $1",
                            owner_id)[0]
                          .as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<PgBudgetStore> budgets;
};

BudgetCharge OnPromotion(const std::string& id, int64_t amount) {
  return BudgetCharge{{BudgetOwner::kPromotion, id}, "CNY", amount};
}

BudgetCharge OnTemplate(const std::string& id, int64_t amount) {
  return BudgetCharge{{BudgetOwner::kCouponTemplate, id}, "CNY", amount};
}

}  // namespace

TEST_CASE("200 concurrent orders on a budget of 10000: spend never above it, exactly the orders it covers", "[store]") {
  Db db;
  db.AddPromotion("pr_hot", 10000);
  db.AddTemplate("ct_hot", 5000);
  constexpr int kThreads = 10;
  constexpr int kOrders = 200;
  std::atomic<int> next{0};
  std::atomic<int> won{0};
  std::atomic<int> spent{0};
  std::atomic<int> other_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = next++; i < kOrders; i = next++) {
        // Each order takes 700 from the promotion and 300 from the template, all or none.
        auto held =
            db.budgets->Charge(absl::StrCat("o", i), {OnPromotion("pr_hot", 700), OnTemplate("ct_hot", 300)}, kNow);
        if (held.ok()) {
          ++won;
        } else if (ReasonOf(held.status()) == "BUDGET_SPENT") {
          ++spent;
        } else {
          ++other_errors;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(other_errors == 0);
  CHECK(won == 14);  // 14 x 700 = 9800 <= 10000 < 15 x 700; the template's 14 x 300 = 4200 fit in 5000
  CHECK(spent == kOrders - 14);
  CHECK(db.PromotionBudget("pr_hot") == 200);
  CHECK(db.TemplateBudget("ct_hot") == 800);
  CHECK(db.Charged("pr_hot") == 9800);
  CHECK(db.Charged("ct_hot") == 4200);
}

TEST_CASE("an order's charges are all or none, and the refusal names the promotion that ran out", "[store]") {
  Db db;
  db.AddPromotion("pr_rich", 100000);
  db.AddPromotion("pr_poor", 500);
  db.AddPromotion("pr_free", std::nullopt);
  auto refused = db.budgets->Charge("o1", {OnPromotion("pr_rich", 1000), OnPromotion("pr_poor", 600)}, kNow);
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.status().code() == absl::StatusCode::kFailedPrecondition);
  CHECK(ReasonOf(refused.status()) == "BUDGET_SPENT");
  CHECK(DetailsOf(refused.status()) == "[{\"promotionId\":\"pr_poor\"}]");
  CHECK(db.PromotionBudget("pr_rich") == 100000);
  CHECK(db.PromotionBudget("pr_poor") == 500);

  // Nothing was recorded for the refused order: it may try again with what the budgets cover.
  auto held = db.budgets->Charge("o1", {OnPromotion("pr_rich", 1000), OnPromotion("pr_free", 99999)}, kNow);
  REQUIRE(held.ok());
  CHECK(held->charges.size() == 2);
  CHECK(db.PromotionBudget("pr_rich") == 99000);
  CHECK(db.PromotionBudget("pr_free") == std::nullopt);

  auto unknown = db.budgets->Charge("o2", {OnPromotion("pr_missing", 1)}, kNow);
  CHECK(ReasonOf(unknown.status()) == "BUDGET_OWNER_NOT_FOUND");
  auto other_currency = db.budgets->Charge("o3", {BudgetCharge{{BudgetOwner::kPromotion, "pr_rich"}, "USD", 1}}, kNow);
  CHECK(ReasonOf(other_currency.status()) == "CURRENCY_MISMATCH");
}

TEST_CASE("charges and releases happen once per order, whatever the retries", "[store]") {
  Db db;
  db.AddPromotion("pr_1", 10000);
  db.AddTemplate("ct_1", 3000);

  // Eight concurrent retries of one order's charge: one debit.
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      if (db.budgets->Charge("o1", {OnPromotion("pr_1", 1500), OnTemplate("ct_1", 1000)}, kNow).ok()) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 8);
  CHECK(db.PromotionBudget("pr_1") == 8500);
  CHECK(db.TemplateBudget("ct_1") == 2000);
  auto replay = db.budgets->Charge("o1", {OnPromotion("pr_1", 9999)}, kNow);
  REQUIRE(replay.ok());
  REQUIRE(replay->charges.size() == 2);  // the first call's charges
  CHECK(db.PromotionBudget("pr_1") == 8500);

  auto released = db.budgets->Release("o1", kNow);
  REQUIRE(released.ok());
  CHECK(released->size() == 2);
  CHECK(db.PromotionBudget("pr_1") == 10000);
  CHECK(db.TemplateBudget("ct_1") == 3000);
  auto again = db.budgets->Release("o1", kNow);
  REQUIRE(again.ok());
  CHECK(again->empty());
  CHECK(db.PromotionBudget("pr_1") == 10000);
  CHECK(ReasonOf(db.budgets->Charge("o1", {OnPromotion("pr_1", 1500)}, kNow).status()) == "ORDER_BUDGET_RELEASED");

  // A release that comes before the charge (the saga gave up first) makes the late charge fail: nothing is held
  // forever.
  REQUIRE(db.budgets->Release("o2", kNow).ok());
  CHECK(ReasonOf(db.budgets->Charge("o2", {OnPromotion("pr_1", 100)}, kNow).status()) == "ORDER_BUDGET_RELEASED");
  CHECK(db.PromotionBudget("pr_1") == 10000);
}

TEST_CASE("the SQL that debits a budget agrees with Charged", "[store]") {
  Db db;
  struct Case {
    int64_t remaining;
    int64_t amount;
  };
  const Case cases[] = {{0, 1}, {1, 1}, {100, 99}, {100, 100}, {100, 101}, {5, 1000000}, {1000000, 5}};
  int n = 0;
  for (const Case& c : cases) {
    for (BudgetOwner owner : {BudgetOwner::kPromotion, BudgetOwner::kCouponTemplate}) {
      const std::string id = absl::StrCat("b", ++n);
      if (owner == BudgetOwner::kPromotion) {
        db.AddPromotion(id, c.remaining);
      } else {
        db.AddTemplate(id, c.remaining);
      }
      Budget budget{{owner, id}, "CNY", c.remaining};
      absl::StatusOr<Budget> rule = Charged(budget, BudgetCharge{{owner, id}, "CNY", c.amount});
      bool sql_took = false;
      REQUIRE(db.pool
                  ->Transact([&](pqxx::work& tx) {
                    const char* sql = owner == BudgetOwner::kPromotion ? budget_sql::kDebitPromotion
                                                                       : budget_sql::kDebitCouponTemplate;
                    pqxx::result rows = tx.exec_params(sql, id, c.amount);
                    sql_took = !rows.empty();
                    if (sql_took && rule.ok()) CHECK(rows[0][0].as<int64_t>() == *rule->remaining);
                    return absl::OkStatus();
                  })
                  .ok());
      INFO("remaining " << c.remaining << " amount " << c.amount);
      CHECK(sql_took == rule.ok());
    }
  }
}

}  // namespace zhongtai::marketing
