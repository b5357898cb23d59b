// The calendar's PostgreSQL sources and the conflict check under real concurrency (label store): of several
// conflicting promotions created at once, exactly one gets through.
#include <atomic>
#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/marketing/domain/promotions.h"
#include "services/marketing/store/pg_calendar_sources.h"
#include "services/marketing/store/pg_campaign_change_lock.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/store/pg_flash_sale_store.h"
#include "services/marketing/store/pg_promotion_store.h"
#include "services/marketing/tests/fakes.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

struct Db {
  Db() {
    pg::PoolOptions options;
    options.dsn = database.dsn();
    options.size = 6;
    options.acquire_timeout = absl::Seconds(60);
    options.name = "marketing-calendar-test";
    auto opened = pg::Pool::Open(options);
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> all = events::SchemaMigrations();
    all.insert(all.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, all).ok());
  }
  zhongtai::testing::TestDatabase database;
  std::unique_ptr<pg::Pool> pool;
};

}  // namespace

TEST_CASE("the calendar shows promotions and coupon templates from PostgreSQL over the range", "[store]") {
  Db db;
  const absl::Time day = absl::FromUnixSeconds(1800000000);
  PgPromotionStore promotions(*db.pool);
  Promotion p = testing::Tiered("pr_1", {{10000, 1000}}, Exclusivity::kAll);
  p.request_id = "r1";
  p.start_time = day;
  p.end_time = day + absl::Hours(48);
  p.scope.all_products = false;
  p.scope.brand_ids = {"brand-a"};
  p.status = PromotionStatus::kPaused;
  REQUIRE(promotions.Create(p).ok());
  Promotion later = p;
  later.promotion_id = "pr_2";
  later.request_id = "r2";
  later.start_time = day + absl::Hours(100);
  later.end_time = day + absl::Hours(120);
  REQUIRE(promotions.Create(later).ok());
  CouponTemplate t;
  t.template_id = "ct_1";
  t.request_id = "rt";
  t.name = "券";
  t.currency = "CNY";
  t.type = CouponType::kNoThreshold;
  t.reduction = 100;
  t.claim_start = day + absl::Hours(10);
  t.claim_end = day + absl::Hours(20);
  t.valid_days_after_claim = 3;
  t.valid_from = t.valid_until = absl::InfinitePast();
  t.total_quantity = 10;
  t.per_user_limit = 1;
  t.created_at = day;
  REQUIRE(PgCouponStore(*db.pool).CreateTemplate(t).ok());

  PgPromotionCalendar promotion_source(*db.pool);
  PgCouponTemplateCalendar template_source(*db.pool);
  CampaignCalendar calendar({&promotion_source, &template_source});
  auto items = calendar.Between(day + absl::Hours(12), day + absl::Hours(24));
  REQUIRE(items.ok());
  REQUIRE(items->size() == 2);
  const CalendarItem& promotion = (*items)[0];
  CHECK(promotion.id == "pr_1");
  CHECK(promotion.paused);
  CHECK(promotion.exclusivity == Exclusivity::kAll);
  CHECK(promotion.scope.brand_ids == std::vector<std::string>{"brand-a"});
  CHECK(promotion.end == day + absl::Hours(48));
  CHECK((*items)[1].kind == CalendarItemKind::kCouponTemplate);
  CHECK((*items)[1].start == day + absl::Hours(10));
  CHECK(calendar.Between(day + absl::Hours(48), day + absl::Hours(100))->empty());
}

TEST_CASE("flash sales are on the calendar over their window and conflict with an exclusive promotion on the SKU",
          "[store]") {
  Db db;
  const absl::Time day = absl::FromUnixSeconds(1800000000);
  PgFlashSaleStore flash(*db.pool);
  auto sale = [&](const std::string& id, const std::string& sku) {
    FlashSale s;
    s.sale_id = id;
    s.request_id = "req-" + id;
    s.name = "秒杀 " + id;
    s.sku_id = sku;
    s.sale_price = 100;
    s.currency = "CNY";
    s.quantity = 10;
    s.per_user_limit = 1;
    s.start_time = day + absl::Hours(10);
    s.end_time = day + absl::Hours(12);
    s.status = FlashSaleStatus::kReserving;
    s.create_time = day;
    REQUIRE(flash.Create(s).ok());
    return s;
  };
  sale("fs_1", "sku-1");
  REQUIRE(flash.SetStatus("fs_1", FlashSaleStatus::kActive, 0, day).ok());
  sale("fs_failed", "sku-1");
  REQUIRE(flash.SetStatus("fs_failed", FlashSaleStatus::kFailed, 0, day).ok());

  PgPromotionCalendar promotion_source(*db.pool);
  PgFlashSaleCalendar flash_source(*db.pool);
  PgCampaignChangeLock lock(*db.pool);
  CampaignCalendar calendar({&promotion_source, &flash_source}, &lock);
  auto items = calendar.Between(day, day + absl::Hours(24));
  REQUIRE(items.ok());
  REQUIRE(items->size() == 1);  // the failed sale never opened
  CHECK((*items)[0].kind == CalendarItemKind::kFlashSale);
  CHECK((*items)[0].id == "fs_1");
  CHECK((*items)[0].status == "ACTIVE");
  CHECK((*items)[0].scope.sku_ids == std::vector<std::string>{"sku-1"});
  CHECK((*items)[0].start == day + absl::Hours(10));

  // An exclusive promotion over sku-1 at that time is refused, naming the sale.
  PgPromotionStore store(*db.pool);
  testing::FakeClock clock{day};
  testing::SequentialIds ids;
  Promotions promotions(store, clock, ids, &calendar);
  Promotion p = testing::Tiered("", {{10000, 1000}}, Exclusivity::kWithinLayer);
  p.name = "满100减10";
  p.start_time = day + absl::Hours(11);
  p.end_time = day + absl::Hours(30);
  p.scope.all_products = false;
  p.scope.sku_ids = {"sku-1", "sku-2"};
  auto refused = promotions.CreateChecked(p, "req-p", false);
  CHECK(ReasonOf(refused.status()) == "CAMPAIGN_CONFLICT");
  auto allowed = promotions.CreateChecked(p, "req-p", true);
  REQUIRE(allowed.ok());
  REQUIRE(allowed->conflicts.size() == 1);
  CHECK(allowed->conflicts[0].kind == CalendarItemKind::kFlashSale);
  CHECK(allowed->conflicts[0].overlap_start == day + absl::Hours(11));
  CHECK(allowed->conflicts[0].overlap_end == day + absl::Hours(12));
}

TEST_CASE("of eight conflicting promotions created at once, exactly one gets through", "[store]") {
  Db db;
  PgPromotionStore store(*db.pool);
  PgPromotionCalendar source(*db.pool);
  PgCampaignChangeLock lock(*db.pool);
  CampaignCalendar calendar({&source}, &lock);
  testing::FakeClock clock(testing::kQuoteTime);
  testing::SequentialIds ids;
  Promotions promotions(store, clock, ids, &calendar);

  std::atomic<int> created{0};
  std::atomic<int> refused{0};
  std::atomic<int> other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      Promotion p = testing::Tiered("", {{10000, 1000}}, Exclusivity::kWithinLayer);
      p.name = "满100减10";
      auto result = promotions.CreateChecked(p, absl::StrCat("req-", i), false);
      if (result.ok()) {
        ++created;
      } else if (ReasonOf(result.status()) == "CAMPAIGN_CONFLICT") {
        ++refused;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(other == 0);
  CHECK(created == 1);
  CHECK(refused == 7);
  CHECK(store.List("", 100)->size() == 1);
}

}  // namespace zhongtai::marketing
