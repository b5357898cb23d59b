#include "services/order/domain/carrier_rules.h"

#include <algorithm>
#include <numeric>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool Matches(const CarrierRule& rule, const ParcelFacts& parcel) {
  if (rule.min_order_value > 0 && parcel.value < rule.min_order_value) return false;
  if (rule.min_weight_grams > 0 && parcel.weight_grams < rule.min_weight_grams) return false;
  if (!rule.regions.empty() && !Contains(rule.regions, parcel.region)) return false;
  if (!rule.warehouses.empty() && !Contains(rule.warehouses, parcel.warehouse_id)) return false;
  if (rule.fragile_only && !parcel.fragile) return false;
  return true;
}

bool IsCatchAll(const CarrierRule& rule) {
  return rule.min_order_value == 0 && rule.min_weight_grams == 0 && rule.regions.empty() && rule.warehouses.empty() &&
         !rule.fragile_only;
}

CarrierRule Rule(const char* rule_id, int priority, const char* carrier) {
  CarrierRule rule;
  rule.rule_id = rule_id;
  rule.priority = priority;
  rule.carrier = carrier;
  return rule;
}

std::string RuleField(size_t i, const char* name) { return absl::StrCat("rules[", i, "].", name); }
std::string TransitField(size_t i, const char* name) { return absl::StrCat("transitTimes[", i, "].", name); }

}  // namespace

const std::vector<std::string>& RemoteRegions() {
  static const auto* regions = new std::vector<std::string>{"650000", "540000", "630000", "150000", "620000", "640000"};
  return *regions;
}

CarrierRuleSet DefaultCarrierRules() {
  CarrierRuleSet set;
  CarrierRule over_500 = Rule("premium-value", 10, "SF");
  over_500.min_order_value = 50001;
  CarrierRule fragile = Rule("premium-fragile", 20, "SF");
  fragile.fragile_only = true;
  CarrierRule remote = Rule("remote-postal", 30, "EMS");
  remote.regions = RemoteRegions();
  CarrierRule standard = Rule("standard", 1000, "ZTO");
  set.rules = {over_500, fragile, remote, standard};
  set.transit_times = {{"SF", "*", "*", 1, 2}, {"ZTO", "*", "*", 2, 4}, {"EMS", "*", "*", 3, 6}};
  for (const std::string& region : RemoteRegions()) {
    for (const char* carrier : {"SF", "ZTO", "EMS"}) set.transit_times.push_back({carrier, "*", region, 5, 9});
  }
  return set;
}

absl::Status ValidateCarrierRules(const CarrierRuleSet& set) {
  if (set.rules.empty()) return InvalidArgument("rules", "CARRIER_RULES_EMPTY", "at least one rule is needed");
  if (set.rules.size() > 200) return InvalidArgument("rules", "CARRIER_RULES_TOO_MANY", "at most 200 rules");
  if (set.transit_times.size() > 2000) {
    return InvalidArgument("transitTimes", "CARRIER_RULES_TOO_MANY", "at most 2000 transit times");
  }
  std::set<std::string> ids;
  bool catch_all = false;
  for (size_t i = 0; i < set.rules.size(); ++i) {
    const CarrierRule& rule = set.rules[i];
    if (rule.rule_id.empty() || rule.rule_id.size() > 64) {
      return InvalidArgument(RuleField(i, "ruleId"), "CARRIER_RULE_INVALID", "a rule id of 1 to 64 characters");
    }
    if (!ids.insert(rule.rule_id).second) {
      return InvalidArgument(RuleField(i, "ruleId"), "CARRIER_RULE_INVALID", "rule ids must be unique");
    }
    if (rule.carrier.empty() || rule.carrier.size() > 32) {
      return InvalidArgument(RuleField(i, "carrier"), "CARRIER_RULE_INVALID", "a carrier of 1 to 32 characters");
    }
    if (rule.min_order_value < 0) {
      return InvalidArgument(RuleField(i, "minOrderValue"), "CARRIER_RULE_INVALID", "must not be negative");
    }
    if (rule.min_weight_grams < 0) {
      return InvalidArgument(RuleField(i, "minWeightGrams"), "CARRIER_RULE_INVALID", "must not be negative");
    }
    if (rule.fee.has_value() && (*rule.fee < 0 || *rule.fee > kMaxShippingFee)) {
      return InvalidArgument(RuleField(i, "fee"), "CARRIER_RULE_INVALID", "a fee of 0 to 1000000 fen");
    }
    catch_all = catch_all || IsCatchAll(rule);
  }
  if (!catch_all) {
    return InvalidArgument("rules", "CARRIER_RULES_NO_DEFAULT",
                           "one rule without conditions must catch every parcel the others do not");
  }
  for (size_t i = 0; i < set.transit_times.size(); ++i) {
    const TransitTime& t = set.transit_times[i];
    if (t.carrier.empty()) return InvalidArgument(TransitField(i, "carrier"), "CARRIER_RULE_INVALID", "required");
    if (t.warehouse_id.empty() || t.region.empty()) {
      return InvalidArgument(TransitField(i, t.region.empty() ? "region" : "warehouseId"), "CARRIER_RULE_INVALID",
                             "required; \"*\" matches any");
    }
    if (t.min_days < 0 || t.max_days < t.min_days || t.max_days > 60) {
      return InvalidArgument(TransitField(i, "maxDays"), "CARRIER_RULE_INVALID", "0 <= minDays <= maxDays <= 60 days");
    }
  }
  return absl::OkStatus();
}

