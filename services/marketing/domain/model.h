// The marketing center's plain data: promotions, their rules and price quotes. Amounts in minor units.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhongtai::marketing {

enum class PromotionStatus { kActive, kPaused };

enum class PromotionKind {
  kThresholdReduction,  // 满减: tiers (满300减40, 满500减80) and/or repeatable 每满 (every 100 off 10, capped)
  kThresholdPercent,    // 满折: spend `threshold` on the scope, get percent_off_bp off the scope
  kItemDiscount,        // percent (percent_off_bp) or fixed (fixed_off_per_unit) off each unit in scope
  kQuantityPrice,       // N件M元: every group_quantity units in scope cost group_price
  kNthItemDiscount,     // 第N件X折: every nth unit in scope (the cheapest ones) gets percent_off_bp off
  kBundle,              // 套装: one each of bundle_sku_ids costs bundle_price, as many complete sets as the cart has
  kGift,                // 赠品: spending `threshold` (or buying min_quantity units) in scope adds gift_sku_id at 0
};

// Applied in this order: item promotions on list prices, order promotions on what the item layer left, then coupons.
enum class PromotionLayer { kItem = 0, kOrder = 1, kCoupon = 2 };

enum class Exclusivity {
  kNone,         // stacks with anything
  kWithinLayer,  // no other promotion of its layer applies with it
  kAll,          // nothing else applies with it
};

// Which lines a promotion looks at. Empty include lists with all_products=false match nothing.
struct PromotionScope {
  bool all_products = true;
  std::vector<std::string> category_ids;  // a line matches when any id is on its category path (subtree)
  std::vector<std::string> brand_ids;
  std::vector<std::string> sku_ids;
  std::vector<std::string> excluded_category_ids;
  std::vector<std::string> excluded_brand_ids;
  std::vector<std::string> excluded_sku_ids;
};

// Who may get a promotion. Empty lists mean anyone.
struct Eligibility {
  std::vector<std::string> member_tiers;
  std::vector<std::string> user_tags;  // any one tag suffices
  bool new_customers_only = false;
  std::vector<std::string> channels;
};

struct ReductionTier {
  int64_t threshold = 0;
  int64_t reduction = 0;
};

// 满X减Y: when an order's subtotal reaches `threshold`, `reduction` comes off. Promotions created before rules
// existed keep threshold/reduction as their single tier; new kinds use the rule fields below.
struct Promotion {
  std::string promotion_id;
  std::string request_id;
  std::string name;
  std::string currency;
  int64_t threshold = 0;
  int64_t reduction = 0;
  absl::Time start_time;
  absl::Time end_time;  // exclusive
  PromotionStatus status = PromotionStatus::kActive;
  absl::Time created_at;

  PromotionKind kind = PromotionKind::kThresholdReduction;
  PromotionLayer layer = PromotionLayer::kOrder;
  Exclusivity exclusivity = Exclusivity::kWithinLayer;
  int priority = 0;  // higher first
  PromotionScope scope;
  Eligibility eligibility;
  std::optional<int64_t> budget_remaining;  // unlimited when empty

  std::vector<ReductionTier> tiers;  // kThresholdReduction; empty means {threshold, reduction}
  int64_t every_amount = 0;          // 每满: every `every_amount` in scope takes `every_reduction` off...
  int64_t every_reduction = 0;
  int64_t every_cap = 0;           // ...up to this much in total (0: no cap)
  int32_t percent_off_bp = 0;      // basis points off: 2000 is 20% off (八折)
  int64_t fixed_off_per_unit = 0;  // kItemDiscount
  int64_t group_quantity = 0;      // kQuantityPrice N
  int64_t group_price = 0;         // kQuantityPrice M
  int64_t nth = 0;                 // kNthItemDiscount
  std::vector<std::string> bundle_sku_ids;
  int64_t bundle_price = 0;
  std::string gift_sku_id;
  int64_t gift_quantity = 0;
  int64_t min_quantity = 0;  // kGift: units in scope needed instead of (or as well as) `threshold`
  // False: lines priced at a member price are outside the scope (the buyer gets the member price or the promotion,
  // never both on one line).
  bool combines_with_member_price = true;
};

struct PromotionPage {
  std::vector<Promotion> promotions;
  std::string next_page_token;  // empty at the end
};

struct QuoteLineInput {
  std::string sku_id;
  std::string currency;
  int64_t unit_price = 0;
  int64_t quantity = 0;
  std::vector<std::string> category_path;  // root first; scope by category matches any of them
  std::string brand_id;
  bool member_price = false;  // unit_price is the product center's member price for the buyer's tier
};

// Where an order ships (administrative division codes); empty when not known yet (a cart has no address).
struct ShipTo {
  std::string province_code;
  std::string city_code;
};

// Who is buying, for eligibility.
struct Shopper {
  std::string member_tier;
  std::vector<std::string> tags;
  bool new_customer = false;
  std::string channel;
  ShipTo ship_to;  // not for eligibility: a gift's stock is counted in the warehouses that ship there
};

// One promotion's part of one line's discount; refunds use it.
struct LineShare {
  std::string promotion_id;
  int64_t amount = 0;
};

// Where a quoted line's unit price comes from.
struct LinePriceOrigin {
  bool experiment = false;  // false: the catalogue price the order center passed (list, scheduled or member)
  std::string experiment_id;
  std::string arm;
  int64_t catalog_unit_price = 0;  // the price the order center passed
};

struct QuotedLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  int64_t subtotal = 0;  // unit_price * quantity
  int64_t discount = 0;  // sum of shares
  int64_t total = 0;     // subtotal - discount
  std::vector<LineShare> shares;
  bool gift = false;  // added by a gift promotion at price 0
  std::string gift_promotion_id;
  LinePriceOrigin origin;
};

struct AppliedPromotion {
  std::string promotion_id;
  std::string name;
  int64_t discount = 0;
  bool budgeted = false;  // it has a budget: an order placed with this discount charges it (Budgets)
};

enum class NotAppliedReason {
  kThresholdNotMet,   // amount_missing more in scope would make it apply
  kQuantityNotMet,    // quantity_missing more units in scope would make it apply
  kBundleIncomplete,  // missing_sku_ids complete a set
  kNoItemsInScope,
  kExcluded,       // by_promotion_id applies and does not combine with it
  kLessFavorable,  // it applies but the chosen combination pays less without it
  kBudgetSpent,
  kNotStarted,
  kEnded,
  kPaused,
  kNotEligible,
  kCurrencyMismatch,
  kCouponUnusable,      // the quote's coupon: coupon_reason says why (COUPON_EXPIRED, COUPON_USED, ...)
  kNotWithMemberPrice,  // it does not combine with member price, and without the member-priced lines it does not apply
  kGiftOutOfStock,      // a gift promotion whose gift SKU the product center cannot supply now (missing_sku_ids)
};

// Why a promotion did not apply, as data: the app words 凑单 hints ("add ¥31.00 more for 满300减40").
struct NotApplied {
  std::string promotion_id;
  std::string name;
  NotAppliedReason reason = NotAppliedReason::kThresholdNotMet;
  int64_t amount_missing = 0;
  int64_t quantity_missing = 0;
  std::vector<std::string> missing_sku_ids;
  std::string by_promotion_id;
  std::string coupon_reason;
};

struct Quote {
  std::string currency;
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  std::vector<QuotedLine> lines;  // the request's lines in order, then gift lines
  std::vector<AppliedPromotion> applied;
  std::vector<NotApplied> not_applied;
};

}  // namespace zhongtai::marketing
