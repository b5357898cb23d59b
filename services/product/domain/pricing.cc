#include "services/product/domain/pricing.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

// Lower is named first on a tie.
int Precedence(const PriceRule& rule) { return rule.has_window() ? 0 : 1; }

std::string RuleName(const PriceRule& rule) {
  if (rule.has_window()) return absl::StrCat("scheduled:", rule.label);
  return absl::StrCat("member:", MemberTierName(*rule.tier));
}

}  // namespace

const char* MemberTierName(MemberTier tier) {
  switch (tier) {
    case MemberTier::kNormal: return "normal";
    case MemberTier::kSilver: return "silver";
    case MemberTier::kGold: return "gold";
    case MemberTier::kDiamond: return "diamond";
  }
  return "normal";
}

absl::Status ValidatePriceRules(const std::vector<PriceRule>& rules) {
  if (rules.size() > static_cast<size_t>(kMaxPriceRulesPerSku)) {
    return InvalidArgument("rules", "TOO_MANY_PRICE_RULES", absl::StrCat("at most ", kMaxPriceRulesPerSku, " rules"));
  }
  std::set<MemberTier> member_tiers;
  for (size_t i = 0; i < rules.size(); ++i) {
    const PriceRule& rule = rules[i];
    std::string field = absl::StrCat("rules[", i, "]");
    if (rule.amount_minor < 0) {
      return InvalidArgument(field + ".price.amountMinor", "PRICE_NEGATIVE", "price must not be negative");
    }
    if (rule.label.empty() || rule.label.size() > 64) {
      return InvalidArgument(field + ".label", "FIELD_REQUIRED", "a label of 1 to 64 bytes names the rule");
    }
    if (rule.has_window() && rule.valid_from >= rule.valid_to) {
      return InvalidArgument(field + ".validTo", "INVALID_TIME_RANGE", "a scheduled price ends after it starts");
    }
    if (!rule.has_window()) {
      if (!rule.tier) {
        return InvalidArgument(field + ".tier", "FIELD_REQUIRED",
                               "a price for everyone needs a window (validFrom/validTo); else change the list price");
      }
      if (!member_tiers.insert(*rule.tier).second) {
        return InvalidArgument(field + ".tier", "DUPLICATE_MEMBER_PRICE", "one member price per tier");
      }
    }
  }
  return absl::OkStatus();
}

PriceQuote QuotePrice(int64_t list_price, const std::vector<PriceRule>& rules, MemberTier tier, absl::Time at) {
  PriceQuote best{list_price, "list"};
  int best_precedence = 2;
  for (const PriceRule& rule : rules) {
    if (rule.tier && *rule.tier != tier) continue;
    if (at < rule.valid_from || at >= rule.valid_to) continue;
    int precedence = Precedence(rule);
    if (rule.amount_minor < best.amount_minor ||
        (rule.amount_minor == best.amount_minor && precedence < best_precedence)) {
      best = {rule.amount_minor, RuleName(rule)};
      best_precedence = precedence;
    }
  }
  return best;
}

absl::StatusOr<std::vector<PriceRule>> Pricing::ReplaceRules(const std::string& sku_id,
                                                             const std::vector<PriceRule>& rules) {
  RETURN_IF_ERROR(ValidatePriceRules(rules));
  ProductEvent event;
  event.type = ProductEvent::Type::kPriceRulesChanged;
  event.sku_id = sku_id;
  event.at = clock_.Now();
  return store_.ReplacePriceRules(sku_id, rules, event);
}

absl::Status Pricing::Quote(std::vector<Sku>& skus, MemberTier tier, std::optional<absl::Time> at) {
  std::vector<std::string> ids;
  for (const Sku& sku : skus) ids.push_back(sku.sku_id);
  ASSIGN_OR_RETURN(auto rules, store_.GetPriceRules(ids));
  absl::Time when = at.value_or(clock_.Now());
  for (Sku& sku : skus) {
    sku.list_price = sku.price;
    PriceQuote quote = QuotePrice(sku.price.amount_minor, rules[sku.sku_id], tier, when);
    sku.price.amount_minor = quote.amount_minor;
    sku.price_rule = quote.rule;
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::product
