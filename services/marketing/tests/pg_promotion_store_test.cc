#include "services/marketing/store/pg_promotion_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>
#include <vector>

#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/domain/promotions.h"
#include "services/marketing/tests/fakes.h"

namespace zhongtai::marketing {
namespace {

struct Db {
  Db() {
    auto opened = pg::Pool::Open({database.dsn(), 4, absl::Seconds(5), "marketing-test"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    REQUIRE(pg::Migrate(*pool, Migrations()).ok());
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
};

const absl::Time kNow = absl::FromUnixSeconds(1700000000) + absl::Microseconds(42);

Promotion Spec(const std::string& id, const std::string& request_id) {
  Promotion p;
  p.promotion_id = id;
  p.request_id = request_id;
  p.name = "满300减40";
  p.currency = "CNY";
  p.threshold = 30000;
  p.reduction = 4000;
  p.start_time = kNow - absl::Hours(1);
  p.end_time = kNow + absl::Hours(1);
  p.created_at = kNow;
  return p;
}

QuoteLineInput Line(const std::string& sku, int64_t unit_price, int64_t quantity) {
  QuoteLineInput line;
  line.sku_id = sku;
  line.currency = "CNY";
  line.unit_price = unit_price;
  line.quantity = quantity;
  return line;
}

}  // namespace

TEST_CASE("promotions round trip and are idempotent on request id", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  auto created = store.Create(Spec("pr_1", "req-1"));
  REQUIRE(created.ok());
  CHECK(created->created);
  const Promotion& p = created->promotion;
  CHECK(p.promotion_id == "pr_1");
  CHECK(p.name == "满300减40");
  CHECK(p.currency == "CNY");
  CHECK(p.threshold == 30000);
  CHECK(p.reduction == 4000);
  CHECK(p.start_time == kNow - absl::Hours(1));
  CHECK(p.end_time == kNow + absl::Hours(1));
  CHECK(p.created_at == kNow);
  CHECK(p.status == PromotionStatus::kActive);

  auto replay = store.Create(Spec("pr_2", "req-1"));
  REQUIRE(replay.ok());
  CHECK_FALSE(replay->created);
  CHECK(replay->promotion.promotion_id == "pr_1");
  auto all = store.List("", 10);
  REQUIRE(all.ok());
  CHECK(all->size() == 1);
}

TEST_CASE("an update replaces the promotion's terms but not its budget, currency or creation", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  Promotion spec = Spec("pr_1", "req-1");
  spec.budget_remaining = 5000;
  REQUIRE(store.Create(spec).ok());
  CHECK(store.Get("pr_1")->combines_with_member_price);  // the default
  Promotion changed = spec;
  changed.combines_with_member_price = false;
  changed.name = "满200减30";
  changed.threshold = 20000;
  changed.reduction = 3000;
  changed.start_time = kNow + absl::Hours(2);
  changed.end_time = kNow + absl::Hours(5);
  changed.status = PromotionStatus::kPaused;
  changed.exclusivity = Exclusivity::kAll;
  changed.priority = 7;
  changed.scope.all_products = false;
  changed.scope.sku_ids = {"sku-1"};
  changed.budget_remaining = 1;  // ignored: only charges move the budget
  changed.currency = "USD";      // ignored: the domain refuses a change of currency
  auto updated = store.Update(changed);
  REQUIRE(updated.ok());
  auto read = store.Get("pr_1");
  REQUIRE(read.ok());
  for (const Promotion& p : {*updated, *read}) {
    CHECK(p.name == "满200减30");
    CHECK(p.threshold == 20000);
    CHECK(p.reduction == 3000);
    CHECK(p.start_time == kNow + absl::Hours(2));
    CHECK(p.end_time == kNow + absl::Hours(5));
    CHECK(p.status == PromotionStatus::kPaused);
    CHECK(p.exclusivity == Exclusivity::kAll);
    CHECK(p.priority == 7);
    CHECK_FALSE(p.combines_with_member_price);
    CHECK(p.scope.sku_ids == std::vector<std::string>{"sku-1"});
    CHECK(p.budget_remaining == std::optional<int64_t>(5000));
    CHECK(p.currency == "CNY");
    CHECK(p.request_id == "req-1");
    CHECK(p.created_at == kNow);
  }
  CHECK(ReasonOf(store.Get("pr_nope").status()) == "PROMOTION_NOT_FOUND");
  changed.promotion_id = "pr_nope";
  CHECK(ReasonOf(store.Update(changed).status()) == "PROMOTION_NOT_FOUND");
}

TEST_CASE("concurrent creates with one request id make one promotion", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  std::set<std::string> ids;
  std::mutex mu;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      auto r = store.Create(Spec("pr_" + std::to_string(i), "same"));
      if (!r.ok()) {
        ++failures;
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      ids.insert(r->promotion.promotion_id);
    });
  }
  for (auto& t : threads) t.join();
  CHECK(failures == 0);
  CHECK(ids.size() == 1);
}

TEST_CASE("listing pages newest first, and a window lists every promotion overlapping it, paused ones too", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  REQUIRE(store.Create(Spec("pr_1", "r1")).ok());
  REQUIRE(store.Create(Spec("pr_2", "r2")).ok());
  Promotion paused = Spec("pr_3", "r3");
  paused.status = PromotionStatus::kPaused;
  REQUIRE(store.Create(paused).ok());
  Promotion later = Spec("pr_4", "r4");
  later.start_time = kNow + absl::Minutes(30);
  REQUIRE(store.Create(later).ok());

  auto first = store.List("", 2);
  REQUIRE(first.ok());
  REQUIRE(first->size() == 2);
  CHECK((*first)[0].promotion_id == "pr_4");
  CHECK((*first)[1].promotion_id == "pr_3");
  auto rest = store.List("pr_3", 10);
  REQUIRE(rest.ok());
  REQUIRE(rest->size() == 2);
  CHECK((*rest)[0].promotion_id == "pr_2");
  CHECK((*rest)[1].promotion_id == "pr_1");

  auto ids = [](const std::vector<Promotion>& promotions) {
    std::vector<std::string> out;
    for (const Promotion& p : promotions) out.push_back(p.promotion_id);
    return out;
  };
  const absl::Duration tick = absl::Microseconds(1);
  auto now = store.ListOverlapping(kNow, kNow + tick);
  REQUIRE(now.ok());
  CHECK(ids(*now) == std::vector<std::string>{"pr_1", "pr_2", "pr_3"});
  auto until_start = store.ListOverlapping(kNow, kNow + absl::Minutes(30));  // pr_4 starts at `to`: not in it
  REQUIRE(until_start.ok());
  CHECK(ids(*until_start) == std::vector<std::string>{"pr_1", "pr_2", "pr_3"});
  auto later_on = store.ListOverlapping(kNow + absl::Minutes(45), kNow + absl::Minutes(45) + tick);
  REQUIRE(later_on.ok());
  CHECK(ids(*later_on) == std::vector<std::string>{"pr_1", "pr_2", "pr_3", "pr_4"});
  auto after_end = store.ListOverlapping(kNow + absl::Hours(1), kNow + absl::Hours(2));  // end is exclusive
  REQUIRE(after_end.ok());
  CHECK(after_end->empty());
  auto before = store.ListOverlapping(kNow - absl::Hours(3), kNow - absl::Hours(1) + tick);
  REQUIRE(before.ok());
  CHECK(ids(*before) == std::vector<std::string>{"pr_1", "pr_2", "pr_3"});
}

TEST_CASE("the database refuses a reduction above the threshold", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  Promotion bad = Spec("pr_1", "r1");
  bad.reduction = 40000;
  CHECK(store.Create(bad).status().code() == absl::StatusCode::kFailedPrecondition);
}

TEST_CASE("quotes over PostgreSQL: 满300减40 at 299 and at 300", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Promotions promotions(store, clock, ids);
  Promotion spec = Spec("", "");
  spec.start_time = clock.Now() - absl::Hours(1);
  spec.end_time = clock.Now() + absl::Hours(1);
  REQUIRE(promotions.CreatePromotion(spec, "req").ok());

  auto below = promotions.QuotePrice("u", {Line("a", 14950, 2)});
  REQUIRE(below.ok());
  CHECK(below->subtotal == 29900);
  CHECK(below->discount == 0);
  auto at = promotions.QuotePrice("u", {Line("a", 10001, 1), Line("b", 19999, 1)});
  REQUIRE(at.ok());
  CHECK(at->discount == 4000);
  CHECK(at->lines[0].discount + at->lines[1].discount == 4000);
  CHECK(at->total == 26000);
}

}  // namespace zhongtai::marketing

namespace zhongtai::marketing {

TEST_CASE("every rule field round trips, and rows of before read as order-level 满X减Y", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  Promotion legacy = Spec("pr_0", "r0");
  REQUIRE(store.Create(legacy).ok());

  Promotion p = Spec("pr_1", "r1");
  p.threshold = 0;
  p.reduction = 0;
  p.kind = PromotionKind::kThresholdReduction;
  p.tiers = {{30000, 4000}, {50000, 8000}};
  p.every_amount = 10000;
  p.every_reduction = 1000;
  p.every_cap = 5000;
  p.layer = PromotionLayer::kCoupon;
  p.exclusivity = Exclusivity::kAll;
  p.priority = 7;
  p.budget_remaining = 123456;
  p.scope.all_products = false;
  p.scope.category_ids = {"c_1", "c \"quoted\""};
  p.scope.brand_ids = {"b_1"};
  p.scope.sku_ids = {"s_1", "s_2"};
  p.scope.excluded_category_ids = {"c_x"};
  p.scope.excluded_brand_ids = {"b_x"};
  p.scope.excluded_sku_ids = {"s_x"};
  p.eligibility.member_tiers = {"gold"};
  p.eligibility.user_tags = {"vip", "student"};
  p.eligibility.new_customers_only = true;
  p.eligibility.channels = {"app"};
  REQUIRE(store.Create(p).ok());

  Promotion bundle = Spec("pr_2", "r2");
  bundle.threshold = 100;
  bundle.reduction = 0;
  bundle.kind = PromotionKind::kBundle;
  bundle.layer = PromotionLayer::kItem;
  bundle.bundle_sku_ids = {"a", "b"};
  bundle.bundle_price = 15000;
  bundle.percent_off_bp = 2500;
  bundle.fixed_off_per_unit = 11;
  bundle.group_quantity = 3;
  bundle.group_price = 26900;
  bundle.nth = 2;
  bundle.gift_sku_id = "g";
  bundle.gift_quantity = 2;
  bundle.min_quantity = 4;
  REQUIRE(store.Create(bundle).ok());

  auto listed = store.ListOverlapping(kNow, kNow + absl::Microseconds(1));
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 3);
  const Promotion& old = (*listed)[0];
  CHECK(old.kind == PromotionKind::kThresholdReduction);
  CHECK(old.layer == PromotionLayer::kOrder);
  CHECK(old.exclusivity == Exclusivity::kWithinLayer);
  CHECK(old.tiers.empty());
  CHECK_FALSE(old.budget_remaining.has_value());
  CHECK(old.scope.all_products);

