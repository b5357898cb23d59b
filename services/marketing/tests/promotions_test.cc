#include "services/marketing/domain/promotions.h"

#include <catch2/catch.hpp>
#include <map>
#include <numeric>
#include <set>

#include "common/status/status.h"
#include "services/marketing/domain/best_price.h"
#include "services/marketing/domain/pricing.h"
#include "services/marketing/tests/fakes.h"

namespace zhongtai::marketing {
namespace {

struct Fixture {
  Fixture() : promotions(store, clock, ids) {}
  Promotion MustCreate(const std::string& name, int64_t threshold, int64_t reduction, const std::string& request_id) {
    auto created = promotions.CreatePromotion(Spec(name, threshold, reduction), request_id);
    REQUIRE(created.ok());
    return *created;
  }
  Promotion Spec(const std::string& name, int64_t threshold, int64_t reduction) {
    Promotion p;
    p.name = name;
    p.currency = "CNY";
    p.threshold = threshold;
    p.reduction = reduction;
    p.start_time = clock.Now() - absl::Hours(1);
    p.end_time = clock.Now() + absl::Hours(24);
    return p;
  }
  testing::InMemoryPromotionStore store;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Promotions promotions;
};

QuoteLineInput Line(const std::string& sku, int64_t unit_price, int64_t quantity, const std::string& currency = "CNY") {
  QuoteLineInput line;
  line.sku_id = sku;
  line.currency = currency;
  line.unit_price = unit_price;
  line.quantity = quantity;
  return line;
}

void RequireInvalid(const absl::Status& status, const std::string& reason, const std::string& field) {
  REQUIRE_FALSE(status.ok());
  CHECK(status.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(status) == reason);
  CHECK(FieldOf(status) == field);
}

int64_t SumShares(const Quote& quote) {
  int64_t sum = 0;
  for (const auto& line : quote.lines) sum += line.discount;
  return sum;
}

}  // namespace

TEST_CASE("满300减40 does not apply at 299.99 and applies at 300.00") {
  Fixture f;
  Promotion p = f.MustCreate("满300减40", 30000, 4000, "r1");

  auto below = f.promotions.QuotePrice("u_1", {Line("sku_a", 29999, 1)});
  REQUIRE(below.ok());
  CHECK(below->subtotal == 29999);
  CHECK(below->discount == 0);
  CHECK(below->total == 29999);
  CHECK(below->applied.empty());
  CHECK(below->lines[0].discount == 0);

  auto at = f.promotions.QuotePrice("u_1", {Line("sku_a", 10000, 3)});
  REQUIRE(at.ok());
  CHECK(at->subtotal == 30000);
  CHECK(at->discount == 4000);
  CHECK(at->total == 26000);
  REQUIRE(at->applied.size() == 1);
  CHECK(at->applied[0].promotion_id == p.promotion_id);
  CHECK(at->applied[0].name == "满300减40");
  CHECK(at->applied[0].discount == 4000);
  CHECK(at->lines[0].subtotal == 30000);
  CHECK(at->lines[0].discount == 4000);
  CHECK(at->lines[0].total == 26000);
}

TEST_CASE("the discount is spread over lines by amount and the shares sum exactly") {
  Fixture f;
  f.MustCreate("满300减40", 30000, 4000, "r1");
  // Subtotals 100.00, 200.00 and 2.99 * 100 = 299.00: 40.00 does not divide evenly.
  auto quote = f.promotions.QuotePrice("", {Line("a", 10000, 1), Line("b", 5000, 4), Line("c", 299, 100)});
  REQUIRE(quote.ok());
  CHECK(quote->subtotal == 59900);
  CHECK(quote->discount == 4000);
  CHECK(SumShares(*quote) == 4000);
  // Ideal shares 667.78, 1335.56 and 1996.66: floors sum to 3998 and the two fen left go to the
  // largest remainders (.78 and .66).
  CHECK(quote->lines[0].discount == 668);
  CHECK(quote->lines[1].discount == 1335);
  CHECK(quote->lines[2].discount == 1997);
  for (const auto& line : quote->lines) CHECK(line.total == line.subtotal - line.discount);
  CHECK(quote->total == 55900);
}

TEST_CASE("the best applicable promotion wins, and only one applies") {
  Fixture f;
  f.MustCreate("满100减10", 10000, 1000, "r1");
  Promotion big = f.MustCreate("满300减40", 30000, 4000, "r2");
  f.MustCreate("满500减80", 50000, 8000, "r3");
  auto quote = f.promotions.QuotePrice("", {Line("a", 35000, 1)});
  REQUIRE(quote.ok());
  CHECK(quote->discount == 4000);
  REQUIRE(quote->applied.size() == 1);
  CHECK(quote->applied[0].promotion_id == big.promotion_id);
}

TEST_CASE("paused, not yet started, ended and foreign-currency promotions do not apply") {
  Fixture f;
  Promotion paused = f.Spec("paused", 100, 50);
  paused.status = PromotionStatus::kPaused;
  REQUIRE(f.promotions.CreatePromotion(paused, "r1").ok());
  Promotion future = f.Spec("future", 100, 50);
  future.start_time = f.clock.Now() + absl::Minutes(1);
  REQUIRE(f.promotions.CreatePromotion(future, "r2").ok());
  Promotion ended = f.Spec("ended", 100, 50);
  ended.end_time = f.clock.Now();  // the end is exclusive
  REQUIRE(f.promotions.CreatePromotion(ended, "r3").ok());
  Promotion usd = f.Spec("usd", 100, 50);
  usd.currency = "USD";
  REQUIRE(f.promotions.CreatePromotion(usd, "r4").ok());

  auto quote = f.promotions.QuotePrice("", {Line("a", 1000, 1)});
  REQUIRE(quote.ok());
  CHECK(quote->discount == 0);
  CHECK(quote->applied.empty());
  std::map<std::string, NotAppliedReason> why;
  for (const NotApplied& n : quote->not_applied) why[n.name] = n.reason;
  CHECK(why == std::map<std::string, NotAppliedReason>{{"paused", NotAppliedReason::kPaused},
                                                       {"future", NotAppliedReason::kNotStarted},
                                                       {"ended", NotAppliedReason::kEnded},
                                                       {"usd", NotAppliedReason::kCurrencyMismatch}});
}

TEST_CASE("the quote explains promotions paused, starting or ended near now that reach its lines, and no others") {
  Fixture f;
  const absl::Time now = f.clock.Now();
  auto create = [&f](Promotion p, const std::string& request_id) {
    REQUIRE(f.promotions.CreatePromotion(p, request_id).ok());
  };
  Promotion tonight = f.Spec("starts tonight", 100, 50);
  tonight.start_time = now + absl::Hours(6);
  create(tonight, "r1");
  Promotion next_month = f.Spec("starts next month", 100, 50);
  next_month.start_time = now + absl::Hours(24 * 30);
  next_month.end_time = now + absl::Hours(24 * 31);
  create(next_month, "r2");
  Promotion yesterday = f.Spec("ended yesterday", 100, 50);
  yesterday.start_time = now - absl::Hours(48);
  yesterday.end_time = now - absl::Hours(24);
  create(yesterday, "r3");
  Promotion last_year = f.Spec("ended last year", 100, 50);
  last_year.start_time = now - absl::Hours(24 * 366);
  last_year.end_time = now - absl::Hours(24 * 365);
  create(last_year, "r4");
  Promotion shoes = f.Spec("shoes, paused", 100, 50);
  shoes.status = PromotionStatus::kPaused;
  shoes.scope.all_products = false;
  shoes.scope.category_ids = {"shoes"};
  create(shoes, "r5");
  Promotion books = f.Spec("books, paused", 100, 50);
  books.status = PromotionStatus::kPaused;
  books.scope.all_products = false;
  books.scope.category_ids = {"books"};
  create(books, "r6");

  QuoteLineInput novel = Line("novel", 1000, 1);
  novel.category_path = {"media", "books"};
  auto quote = f.promotions.QuotePrice("u_1", {novel});
  REQUIRE(quote.ok());
  CHECK(quote->applied.empty());
  std::map<std::string, NotAppliedReason> why;
  for (const NotApplied& n : quote->not_applied) why[n.name] = n.reason;
  CHECK(why == std::map<std::string, NotAppliedReason>{{"starts tonight", NotAppliedReason::kNotStarted},
                                                       {"ended yesterday", NotAppliedReason::kEnded},
                                                       {"books, paused", NotAppliedReason::kPaused}});

  f.clock.Advance(absl::Hours(7));  // tonight's has started
  auto later = f.promotions.QuotePrice("u_1", {novel});
  REQUIRE(later.ok());
  REQUIRE(later->applied.size() == 1);
  CHECK(later->applied[0].name == "starts tonight");
}

TEST_CASE("the discount is never above the subtotal") {
  Promotion generous;
  generous.promotion_id = "pr";
  generous.currency = "CNY";
  generous.threshold = 0;
  generous.reduction = 5000;
  generous.start_time = absl::InfinitePast();
  generous.end_time = absl::InfiniteFuture();
  Quote quote = QuoteBestPrice({Line("a", 300, 2), Line("b", 0, 3)}, {generous}, Shopper{}, absl::Now());
  CHECK(quote.subtotal == 600);
  CHECK(quote.discount == 600);
  CHECK(quote.total == 0);
  CHECK(quote.lines[0].discount == 600);
  CHECK(quote.lines[1].discount == 0);
  CHECK(quote.lines[1].total == 0);
}

TEST_CASE("quote input is validated with the field") {
  Fixture f;
  RequireInvalid(f.promotions.QuotePrice("", {}).status(), "LINES_EMPTY", "lines");
  RequireInvalid(f.promotions.QuotePrice("", {Line("a", 100, 1), Line("b", 100, 0)}).status(), "QUANTITY_NOT_POSITIVE",
                 "lines[1].quantity");
  RequireInvalid(f.promotions.QuotePrice("", {Line("a", 100, -2)}).status(), "QUANTITY_NOT_POSITIVE",
                 "lines[0].quantity");
  RequireInvalid(f.promotions.QuotePrice("", {Line("a", -1, 1)}).status(), "PRICE_NEGATIVE",
                 "lines[0].unitPrice.amountMinor");
  RequireInvalid(f.promotions.QuotePrice("", {Line("", 1, 1)}).status(), "SKU_ID_MISSING", "lines[0].skuId");
  RequireInvalid(f.promotions.QuotePrice("", {Line("a", 1, 1), Line("b", 1, 1, "USD")}).status(), "CURRENCY_MISMATCH",
                 "lines[1].unitPrice.currency");
  RequireInvalid(f.promotions.QuotePrice("", {Line("a", INT64_MAX / 2, 3)}).status(), "AMOUNT_TOO_LARGE",
                 "lines[0].quantity");
  // A free line is fine; an empty currency means CNY.
  CHECK(f.promotions.QuotePrice("", {Line("a", 0, 1), Line("b", 100, 1, "")}).ok());
}

TEST_CASE("create promotion is idempotent on request id and validates its input") {
  Fixture f;
  Promotion first = f.MustCreate("满300减40", 30000, 4000, "req-1");
  CHECK(first.promotion_id == "pr_000001");
  CHECK(first.created_at == f.clock.Now());
  CHECK(first.status == PromotionStatus::kActive);
  Promotion replay = f.MustCreate("满300减40", 30000, 4000, "req-1");
  CHECK(replay.promotion_id == first.promotion_id);
  CHECK(f.store.size() == 1);

  RequireInvalid(f.promotions.CreatePromotion(f.Spec("x", 30000, 4000), "").status(), "REQUEST_ID_MISSING",
                 "requestId");
  RequireInvalid(f.promotions.CreatePromotion(f.Spec("", 30000, 4000), "r").status(), "NAME_MISSING", "promotion.name");
  RequireInvalid(f.promotions.CreatePromotion(f.Spec("x", 30000, 0), "r").status(), "REDUCTION_NOT_POSITIVE",
                 "promotion.thresholdReduction.reduction.amountMinor");
  RequireInvalid(f.promotions.CreatePromotion(f.Spec("x", 3000, 4000), "r").status(), "THRESHOLD_BELOW_REDUCTION",
                 "promotion.thresholdReduction.threshold.amountMinor");
  Promotion backwards = f.Spec("x", 30000, 4000);
  backwards.end_time = backwards.start_time;
  RequireInvalid(f.promotions.CreatePromotion(backwards, "r").status(), "END_BEFORE_START", "promotion.endTime");
  Promotion no_currency = f.Spec("x", 30000, 4000);
  no_currency.currency = "cny";
  RequireInvalid(f.promotions.CreatePromotion(no_currency, "r").status(), "CURRENCY_INVALID",
                 "promotion.thresholdReduction.threshold.currency");
  CHECK(f.store.size() == 1);
}

TEST_CASE("promotions list newest first in pages") {
  Fixture f;
  for (int i = 1; i <= 5; ++i) f.MustCreate("p" + std::to_string(i), 100, 10, "r" + std::to_string(i));
  std::vector<std::string> names;
  std::string token;
  int pages = 0;
  do {
    auto page = f.promotions.ListPromotions(2, token);
    REQUIRE(page.ok());
    for (const auto& p : page->promotions) names.push_back(p.name);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(pages == 3);
  CHECK(names == std::vector<std::string>{"p5", "p4", "p3", "p2", "p1"});

  auto all = f.promotions.ListPromotions(0, "");
  REQUIRE(all.ok());
  CHECK(all->promotions.size() == 5);
  CHECK(all->next_page_token.empty());
  RequireInvalid(f.promotions.ListPromotions(-1, "").status(), "PAGE_SIZE_NEGATIVE", "pageSize");
  RequireInvalid(f.promotions.ListPromotions(2, "garbage!").status(), "PAGE_TOKEN_INVALID", "pageToken");
}

}  // namespace zhongtai::marketing
