// The campaign calendar without a database: scope overlap, which promotions conflict, and the calendar's sources.
#include "services/marketing/domain/campaign_calendar.h"

#include <catch2/catch.hpp>

#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

const absl::Time kDay = absl::FromUnixSeconds(1800000000);

PromotionScope Listing(std::vector<std::string> categories, std::vector<std::string> brands = {},
                       std::vector<std::string> skus = {}) {
  PromotionScope s;
  s.all_products = false;
  s.category_ids = std::move(categories);
  s.brand_ids = std::move(brands);
  s.sku_ids = std::move(skus);
  return s;
}

PromotionScope AllProducts() { return PromotionScope{}; }

CalendarItem Exclusive(const std::string& id, absl::Time start, absl::Time end, PromotionScope scope,
                       Exclusivity exclusivity = Exclusivity::kWithinLayer,
                       PromotionLayer layer = PromotionLayer::kOrder) {
  CalendarItem item;
  item.id = id;
  item.name = "name of " + id;
  item.start = start;
  item.end = end;
  item.currency = "CNY";
  item.scope = std::move(scope);
  item.exclusivity = exclusivity;
  item.layer = layer;
  item.request_id = "req-" + id;
  return item;
}

class FixedSource : public CalendarSource {
 public:
  explicit FixedSource(std::vector<CalendarItem> items) : items_(std::move(items)) {}
  absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) override {
    std::vector<CalendarItem> out;
    for (const CalendarItem& item : items_) {
      if (item.start < to && item.end > from) out.push_back(item);
    }
    return out;
  }

 private:
  std::vector<CalendarItem> items_;
};

FlashSale Sale(const std::string& id, const std::string& sku, absl::Time start, absl::Time end) {
  FlashSale sale;
  sale.sale_id = id;
  sale.request_id = "req-" + id;
  sale.name = "sale " + id;
  sale.sku_id = sku;
  sale.currency = "CNY";
  sale.start_time = start;
  sale.end_time = end;
  sale.status = FlashSaleStatus::kActive;
  return sale;
}

}  // namespace

TEST_CASE("scopes overlap when some line could be in both") {
  CHECK(ScopesOverlap(AllProducts(), AllProducts()));
  CHECK(ScopesOverlap(AllProducts(), Listing({}, {}, {"sku-1"})));
  CHECK(ScopesOverlap(Listing({"cat-shoes"}), Listing({"cat-shoes"})));
  // Marketing does not know the category tree: two categories may be parent and child.
  CHECK(ScopesOverlap(Listing({"cat-shoes"}), Listing({"cat-bags"})));
  CHECK(ScopesOverlap(Listing({"cat-shoes"}), Listing({}, {"brand-a"})));
  CHECK(ScopesOverlap(Listing({}, {}, {"sku-1"}), Listing({}, {"brand-a"})));
  CHECK(ScopesOverlap(Listing({}, {}, {"sku-1", "sku-2"}), Listing({}, {}, {"sku-2", "sku-3"})));
  CHECK(ScopesOverlap(Listing({}, {"brand-a"}), Listing({}, {"brand-a", "brand-b"})));
}

TEST_CASE("scopes do not overlap when no line could be in both") {
  CHECK_FALSE(ScopesOverlap(Listing({}, {}, {"sku-1"}), Listing({}, {}, {"sku-2"})));
  CHECK_FALSE(ScopesOverlap(Listing({}, {"brand-a"}), Listing({}, {"brand-b"})));
  // Everything but sku-1, against sku-1 only.
  PromotionScope all_but = AllProducts();
  all_but.excluded_sku_ids = {"sku-1"};
  CHECK_FALSE(ScopesOverlap(all_but, Listing({}, {}, {"sku-1"})));
  CHECK(ScopesOverlap(all_but, Listing({}, {}, {"sku-1", "sku-2"})));
  // Brand a excluded from everything: nothing of brand a is in both.
  PromotionScope no_brand_a = AllProducts();
  no_brand_a.excluded_brand_ids = {"brand-a"};
  CHECK_FALSE(ScopesOverlap(no_brand_a, Listing({}, {"brand-a"})));
  CHECK_FALSE(ScopesOverlap(Listing({}), AllProducts()));  // an empty listing matches nothing
}

