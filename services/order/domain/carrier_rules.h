// Which carrier ships a parcel, and when it should arrive. Both are data an operator edits (GET/POST
// /v1/admin/carrier-rules): rules are tried in priority order and the first whose conditions all hold chooses the
// carrier; transit times per carrier, warehouse and region give the delivery promise. The rule that chose is recorded
// on the shipment, so "why did this go by SF?" always has an answer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace zhongtai::order {

// The highest shipping fee a rule may charge, fen (¥10,000), as for the shop's flat fee.
inline constexpr int64_t kMaxShippingFee = 1000000;

// Every condition that is set must hold; an empty rule matches every parcel (a catch-all).
struct CarrierRule {
  std::string rule_id;
  int priority = 0;  // lower is tried first
  std::string carrier;
  int64_t min_order_value = 0;          // fen; the parcel's goods are worth at least this (0: any)
  int64_t min_weight_grams = 0;         // 0: any
  std::vector<std::string> regions;     // province codes ("650000"); empty: any
  std::vector<std::string> warehouses;  // empty: any
  bool fragile_only = false;            // only parcels holding a SKU of a fragile category
  // What the buyer pays for shipping when this rule carries the order (fen, before the tier's free shipping);
  // unset: the shop's flat fee.
  std::optional<int64_t> fee;
};

// Days on the road from a warehouse to a province, for one carrier. "*" as warehouse or region matches any; the most
// specific entry wins (warehouse and region, then region, then warehouse, then neither).
struct TransitTime {
  std::string carrier;
  std::string warehouse_id = "*";
  std::string region = "*";
  int min_days = 0;
  int max_days = 0;
};

struct CarrierRuleSet {
  std::vector<CarrierRule> rules;
  std::vector<TransitTime> transit_times;
};

// What the rules look at.
struct ParcelFacts {
  int64_t value = 0;  // fen, goods after discounts
  int64_t weight_grams = 0;
  std::string region;        // province code of the shipping address
  std::string warehouse_id;  // empty before a warehouse is known (checkout quote): rules naming warehouses skip it
  bool fragile = false;
};

struct CarrierChoice {
  std::string carrier;
  std::string rule_id;
  std::optional<int64_t> fee;  // the rule's shipping fee
};

// The earliest and latest calendar day (China time) the parcel should arrive.
struct DeliveryPromise {
  absl::CivilDay earliest;
  absl::CivilDay latest;
};

// Provinces reached reliably only by the postal service: Xinjiang, Tibet, Qinghai, Inner Mongolia, Gansu, Ningxia.
const std::vector<std::string>& RemoteRegions();

// The rules a new installation starts with: goods over ¥500 or fragile ones go by SF (顺丰); remote provinces by EMS;
// everything else by ZTO (中通). Transit: 1-2 days (SF), 2-4 days (ZTO), 3-6 days (EMS), remote provinces 5-9 days.
CarrierRuleSet DefaultCarrierRules();

// Refuses rules an operator could not have meant: missing ids or carriers, duplicate ids, negative thresholds or fees,
// transit ranges that end before they start, or no catch-all (a parcel no rule matches would have no carrier).
// INVALID_ARGUMENT naming the field, e.g. rules[2].carrier.
absl::Status ValidateCarrierRules(const CarrierRuleSet& rules);

// The first rule (by priority, then position) whose conditions hold; nullopt when none does.
std::optional<CarrierChoice> ChooseCarrier(const CarrierRuleSet& rules, const ParcelFacts& parcel);

// Transit days of `carrier` from `warehouse_id` to `region` (most specific entry); nullopt when no entry covers it.
// With an empty warehouse (not known yet), the range spans every warehouse's entry for the region.
std::optional<std::pair<int, int>> TransitDays(const CarrierRuleSet& rules, const std::string& carrier,
                                               const std::string& warehouse_id, const std::string& region);

// Leaves the warehouse `handling_days` after `from` (the day it ships when already shipped: 0), then transit.
std::optional<DeliveryPromise> PromiseDelivery(const CarrierRuleSet& rules, const std::string& carrier,
                                               const std::string& warehouse_id, const std::string& region,
                                               absl::Time from, int handling_days);

// China Standard Time (UTC+8, no daylight saving): the calendar delivery days are counted in.
absl::TimeZone ChinaTime();

}  // namespace zhongtai::order