  const Promotion& r = (*listed)[1];
  CHECK(r.tiers.size() == 2);
  CHECK(r.tiers[1].threshold == 50000);
  CHECK(r.tiers[1].reduction == 8000);
  CHECK(r.every_amount == 10000);
  CHECK(r.every_reduction == 1000);
  CHECK(r.every_cap == 5000);
  CHECK(r.layer == PromotionLayer::kCoupon);
  CHECK(r.exclusivity == Exclusivity::kAll);
  CHECK(r.priority == 7);
  CHECK(r.budget_remaining == std::optional<int64_t>(123456));
  CHECK_FALSE(r.scope.all_products);
  CHECK(r.scope.category_ids == p.scope.category_ids);
  CHECK(r.scope.brand_ids == p.scope.brand_ids);
  CHECK(r.scope.sku_ids == p.scope.sku_ids);
  CHECK(r.scope.excluded_category_ids == p.scope.excluded_category_ids);
  CHECK(r.scope.excluded_brand_ids == p.scope.excluded_brand_ids);
  CHECK(r.scope.excluded_sku_ids == p.scope.excluded_sku_ids);
  CHECK(r.eligibility.member_tiers == p.eligibility.member_tiers);
  CHECK(r.eligibility.user_tags == p.eligibility.user_tags);
  CHECK(r.eligibility.new_customers_only);
  CHECK(r.eligibility.channels == p.eligibility.channels);

  const Promotion& b = (*listed)[2];
  CHECK(b.kind == PromotionKind::kBundle);
  CHECK(b.layer == PromotionLayer::kItem);
  CHECK(b.threshold == 100);
  CHECK(b.bundle_sku_ids == bundle.bundle_sku_ids);
  CHECK(b.bundle_price == 15000);
  CHECK(b.percent_off_bp == 2500);
  CHECK(b.fixed_off_per_unit == 11);
  CHECK(b.group_quantity == 3);
  CHECK(b.group_price == 26900);
  CHECK(b.nth == 2);
  CHECK(b.gift_sku_id == "g");
  CHECK(b.gift_quantity == 2);
  CHECK(b.min_quantity == 4);
}

}  // namespace zhongtai::marketing