TEST_CASE("two promotions conflict when both are exclusive over shared scope and time") {
  const absl::Time d0 = kDay, d1 = kDay + absl::Hours(24), d2 = kDay + absl::Hours(48), d3 = kDay + absl::Hours(72);
  CalendarItem existing = Exclusive("pr_old", d0, d2, Listing({"cat-shoes"}));
  CalendarItem candidate = Exclusive("pr_new", d1, d3, AllProducts());

  auto conflicts = FindConflicts(candidate, {existing});
  REQUIRE(conflicts.size() == 1);
  CHECK(conflicts[0].id == "pr_old");
  CHECK(conflicts[0].overlap_start == d1);
  CHECK(conflicts[0].overlap_end == d2);

  SECTION("back to back windows do not overlap") {
    CHECK(FindConflicts(Exclusive("pr_new", d2, d3, AllProducts()), {existing}).empty());
  }
  SECTION("a stackable promotion conflicts with nothing") {
    candidate.exclusivity = Exclusivity::kNone;
    CHECK(FindConflicts(candidate, {existing}).empty());
  }
  SECTION("within-layer exclusives of different layers can apply together") {
    candidate.layer = PromotionLayer::kItem;
    CHECK(FindConflicts(candidate, {existing}).empty());
    candidate.exclusivity = Exclusivity::kAll;
    CHECK(FindConflicts(candidate, {existing}).size() == 1);
  }
  SECTION("paused ones, other currencies, disjoint scopes and coupon templates do not conflict") {
    CalendarItem paused = existing;
    paused.paused = true;
    CalendarItem usd = existing;
    usd.currency = "USD";
    CalendarItem elsewhere = Exclusive("pr_sku", d0, d2, Listing({}, {}, {"sku-9"}));
    CalendarItem coupon = existing;
    coupon.kind = CalendarItemKind::kCouponTemplate;
    candidate.scope = Listing({}, {}, {"sku-1"});
    CHECK(FindConflicts(candidate, {paused, usd, elsewhere, coupon}).empty());
  }
  SECTION("a replayed create is no conflict with what the first call created") {
    CalendarItem first = candidate;
    first.id = "pr_first";
    CHECK(FindConflicts(candidate, {first}).empty());
  }
}

TEST_CASE("a flash sale conflicts with an exclusive promotion over its SKU and time, either way round") {
  const absl::Time d0 = kDay, d1 = kDay + absl::Hours(24), d2 = kDay + absl::Hours(48), d3 = kDay + absl::Hours(72);
  CalendarItem sale = CalendarItemOf(Sale("fs_1", "sku-1", d1, d3));
  CHECK(sale.kind == CalendarItemKind::kFlashSale);
  CHECK(sale.status == "ACTIVE");
  CalendarItem exclusive = Exclusive("pr_x", d0, d2, Listing({}, {}, {"sku-1", "sku-2"}));

  // A new flash sale over an exclusive promotion, and a new exclusive promotion over a flash sale.
  auto on_sale = FindConflicts(sale, {exclusive});
  REQUIRE(on_sale.size() == 1);
  CHECK(on_sale[0].kind == CalendarItemKind::kPromotion);
  CHECK(on_sale[0].id == "pr_x");
  CHECK(on_sale[0].overlap_start == d1);
  CHECK(on_sale[0].overlap_end == d2);
  auto on_promotion = FindConflicts(exclusive, {sale});
  REQUIRE(on_promotion.size() == 1);
  CHECK(on_promotion[0].kind == CalendarItemKind::kFlashSale);
  CHECK(on_promotion[0].id == "fs_1");
  CHECK(ConflictDetailsJson(on_promotion).find("\"kind\":\"FLASH_SALE\"") != std::string::npos);

  SECTION("exclusive of all, in any layer, or scoped by category or brand, still covers the SKU") {
    CalendarItem all = Exclusive("pr_all", d0, d2, AllProducts(), Exclusivity::kAll, PromotionLayer::kItem);
    CalendarItem category = Exclusive("pr_cat", d0, d2, Listing({"cat-1"}));
    CalendarItem brand = Exclusive("pr_brand", d0, d2, Listing({}, {"brand-a"}));
    CHECK(FindConflicts(sale, {all, category, brand}).size() == 3);
  }
  SECTION("no conflict: another SKU, a stackable or paused promotion, no shared time, another flash sale") {
    CalendarItem other_sku = Exclusive("pr_sku2", d0, d2, Listing({}, {}, {"sku-2"}));
    CalendarItem stackable = exclusive;
    stackable.id = "pr_stack";
    stackable.exclusivity = Exclusivity::kNone;
    CalendarItem paused = exclusive;
    paused.id = "pr_paused";
    paused.paused = true;
    CalendarItem before = Exclusive("pr_before", d0, d1, Listing({}, {}, {"sku-1"}));
    CalendarItem same_sku_sale = CalendarItemOf(Sale("fs_2", "sku-1", d1, d3));
    PromotionScope all_but_sku1 = AllProducts();
    all_but_sku1.excluded_sku_ids = {"sku-1"};
    CalendarItem excluded = Exclusive("pr_excl", d0, d2, all_but_sku1);
    CHECK(FindConflicts(sale, {other_sku, stackable, paused, before, same_sku_sale, excluded}).empty());
  }
  SECTION("a replayed create of the sale is no conflict with the sale it made") {
    CalendarItem stored = sale;
    stored.id = "fs_first";
    CHECK(FindConflicts(sale, {stored, exclusive}).size() == 1);
  }
}

