#include "services/user/domain/membership_rules.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::user {
namespace {

constexpr int kMaxBenefitIdChars = 64;

std::string Field(size_t index, const char* name) { return absl::StrCat("tiers[", index, "].", name); }

// Characters, not bytes: tier names are usually Chinese.
size_t Utf8Chars(const std::string& text) {
  size_t chars = 0;
  for (unsigned char c : text) chars += (c & 0xC0) != 0x80 ? 1 : 0;
  return chars;
}

TierRule Rule(Tier tier, const char* name, int64_t threshold, const char* price_tier, int multiplier,
              std::optional<int64_t> free_shipping, const char* coupon) {
  TierRule rule;
  rule.tier = tier;
  rule.name = name;
  rule.growth_threshold = threshold;
  rule.member_price_tier = price_tier;
  rule.points_multiplier_percent = multiplier;
  rule.free_shipping_threshold_minor = free_shipping;
  rule.birthday_coupon_template_id = coupon;
  return rule;
}

}  // namespace

const char* TierCode(Tier tier) {
  switch (tier) {
    case Tier::kNormal: return "normal";
    case Tier::kSilver: return "silver";
    case Tier::kGold: return "gold";
    case Tier::kDiamond: return "diamond";
  }
  return "normal";
}

bool ParseTier(const std::string& code, Tier* tier) {
  for (int rank = 0; rank < kTierCount; ++rank) {
    if (code == TierCode(static_cast<Tier>(rank))) {
      *tier = static_cast<Tier>(rank);
      return true;
    }
  }
  return false;
}

const char* TierChangeCauseName(TierChangeCause cause) {
  return cause == TierChangeCause::kGrowth ? "growth" : "evaluation";
}

TierTable DefaultTierTable() {
  TierTable table;
  table.rules = {
      Rule(Tier::kNormal, "普通会员", 0, "", 100, std::nullopt, ""),
      Rule(Tier::kSilver, "银卡", 1000, "silver", 120, 9900, ""),
      Rule(Tier::kGold, "金卡", 5000, "gold", 150, 4900, ""),
      Rule(Tier::kDiamond, "钻石卡", 20000, "diamond", 200, 0, ""),
  };
  return table;
}

absl::Status ValidateTierTable(const TierTable& table) {
  if (table.rules.size() != static_cast<size_t>(kTierCount)) {
    return InvalidArgument("tiers", "TIERS_INCOMPLETE", "the table has exactly normal, silver, gold and diamond");
  }
  for (size_t i = 0; i < table.rules.size(); ++i) {
    const TierRule& rule = table.rules[i];
    if (static_cast<size_t>(rule.tier) != i) {
      return InvalidArgument(Field(i, "tier"), "TIERS_INCOMPLETE",
                             "tiers are listed once each in rank order: normal, silver, gold, diamond");
    }
    const size_t name_chars = Utf8Chars(rule.name);
    if (name_chars == 0 || name_chars > static_cast<size_t>(kMaxTierNameChars)) {
      return InvalidArgument(Field(i, "name"), "TIER_NAME_INVALID",
                             absl::StrCat("a tier's name has 1 to ", kMaxTierNameChars, " characters"));
    }
    if (i == 0 && rule.growth_threshold != 0) {
      return InvalidArgument(Field(i, "growthThreshold"), "TIER_THRESHOLD_INVALID",
                             "the normal tier starts at growth 0");
    }
    if (i > 0 && rule.growth_threshold <= table.rules[i - 1].growth_threshold) {
      return InvalidArgument(Field(i, "growthThreshold"), "TIER_THRESHOLDS_NOT_INCREASING",
                             "each tier needs more growth than the one below it");
    }
    if (rule.points_multiplier_percent < kMinPointsMultiplierPercent ||
        rule.points_multiplier_percent > kMaxPointsMultiplierPercent) {
      return InvalidArgument(Field(i, "pointsMultiplierPercent"), "TIER_MULTIPLIER_INVALID",
                             absl::StrCat("the points multiplier is 0 to ", kMaxPointsMultiplierPercent, " percent"));
    }
    if (rule.free_shipping_threshold_minor && *rule.free_shipping_threshold_minor < 0) {
      return InvalidArgument(Field(i, "freeShippingThreshold"), "TIER_FREE_SHIPPING_INVALID",
                             "the free-shipping threshold is 0 or more");
    }
    if (rule.member_price_tier.size() > static_cast<size_t>(kMaxBenefitIdChars) ||
        rule.birthday_coupon_template_id.size() > static_cast<size_t>(kMaxBenefitIdChars)) {
      return InvalidArgument(Field(i, "birthdayCouponTemplateId"), "TIER_BENEFIT_INVALID",
                             absl::StrCat("benefit ids have at most ", kMaxBenefitIdChars, " characters"));
    }
  }
  return absl::OkStatus();
}

Tier QualifiedTier(const TierTable& table, int64_t growth) {
  Tier qualified = Tier::kNormal;
  for (const TierRule& rule : table.rules) {
    if (growth >= rule.growth_threshold) qualified = std::max(qualified, rule.tier);
  }
  return qualified;
}

const TierRule& RuleOf(const TierTable& table, Tier tier) {
  for (const TierRule& rule : table.rules) {
    if (rule.tier == tier) return rule;
  }
  return table.rules.front();
}

Tier TierAfterGrowth(Tier current, Tier qualified) { return std::max(current, qualified); }

Tier TierAfterEvaluation(Tier current, Tier qualified) {
  if (qualified >= current) return qualified;
  return static_cast<Tier>(static_cast<int>(current) - 1);
}

int64_t GrowthForPaidAmount(int64_t amount_minor) { return std::max<int64_t>(0, amount_minor / 100); }

int64_t PointsForPaidAmount(int64_t amount_minor, int multiplier_percent) {
  return GrowthForPaidAmount(amount_minor) * multiplier_percent / 100;
}

int64_t RefundedShare(int64_t earned, int64_t paid_minor, int64_t refunded_minor, bool full) {
  if (earned <= 0) return 0;
  if (full || paid_minor <= 0 || refunded_minor >= paid_minor) return earned;
  if (refunded_minor <= 0) return 0;
  // 128 bits: points times fen overflows 64 bits for large orders.
  return static_cast<int64_t>(static_cast<__int128>(earned) * refunded_minor / paid_minor);
}

}  // namespace zhongtai::user
