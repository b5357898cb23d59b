#include "services/order/domain/carrier_rules.h"

#include <catch2/catch.hpp>

#include "common/status/status.h"

namespace zhongtai::order {
namespace {

ParcelFacts Parcel(int64_t value, const std::string& region, bool fragile = false) {
  ParcelFacts parcel;
  parcel.value = value;
  parcel.region = region;
  parcel.warehouse_id = "wh-sh";
  parcel.fragile = fragile;
  parcel.weight_grams = 800;
  return parcel;
}

CarrierRule Rule(const char* rule_id, int priority, const char* carrier) {
  CarrierRule rule;
  rule.rule_id = rule_id;
  rule.priority = priority;
  rule.carrier = carrier;
  return rule;
}

std::string CarrierFor(const ParcelFacts& parcel) {
  std::optional<CarrierChoice> choice = ChooseCarrier(DefaultCarrierRules(), parcel);
  REQUIRE(choice.has_value());
  return choice->carrier + "/" + choice->rule_id;
}

TEST_CASE("the default rules send goods over 500 yuan or fragile goods by SF, remote provinces by EMS, else ZTO") {
  // Guangdong, 300 yuan: standard.
  CHECK(CarrierFor(Parcel(30000, "440000")) == "ZTO/standard");
  // Exactly 500 yuan is not over 500.
  CHECK(CarrierFor(Parcel(50000, "440000")) == "ZTO/standard");
  CHECK(CarrierFor(Parcel(50001, "440000")) == "SF/premium-value");
  CHECK(CarrierFor(Parcel(1000, "440000", /*fragile=*/true)) == "SF/premium-fragile");
  // Xinjiang and Tibet: postal.
  CHECK(CarrierFor(Parcel(30000, "650000")) == "EMS/remote-postal");
  CHECK(CarrierFor(Parcel(30000, "540000")) == "EMS/remote-postal");
  // Premium comes first: an expensive parcel to Xinjiang still goes by SF.
  CHECK(CarrierFor(Parcel(80000, "650000")) == "SF/premium-value");
}

TEST_CASE("rules are tried by priority and only the conditions a rule sets must hold") {
  CarrierRuleSet set = DefaultCarrierRules();
  CarrierRule heavy = Rule("heavy-freight", 5, "DEBANG");
  heavy.min_weight_grams = 20000;
  heavy.fee = 3000;
  CarrierRule beijing_wh = Rule("beijing-jd", 25, "JD");
  beijing_wh.warehouses = {"wh-bj"};
  set.rules.push_back(heavy);
  set.rules.push_back(beijing_wh);
  REQUIRE(ValidateCarrierRules(set).ok());

  ParcelFacts parcel = Parcel(30000, "110000");
  parcel.weight_grams = 25000;
  CHECK(ChooseCarrier(set, parcel)->rule_id == "heavy-freight");
  CHECK(ChooseCarrier(set, parcel)->fee == 3000);  // the chosen rule's shipping fee
  parcel.weight_grams = 1000;
  CHECK(ChooseCarrier(set, parcel)->rule_id == "standard");
  CHECK_FALSE(ChooseCarrier(set, parcel)->fee.has_value());  // none set: the shop's flat fee
  parcel.warehouse_id = "wh-bj";
  CHECK(ChooseCarrier(set, parcel)->carrier == "JD");
  // Before the warehouse is known (checkout), a rule that names warehouses does not apply.
  parcel.warehouse_id = "";
  CHECK(ChooseCarrier(set, parcel)->rule_id == "standard");
}

TEST_CASE("carrier rules that could leave a parcel without a carrier or make no sense are refused, naming the field") {
  CarrierRuleSet set = DefaultCarrierRules();
  CHECK(ValidateCarrierRules(set).ok());

  CarrierRuleSet no_default = set;
  no_default.rules.pop_back();  // the catch-all
  CHECK(ReasonOf(ValidateCarrierRules(no_default)) == "CARRIER_RULES_NO_DEFAULT");

  CarrierRuleSet no_carrier = set;
  no_carrier.rules[1].carrier = "";
  CHECK(FieldOf(ValidateCarrierRules(no_carrier)) == "rules[1].carrier");

  CarrierRuleSet duplicate = set;
  duplicate.rules[2].rule_id = duplicate.rules[0].rule_id;
  CHECK(FieldOf(ValidateCarrierRules(duplicate)) == "rules[2].ruleId");

  CarrierRuleSet backwards = set;
  backwards.transit_times[0].min_days = 5;
  backwards.transit_times[0].max_days = 2;
  CHECK(FieldOf(ValidateCarrierRules(backwards)) == "transitTimes[0].maxDays");

  CarrierRuleSet negative_fee = set;
  negative_fee.rules[1].fee = -1;
  CHECK(FieldOf(ValidateCarrierRules(negative_fee)) == "rules[1].fee");
  CarrierRuleSet huge_fee = set;
  huge_fee.rules[0].fee = kMaxShippingFee + 1;
  CHECK(FieldOf(ValidateCarrierRules(huge_fee)) == "rules[0].fee");
  CarrierRuleSet free_rule = set;
  free_rule.rules[0].fee = 0;  // a rule may ship free
  CHECK(ValidateCarrierRules(free_rule).ok());

  CHECK(ReasonOf(ValidateCarrierRules(CarrierRuleSet())) == "CARRIER_RULES_EMPTY");
}

TEST_CASE("the delivery promise counts transit days from the day the parcel leaves, in China time") {
  CarrierRuleSet set = DefaultCarrierRules();
  set.transit_times.push_back({"ZTO", "wh-sh", "310000", 1, 1});  // Shanghai warehouse to Shanghai: next day
  // 2026-12-03 20:00 UTC is already 2026-12-04 in China.
  absl::Time shipped = absl::FromCivil(absl::CivilSecond(2026, 12, 3, 20, 0, 0), absl::UTCTimeZone());

  std::optional<DeliveryPromise> guangdong = PromiseDelivery(set, "ZTO", "wh-sh", "440000", shipped, 0);
  REQUIRE(guangdong.has_value());
  CHECK(guangdong->earliest == absl::CivilDay(2026, 12, 6));
  CHECK(guangdong->latest == absl::CivilDay(2026, 12, 8));

  // The most specific entry wins.
  std::optional<DeliveryPromise> local = PromiseDelivery(set, "ZTO", "wh-sh", "310000", shipped, 0);
  CHECK(local->earliest == absl::CivilDay(2026, 12, 5));
  CHECK(local->latest == absl::CivilDay(2026, 12, 5));

  // Remote provinces take longer, whatever the carrier; a handling day before shipping moves both ends.
  std::optional<DeliveryPromise> xinjiang = PromiseDelivery(set, "EMS", "wh-sh", "650000", shipped, 1);
  CHECK(xinjiang->earliest == absl::CivilDay(2026, 12, 10));
  CHECK(xinjiang->latest == absl::CivilDay(2026, 12, 14));

  // Warehouse not known yet: the range spans every warehouse's entry.
  std::optional<std::pair<int, int>> any = TransitDays(set, "ZTO", "", "310000");
  REQUIRE(any.has_value());
  CHECK(any->first == 1);
  CHECK(any->second == 4);

  // A carrier without transit times gives no promise rather than a made-up one.
  CHECK_FALSE(PromiseDelivery(set, "UNKNOWN", "wh-sh", "440000", shipped, 0).has_value());
}

}  // namespace
}  // namespace zhongtai::order