std::optional<CarrierChoice> ChooseCarrier(const CarrierRuleSet& set, const ParcelFacts& parcel) {
  std::vector<size_t> order(set.rules.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return set.rules[a].priority < set.rules[b].priority; });
  for (size_t i : order) {
    const CarrierRule& rule = set.rules[i];
    if (Matches(rule, parcel)) return CarrierChoice{rule.carrier, rule.rule_id, rule.fee};
  }
  return std::nullopt;
}

std::optional<std::pair<int, int>> TransitDays(const CarrierRuleSet& set, const std::string& carrier,
                                               const std::string& warehouse_id, const std::string& region) {
  if (warehouse_id.empty()) {
    // Any warehouse may ship: span the best case of the fastest and the worst of the slowest.
    std::set<std::string> warehouses;
    for (const TransitTime& t : set.transit_times) {
      if (t.carrier == carrier) warehouses.insert(t.warehouse_id);
    }
    std::optional<std::pair<int, int>> span;
    for (const std::string& warehouse : warehouses) {
      std::optional<std::pair<int, int>> days = TransitDays(set, carrier, warehouse, region);
      if (!days) continue;
      if (!span) {
        span = days;
      } else {
        span->first = std::min(span->first, days->first);
        span->second = std::max(span->second, days->second);
      }
    }
    return span;
  }
  const TransitTime* best = nullptr;
  int best_score = -1;
  for (const TransitTime& t : set.transit_times) {
    if (t.carrier != carrier) continue;
    bool warehouse_exact = t.warehouse_id == warehouse_id;
    bool region_exact = t.region == region;
    if ((!warehouse_exact && t.warehouse_id != "*") || (!region_exact && t.region != "*")) continue;
    int score = (region_exact ? 2 : 0) + (warehouse_exact ? 1 : 0);
    if (score > best_score) {
      best = &t;
      best_score = score;
    }
  }
  if (best == nullptr) return std::nullopt;
  return std::make_pair(best->min_days, best->max_days);
}

absl::TimeZone ChinaTime() { return absl::FixedTimeZone(8 * 60 * 60); }

std::optional<DeliveryPromise> PromiseDelivery(const CarrierRuleSet& set, const std::string& carrier,
                                               const std::string& warehouse_id, const std::string& region,
                                               absl::Time from, int handling_days) {
  std::optional<std::pair<int, int>> days = TransitDays(set, carrier, warehouse_id, region);
  if (!days) return std::nullopt;
  absl::CivilDay leaves = absl::ToCivilDay(from, ChinaTime()) + handling_days;
  return DeliveryPromise{leaves + days->first, leaves + days->second};
}

}  // namespace zhongtai::order
