// Membership's plain data: the tiers (normal, silver 银卡, gold 金卡, diamond 钻石卡) with their growth thresholds
// and benefits, a member's tier and growth (成长值), and the tier history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhongtai::user {

// In rank order; the rank is the enum's value.
enum class Tier { kNormal = 0, kSilver = 1, kGold = 2, kDiamond = 3 };
inline constexpr int kTierCount = 4;
const char* TierCode(Tier tier);  // "normal", "silver", "gold", "diamond"
bool ParseTier(const std::string& code, Tier* tier);

// One row of the tier table: what it takes and what it gives.
struct TierRule {
  Tier tier = Tier::kNormal;
  std::string name;                                      // shown to customers, e.g. "金卡"
  int64_t growth_threshold = 0;                          // growth within the rolling window that qualifies
  std::string member_price_tier;                         // which member price the marketing center applies; empty: none
  int points_multiplier_percent = 100;                   // points per yuan paid x this / 100
  std::optional<int64_t> free_shipping_threshold_minor;  // orders from this amount (fen) ship free; none: no benefit
  std::string birthday_coupon_template_id;               // the coupon issued on the birthday; empty: none
};

// The whole table, normal first.
struct TierTable {
  std::vector<TierRule> rules;
  absl::Time updated_at;
};

struct Member {
  std::string user_id;
  Tier tier = Tier::kNormal;
  absl::Time tier_since;
  absl::Time evaluated_at;  // the last daily re-evaluation
};

// Why a tier changed, for the history and the TierChanged event.
enum class TierChangeCause { kGrowth, kEvaluation };
const char* TierChangeCauseName(TierChangeCause cause);  // "growth", "evaluation"

struct TierChange {
  std::string user_id;
  Tier from = Tier::kNormal;
  Tier to = Tier::kNormal;
  int64_t growth = 0;  // the rolling-window growth that decided it
  TierChangeCause cause = TierChangeCause::kGrowth;
  absl::Time at;
};

// Growth one paid order brought (net: zero once the order is reversed).
struct OrderGrowth {
  std::string order_id;
  std::string user_id;
  int64_t growth = 0;
  int64_t amount_minor = 0;
  absl::Time paid_at;
  std::optional<absl::Time> reversed_at;
  // The member's tier when the order was paid (set by the store): the points rate of the order.
  Tier tier_at_payment = Tier::kNormal;
  // Partial refunds so far: the money refunded (at most amount_minor) and the growth they took back; the growth
  // that counts is growth - growth_reversed (nothing once reversed_at is set).
  int64_t refunded_minor = 0;
  int64_t growth_reversed = 0;
};

// A refund of part (or the rest) of a paid order, once per refund id (the after-sales return).
struct OrderRefund {
  std::string order_id;
  std::string refund_id;
  int64_t amount_minor = 0;  // refunded, fen
  bool full = false;         // the order center says the order is now fully refunded
  absl::Time at;
};

}  // namespace zhongtai::user
