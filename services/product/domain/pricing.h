// What a buyer pays for a SKU: its list price, a member price for the buyer's tier (normal, silver 银卡, gold 金卡,
// diamond 钻石卡; tiers belong to the user center), or a scheduled price valid from..to (a weekend price), for
// everyone or one tier. The lowest price that applies wins, and the quote names the rule that gave it.
// Promotions stay in marketing; they apply on top of this price.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/product/domain/catalogue_ports.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

inline constexpr int kMaxPriceRulesPerSku = 50;

// INVALID_ARGUMENT naming rules[i].<field>: amounts not negative, a label of 1..64 bytes, a window with from
// before to, at most one open-ended member price per tier, at most 50 rules.
absl::Status ValidatePriceRules(const std::vector<PriceRule>& rules);

struct PriceQuote {
  int64_t amount_minor = 0;
  std::string rule;  // "list", "member:gold", "scheduled:weekend"
};

// The lowest of the list price and every rule that applies to `tier` at `at`. On a tie, a scheduled price is
// named before a member price before the list price.
PriceQuote QuotePrice(int64_t list_price, const std::vector<PriceRule>& rules, MemberTier tier, absl::Time at);

class Pricing {
 public:
  Pricing(CatalogueStore& store, Clock& clock) : store_(store), clock_(clock) {}

  // Replaces the SKU's rules. NOT_FOUND SKU_NOT_FOUND.
  absl::StatusOr<std::vector<PriceRule>> ReplaceRules(const std::string& sku_id, const std::vector<PriceRule>& rules);
  // Sets each SKU's price to what a buyer of `tier` pays at `at` (nullopt: now), keeping the list price.
  absl::Status Quote(std::vector<Sku>& skus, MemberTier tier, std::optional<absl::Time> at);

 private:
  CatalogueStore& store_;
  Clock& clock_;
};

}  // namespace zhongtai::product
