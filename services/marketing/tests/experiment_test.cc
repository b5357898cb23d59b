// A/B experiments without a database: validation, the stable assignment and its shares, and quotes that apply only
// the promotions of the buyer's arm.
#include "services/marketing/domain/experiment.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <map>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/marketing/domain/promotions.h"
#include "services/marketing/tests/campaign_fakes.h"
#include "services/marketing/tests/promotion_builders.h"

namespace zhongtai::marketing {
namespace {

Experiment TwoArms(int32_t control_bp = 5000) {
  Experiment e;
  e.experiment_id = "ex_1";
  e.name = "满减 vs 折扣";
  e.start_time = absl::FromUnixSeconds(1700000000) - absl::Hours(1);
  e.end_time = absl::FromUnixSeconds(1700000000) + absl::Hours(24);
  e.arms = {{"control", control_bp, {}, {}}, {"reduction", 10000 - control_bp, {"pr_exp"}, {}}};
  return e;
}

}  // namespace

TEST_CASE("an experiment's arms share exactly 100% of the traffic") {
  CHECK(ValidateExperiment(TwoArms()).ok());
  Experiment over = TwoArms();
  over.arms[1].traffic_bp = 5001;
  CHECK(ReasonOf(ValidateExperiment(over)) == "EXPERIMENT_TRAFFIC_INVALID");
  CHECK(FieldOf(ValidateExperiment(over)) == "experiment.arms");
  Experiment zero = TwoArms(10000);
  CHECK(FieldOf(ValidateExperiment(zero)) == "experiment.arms[1].trafficBp");
  Experiment one_arm = TwoArms();
  one_arm.arms.pop_back();
  CHECK(ReasonOf(ValidateExperiment(one_arm)) == "EXPERIMENT_ARMS_INVALID");
  Experiment same_names = TwoArms();
  same_names.arms[1].name = "control";
  CHECK(ReasonOf(ValidateExperiment(same_names)) == "EXPERIMENT_ARMS_INVALID");
  Experiment shared = TwoArms();
  shared.arms[0].promotion_ids = {"pr_exp"};
  CHECK(FieldOf(ValidateExperiment(shared)) == "experiment.arms[1].promotionIds");
  Experiment backwards = TwoArms();
  backwards.end_time = backwards.start_time;
  CHECK(ReasonOf(ValidateExperiment(backwards)) == "END_BEFORE_START");
}

TEST_CASE("a user's arm is fixed by a documented hash, and the arms get their shares") {
  // FNV-1a 64 of "ex_1:u1", as documented in experiments.proto: pinned so that a change is noticed.
  uint64_t hash = 14695981039346656037ull;
  for (char c : std::string("ex_1:u1")) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  CHECK(ArmBucket("ex_1", "u1") == static_cast<int32_t>(hash % 10000));
  CHECK(ArmBucket("ex_1", "u1") == ArmBucket("ex_1", "u1"));
  CHECK(ArmBucket("ex_1", "u1") != ArmBucket("ex_2", "u1"));

  Experiment e = TwoArms(2000);
  std::map<std::string, int> counts;
  for (int i = 0; i < 20000; ++i) ++counts[AssignArm(e, absl::StrCat("user-", i)).name];
  CHECK(counts["control"] > 3600);  // 20% of 20000 is 4000
  CHECK(counts["control"] < 4400);
  CHECK(counts["control"] + counts["reduction"] == 20000);
}

TEST_CASE("a quote applies the promotions of the buyer's arm only, and records the exposure") {
  testing::InMemoryPromotionStore promotions_store;
  testing::FakeClock clock(absl::FromUnixSeconds(1700000000));
  testing::SequentialIds ids;
  testing::InMemoryExperimentStore experiment_store;
  Experiments experiments(experiment_store, clock, ids);
  Promotions promotions(promotions_store, clock, ids, nullptr, &experiments);

  Promotion exp = testing::Tiered("pr_exp", {{10000, 2000}});
  exp.start_time = clock.Now() - absl::Hours(1);
  exp.end_time = clock.Now() + absl::Hours(1);
  exp.request_id = "r1";
  REQUIRE(promotions_store.Create(exp).ok());
  auto created = experiments.Create(TwoArms(), "req-exp");
  REQUIRE(created.ok());

  // Find one user per arm.
  std::string in_control, in_reduction;
  for (int i = 0; in_control.empty() || in_reduction.empty(); ++i) {
    std::string user = absl::StrCat("u", i);
    (AssignArm(*created, user).name == "control" ? in_control : in_reduction) = user;
  }
  auto control_quote = promotions.QuotePrice(in_control, {testing::Item("sku-1", 12000, 1)});
  REQUIRE(control_quote.ok());
  CHECK(control_quote->discount == 0);
  auto reduction_quote = promotions.QuotePrice(in_reduction, {testing::Item("sku-1", 12000, 1)});
  REQUIRE(reduction_quote.ok());
  CHECK(reduction_quote->discount == 2000);
  auto anonymous = promotions.QuotePrice("", {testing::Item("sku-1", 12000, 1)});
  CHECK(anonymous->discount == 0);

  auto exposures = experiment_store.exposures();
  CHECK(exposures.size() == 2);
  CHECK(exposures[{created->experiment_id, in_control}] == "control");
  CHECK(exposures[{created->experiment_id, in_reduction}] == "reduction");
}

namespace {

// An experiment on the price of sku-1: the control arm pays the catalogue price, "cheaper" pays 100.00.
Experiment PriceTest(const absl::Time now) {
  Experiment e;
  e.name = "sku-1 price";
  e.start_time = now - absl::Hours(1);
  e.end_time = now + absl::Hours(24);
  e.arms = {{"control", 5000, {}, {}}, {"cheaper", 5000, {}, {{"sku-1", "CNY", 10000}}}};
  return e;
}

}  // namespace

TEST_CASE("arm prices are validated: not negative, one per SKU, at most the list price of a SKU on sale") {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  Experiment negative = PriceTest(now);
  negative.arms[1].prices[0].price = -1;
  CHECK(ReasonOf(ValidateExperiment(negative)) == "ARM_PRICE_NEGATIVE");
  CHECK(FieldOf(ValidateExperiment(negative)) == "experiment.arms[1].prices[0].price.amountMinor");
  Experiment twice = PriceTest(now);
  twice.arms[1].prices.push_back({"sku-1", "CNY", 9000});
  CHECK(FieldOf(ValidateExperiment(twice)) == "experiment.arms[1].prices[1].skuId");
  Experiment no_currency = PriceTest(now);
  no_currency.arms[1].prices[0].currency = "cny";
  CHECK(ReasonOf(ValidateExperiment(no_currency)) == "CURRENCY_INVALID");
  // The same SKU may be priced in several arms: that is the test.
  Experiment both = PriceTest(now);
  both.arms[0].prices = {{"sku-1", "CNY", 11000}};
  CHECK(ValidateExperiment(both).ok());

  std::map<std::string, SkuFacts> skus;
  skus["sku-1"] = {true, true, "CNY", 12000, 5};
  CHECK(CheckArmPrices(PriceTest(now), skus).ok());
  Experiment at_list = PriceTest(now);
  at_list.arms[1].prices[0].price = 12000;
  CHECK(CheckArmPrices(at_list, skus).ok());
  Experiment above = PriceTest(now);
  above.arms[1].prices[0].price = 12001;
  CHECK(ReasonOf(CheckArmPrices(above, skus)) == "ARM_PRICE_ABOVE_LIST_PRICE");
  CHECK(FieldOf(CheckArmPrices(above, skus)) == "experiment.arms[1].prices[0].price.amountMinor");
  CHECK(ReasonOf(CheckArmPrices(PriceTest(now), {})) == "SKU_NOT_FOUND");
  skus["sku-1"].on_sale = false;
  CHECK(ReasonOf(CheckArmPrices(PriceTest(now), skus)) == "SKU_NOT_ON_SALE");
  skus["sku-1"] = {true, true, "USD", 12000, 5};
  CHECK(ReasonOf(CheckArmPrices(PriceTest(now), skus)) == "CURRENCY_MISMATCH");

  // Creating one asks the product center once for the priced SKUs' list prices.
  testing::FakeClock clock(now);
  testing::SequentialIds ids;
  testing::InMemoryExperimentStore store;
  testing::FakeProductSkus product;
  product.Put("sku-1", 12000, 5);
  Experiments experiments(store, clock, ids, &product);
  CHECK(ReasonOf(experiments.Create(above, "req-above").status()) == "ARM_PRICE_ABOVE_LIST_PRICE");
  CHECK(experiments.Create(PriceTest(now), "req-ok").ok());
  CHECK(product.calls() == 2);
  CHECK(product.asked().back() == std::vector<std::string>{"sku-1"});
  Experiments without_product(store, clock, ids);
  CHECK(ReasonOf(without_product.Create(PriceTest(now), "req-2").status()) == "PRODUCT_CENTER_UNAVAILABLE");
}

TEST_CASE("a quote prices a line at the buyer's arm price when lower, promotions apply on it, and the line says why") {
  testing::InMemoryPromotionStore promotions_store;
  testing::FakeClock clock(absl::FromUnixSeconds(1700000000));
  testing::SequentialIds ids;
  testing::InMemoryExperimentStore experiment_store;
  testing::FakeProductSkus product;
  product.Put("sku-1", 12000, 5);
  Experiments experiments(experiment_store, clock, ids, &product);
  Promotions promotions(promotions_store, clock, ids, nullptr, &experiments, &product);
  // 满100减20 for everyone, outside the experiment: it stacks on the arm price like on any price.
  Promotion everyone = testing::Tiered("pr_all", {{10000, 2000}});
  everyone.start_time = clock.Now() - absl::Hours(1);
  everyone.end_time = clock.Now() + absl::Hours(1);
  everyone.request_id = "r-all";
  REQUIRE(promotions_store.Create(everyone).ok());
  auto created = experiments.Create(PriceTest(clock.Now()), "req-price");
  REQUIRE(created.ok());
  std::string control, cheaper;
  for (int i = 0; control.empty() || cheaper.empty(); ++i) {
    std::string user = absl::StrCat("u", i);
    (AssignArm(*created, user).name == "control" ? control : cheaper) = user;
  }
  const std::vector<QuoteLineInput> cart = {testing::Item("sku-1", 12000, 1), testing::Item("sku-2", 3000, 1)};

  auto in_control = promotions.QuotePrice(control, cart);
  REQUIRE(in_control.ok());
  CHECK(in_control->subtotal == 15000);
  CHECK(in_control->discount == 2000);
  CHECK_FALSE(in_control->lines[0].origin.experiment);
  CHECK(in_control->lines[0].origin.catalog_unit_price == 12000);

  auto in_arm = promotions.QuotePrice(cheaper, cart);
  REQUIRE(in_arm.ok());
  CHECK(in_arm->lines[0].unit_price == 10000);
  CHECK(in_arm->lines[0].origin.experiment);
  CHECK(in_arm->lines[0].origin.experiment_id == created->experiment_id);
  CHECK(in_arm->lines[0].origin.arm == "cheaper");
  CHECK(in_arm->lines[0].origin.catalog_unit_price == 12000);
  CHECK_FALSE(in_arm->lines[1].origin.experiment);  // sku-2 is not in the test
  CHECK(in_arm->subtotal == 13000);
  CHECK(in_arm->discount == 2000);  // the promotion applies to the arm price
  CHECK(in_arm->total == 11000);

  // A member price below the arm price stays: an arm price never raises a price.
  std::vector<QuoteLineInput> member_cart = {testing::Item("sku-1", 9500, 1)};
  member_cart[0].member_price = true;
  auto member = promotions.QuotePrice(cheaper, member_cart);
  REQUIRE(member.ok());
  CHECK(member->lines[0].unit_price == 9500);
  CHECK_FALSE(member->lines[0].origin.experiment);
  // Without a user, no arm and no arm price.
  auto anonymous = promotions.QuotePrice("", cart);
  CHECK(anonymous->lines[0].unit_price == 12000);
  // Both arms' buyers were exposed once each.
  CHECK(experiment_store.exposures().size() == 2);
  // No gifts in these carts: the product center was asked only when the experiment was created.
  CHECK(product.calls() == 1);
}

TEST_CASE("two running experiments pricing one SKU: the buyer gets the lower of their arms' prices") {
  const absl::Time now = absl::FromUnixSeconds(1700000000);
  Experiment a = PriceTest(now);
  a.experiment_id = "ex_a";
  a.arms = {{"only", 10000, {}, {{"sku-1", "CNY", 10000}}}};
  Experiment b = a;
  b.experiment_id = "ex_b";
  b.arms[0].prices[0].price = 9000;
  ExperimentView view = ViewFor({a, b}, "u1");
  REQUIRE(view.prices.count("sku-1") == 1);
  CHECK(view.prices["sku-1"].experiment_id == "ex_b");
  CHECK(view.prices["sku-1"].price == 9000);
  CHECK(view.exposures.size() == 2);
  std::vector<QuoteLineInput> lines = {testing::Item("sku-1", 12000, 2), testing::Item("sku-9", 500, 1)};
  std::vector<LinePriceOrigin> origins = ApplyArmPrices(view, lines);
  CHECK(lines[0].unit_price == 9000);
  CHECK(origins[0].experiment_id == "ex_b");
  CHECK(lines[1].unit_price == 500);
  CHECK_FALSE(origins[1].experiment);
  CHECK(ViewFor({a, b}, "").prices.empty());
}

namespace {

Promotion GiftOf(const std::string& id, const std::string& sku, int priority) {
  Promotion p = testing::Active(id, PromotionKind::kGift, PromotionLayer::kOrder, Exclusivity::kWithinLayer);
  p.gift_sku_id = sku;
  p.gift_quantity = 1;
  p.threshold = 5000;
  p.priority = priority;
  p.request_id = "req-" + id;
  return p;
}

// Promotions that check their gifts' stock with a product center in memory.
struct GiftWorld {
  testing::InMemoryPromotionStore store;
  testing::FakeClock clock{testing::kQuoteTime};
  testing::SequentialIds ids;
  testing::FakeProductSkus product;
  Promotions promotions{store, clock, ids, nullptr, nullptr, &product};
};

}  // namespace

TEST_CASE(
    "a quote's gifts are checked against the product center's stock in one call, and an out-of-stock one is "
    "not given") {
  GiftWorld w;
  // Two gift promotions exclusive within the order layer: the higher priority one is chosen first.
  REQUIRE(w.store.Create(GiftOf("pr_mug", "sku-mug", 10)).ok());
  REQUIRE(w.store.Create(GiftOf("pr_bag", "sku-bag", 5)).ok());
  w.product.Put("sku-mug", 0, 3);
  w.product.Put("sku-bag", 0, 3);
  const std::vector<QuoteLineInput> cart = {testing::Item("sku-1", 6000, 1)};

  auto in_stock = w.promotions.QuotePrice("u1", cart);
  REQUIRE(in_stock.ok());
  REQUIRE(in_stock->lines.size() == 2);
  CHECK(in_stock->lines[1].gift);
  CHECK(in_stock->lines[1].sku_id == "sku-mug");
  CHECK(w.product.calls() == 1);
  CHECK(w.product.asked()[0] == std::vector<std::string>{"sku-mug"});

  // The mug runs out: the quote gives the bag instead (asked in a second call) and says why not the mug.
  w.product.Put("sku-mug", 0, 0);
  auto mug_out = w.promotions.QuotePrice("u1", cart);
  REQUIRE(mug_out.ok());
  REQUIRE(mug_out->lines.size() == 2);
  CHECK(mug_out->lines[1].sku_id == "sku-bag");
  CHECK(mug_out->applied.size() == 1);
  CHECK(mug_out->applied[0].promotion_id == "pr_bag");
  auto mug_reason = std::find_if(mug_out->not_applied.begin(), mug_out->not_applied.end(),
                                 [](const NotApplied& n) { return n.promotion_id == "pr_mug"; });
  REQUIRE(mug_reason != mug_out->not_applied.end());
  CHECK(mug_reason->reason == NotAppliedReason::kGiftOutOfStock);
  CHECK(mug_reason->missing_sku_ids == std::vector<std::string>{"sku-mug"});
  CHECK(w.product.calls() == 3);

  // Neither can be had (the bag is off shelf): no gift line, both explained; the price is unchanged.
  w.product.Put("sku-bag", 0, 3, /*on_sale=*/false);
  auto none = w.promotions.QuotePrice("u1", cart);
  REQUIRE(none.ok());
  CHECK(none->lines.size() == 1);
  CHECK(none->applied.empty());
  CHECK(none->total == 6000);
  CHECK(std::count_if(none->not_applied.begin(), none->not_applied.end(),
                      [](const NotApplied& n) { return n.reason == NotAppliedReason::kGiftOutOfStock; }) == 2);

  // The product center does not answer: the gift is listed unchecked (placement decides, as before).
  w.product.SetDown(true);
  auto unchecked = w.promotions.QuotePrice("u1", cart);
  REQUIRE(unchecked.ok());
  CHECK(unchecked->lines.size() == 2);
  // Below the threshold no gift applies and nothing is asked.
  w.product.SetDown(false);
  const int calls = w.product.calls();
  CHECK(w.promotions.QuotePrice("u1", {testing::Item("sku-1", 1000, 1)})->lines.size() == 1);
  CHECK(w.product.calls() == calls);
}

TEST_CASE("a gift is in stock for a quote when the warehouses shipping to the buyer's province have it") {
  GiftWorld w;
  REQUIRE(w.store.Create(GiftOf("pr_mug", "sku-mug", 10)).ok());
  w.product.Put("sku-mug", 0, 5);                   // 5 in the country
  w.product.PutInProvince("sku-mug", "440000", 0);  // none in the warehouses serving Guangdong
  w.product.PutInProvince("sku-mug", "310000", 2);  // 2 for Shanghai
  const std::vector<QuoteLineInput> cart = {testing::Item("sku-1", 6000, 1)};
  auto quote_to = [&](const std::string& province, const std::string& city) {
    Shopper shopper;
    shopper.ship_to = {province, city};
    return w.promotions.QuotePrice("u1", cart, shopper);
  };

  auto guangdong = quote_to("440000", "440300");
  REQUIRE(guangdong.ok());
  CHECK(guangdong->lines.size() == 1);
  REQUIRE(guangdong->not_applied.size() == 1);
  CHECK(guangdong->not_applied[0].reason == NotAppliedReason::kGiftOutOfStock);
  auto shanghai = quote_to("310000", "310100");
  REQUIRE(shanghai.ok());
  REQUIRE(shanghai->lines.size() == 2);
  CHECK(shanghai->lines[1].sku_id == "sku-mug");
  auto unknown = quote_to("", "");  // no address yet (a cart): the whole country's stock
  REQUIRE(unknown.ok());
  CHECK(unknown->lines.size() == 2);

  CHECK(ReasonOf(quote_to("44", "").status()) == "REGION_CODE_INVALID");
  CHECK(FieldOf(quote_to("44", "").status()) == "shipProvinceCode");
  CHECK(FieldOf(quote_to("", "440300").status()) == "shipCityCode");
}

}  // namespace zhongtai::marketing