TEST_CASE("CheckAndChange refuses a conflict naming it unless allowed, and runs the change otherwise") {
  FixedSource promotions({Exclusive("pr_x", kDay, kDay + absl::Hours(10), Listing({}, {}, {"sku-1"}))});
  CampaignCalendar calendar({&promotions});
  int changes = 0;
  auto change = [&] {
    ++changes;
    return absl::OkStatus();
  };
  CalendarItem sale = CalendarItemOf(Sale("fs_1", "sku-1", kDay + absl::Hours(5), kDay + absl::Hours(20)));
  auto refused = calendar.CheckAndChange(sale, false, change);
  CHECK(refused.status().code() == absl::StatusCode::kAlreadyExists);
  CHECK(ReasonOf(refused.status()) == "CAMPAIGN_CONFLICT");
  CHECK(changes == 0);
  auto allowed = calendar.CheckAndChange(sale, true, change);
  REQUIRE(allowed.ok());
  REQUIRE(allowed->size() == 1);
  CHECK((*allowed)[0].id == "pr_x");
  CHECK(changes == 1);
  CalendarItem elsewhere = CalendarItemOf(Sale("fs_2", "sku-2", kDay + absl::Hours(5), kDay + absl::Hours(20)));
  auto clear = calendar.CheckAndChange(elsewhere, false, change);
  REQUIRE(clear.ok());
  CHECK(clear->empty());
  CHECK(changes == 2);
}

TEST_CASE("the calendar merges its sources over the range, and conflicts name the items") {
  FixedSource promotions({Exclusive("pr_b", kDay + absl::Hours(5), kDay + absl::Hours(30), AllProducts()),
                          Exclusive("pr_a", kDay, kDay + absl::Hours(10), Listing({"cat-1"})),
                          Exclusive("pr_later", kDay + absl::Hours(100), kDay + absl::Hours(110), AllProducts())});
  CalendarItem coupon = Exclusive("ct_1", kDay + absl::Hours(1), kDay + absl::Hours(2), AllProducts());
  coupon.kind = CalendarItemKind::kCouponTemplate;
  FixedSource templates({coupon});
  CampaignCalendar calendar({&promotions, &templates});

  auto items = calendar.Between(kDay, kDay + absl::Hours(24));
  REQUIRE(items.ok());
  REQUIRE(items->size() == 3);
  CHECK((*items)[0].id == "pr_a");
  CHECK((*items)[1].id == "ct_1");
  CHECK((*items)[2].id == "pr_b");

  CHECK(FieldOf(calendar.Between(kDay, kDay).status()) == "to");
  CHECK(ReasonOf(calendar.Between(kDay, kDay + absl::Hours(24 * 367)).status()) == "CALENDAR_RANGE_INVALID");

  Promotion p;
  p.promotion_id = "pr_new";
  p.name = "new";
  p.currency = "CNY";
  p.start_time = kDay + absl::Hours(8);
  p.end_time = kDay + absl::Hours(9);
  p.exclusivity = Exclusivity::kAll;
  auto conflicts = calendar.ConflictsOf(p);
  REQUIRE(conflicts.ok());
  REQUIRE(conflicts->size() == 2);
  std::string json = ConflictDetailsJson(*conflicts);
  CHECK(json.find("\"id\":\"pr_a\"") != std::string::npos);
  CHECK(json.find("\"id\":\"pr_b\"") != std::string::npos);
  CHECK(json.find("\"kind\":\"PROMOTION\"") != std::string::npos);
}

}  // namespace zhongtai::marketing
