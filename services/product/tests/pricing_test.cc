// What a buyer pays: list price, member price per tier, scheduled prices, the lowest winning with its rule named.
#include "services/product/domain/pricing.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

const absl::Time kSaturday = absl::FromCivil(absl::CivilSecond(2026, 3, 7, 0, 0, 0), absl::UTCTimeZone());
const absl::Time kMonday = kSaturday + absl::Hours(48);
const absl::Time kAlways = absl::InfinitePast();
const absl::Time kForever = absl::InfiniteFuture();

std::vector<PriceRule> Rules() {
  PriceRule gold{"gold", MemberTier::kGold, 8500, kAlways, kForever, "CNY"};
  PriceRule diamond{"diamond", MemberTier::kDiamond, 8000, kAlways, kForever, "CNY"};
  PriceRule weekend{"weekend", std::nullopt, 8800, kSaturday, kMonday, "CNY"};
  PriceRule gold_weekend{"gold-weekend", MemberTier::kGold, 7900, kSaturday, kMonday, "CNY"};
  return {gold, diamond, weekend, gold_weekend};
}

TEST_CASE("the buyer pays the lowest price that applies to their tier at that time, and is told which rule",
          "[pricing]") {
  std::vector<PriceRule> rules = Rules();
  PriceQuote normal_weekday = QuotePrice(9900, rules, MemberTier::kNormal, kMonday);
  CHECK(normal_weekday.amount_minor == 9900);
  CHECK(normal_weekday.rule == "list");
  PriceQuote normal_weekend = QuotePrice(9900, rules, MemberTier::kNormal, kSaturday + absl::Hours(10));
  CHECK(normal_weekend.amount_minor == 8800);
  CHECK(normal_weekend.rule == "scheduled:weekend");
  PriceQuote silver = QuotePrice(9900, rules, MemberTier::kSilver, kMonday);
  CHECK(silver.rule == "list");  // no silver price
  PriceQuote gold_weekday = QuotePrice(9900, rules, MemberTier::kGold, kMonday);
  CHECK(gold_weekday.amount_minor == 8500);
  CHECK(gold_weekday.rule == "member:gold");
  PriceQuote gold_weekend = QuotePrice(9900, rules, MemberTier::kGold, kSaturday);
  CHECK(gold_weekend.amount_minor == 7900);
  CHECK(gold_weekend.rule == "scheduled:gold-weekend");
  // The window ends before Monday 00:00: then the diamond member price is the lowest again.
  CHECK(QuotePrice(9900, rules, MemberTier::kDiamond, kMonday - absl::Seconds(1)).amount_minor == 8000);
  CHECK(QuotePrice(9900, rules, MemberTier::kDiamond, kMonday).rule == "member:diamond");
  // A rule dearer than the list price never raises it.
  CHECK(QuotePrice(7000, rules, MemberTier::kGold, kSaturday).rule == "list");
}

TEST_CASE("price rules are refused with the field named", "[pricing]") {
  CHECK(ValidatePriceRules(Rules()).ok());
  std::vector<PriceRule> twice = {{"a", MemberTier::kGold, 1, kAlways, kForever, "CNY"},
                                  {"b", MemberTier::kGold, 2, kAlways, kForever, "CNY"}};
  CHECK(FieldOf(ValidatePriceRules(twice)) == "rules[1].tier");
  CHECK(ReasonOf(ValidatePriceRules(twice)) == "DUPLICATE_MEMBER_PRICE");
  std::vector<PriceRule> backwards = {{"w", std::nullopt, 1, kMonday, kSaturday, "CNY"}};
  CHECK(FieldOf(ValidatePriceRules(backwards)) == "rules[0].validTo");
  std::vector<PriceRule> for_all_forever = {{"x", std::nullopt, 1, kAlways, kForever, "CNY"}};
  CHECK(FieldOf(ValidatePriceRules(for_all_forever)) == "rules[0].tier");
  std::vector<PriceRule> negative = {{"x", MemberTier::kSilver, -1, kAlways, kForever, "CNY"}};
  CHECK(FieldOf(ValidatePriceRules(negative)) == "rules[0].price.amountMinor");
}

TEST_CASE("quoting SKUs keeps the list price beside what the buyer pays", "[pricing]") {
  InMemoryProductStore store;
  FakeClock clock;
  clock.Set(kSaturday + absl::Hours(1));
  RandomIdGenerator ids(clock);
  Catalog catalog(store, clock, ids);
  Pricing pricing(store, clock);
  std::string category = catalog.CreateCategory("Tea", "", "").value().category_id;
  NewProduct request;
  request.title = "Longjing";
  request.category_id = category;
  request.skus = {{"LJ-1", "", {}, {"CNY", 9900}, 1, ""}, {"LJ-2", "", {}, {"CNY", 5000}, 1, ""}};
  Product product = catalog.CreateProduct(request).value();
  REQUIRE(pricing.ReplaceRules(product.skus[0].sku_id, Rules()).ok());
  REQUIRE(store.Outbox().size() == 1);
  CHECK(store.Outbox()[0].type == ProductEvent::Type::kPriceRulesChanged);
  CHECK(store.Outbox()[0].product_id == product.product_id);
  CHECK(ReasonOf(pricing.ReplaceRules("sku_missing", Rules()).status()) == "SKU_NOT_FOUND");
  std::vector<PriceRule> dollars = Rules();
  dollars[1].currency = "USD";
  CHECK(FieldOf(pricing.ReplaceRules(product.skus[0].sku_id, dollars).status()) == "rules[1].price.currency");

  std::vector<Sku> skus = product.skus;
  REQUIRE(pricing.Quote(skus, MemberTier::kGold, std::nullopt).ok());  // now: the weekend
  CHECK(skus[0].price.amount_minor == 7900);
  CHECK(skus[0].list_price.amount_minor == 9900);
  CHECK(skus[0].price_rule == "scheduled:gold-weekend");
  CHECK(skus[1].price.amount_minor == 5000);
  CHECK(skus[1].price_rule == "list");
  skus = product.skus;
  REQUIRE(pricing.Quote(skus, MemberTier::kNormal, kMonday).ok());
  CHECK(skus[0].price.amount_minor == 9900);
}

}  // namespace
}  // namespace zhongtai::product
