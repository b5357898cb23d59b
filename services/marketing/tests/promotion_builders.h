// Promotions and cart lines for unit tests of the promotion rules and the best-price search.
#pragma once

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing::testing {

inline const absl::Time kQuoteTime = absl::FromUnixSeconds(1'800'000'000);

inline Promotion Active(const std::string& id, PromotionKind kind, PromotionLayer layer,
                        Exclusivity exclusivity = Exclusivity::kNone) {
  Promotion p;
  p.promotion_id = id;
  p.name = id;
  p.currency = "CNY";
  p.kind = kind;
  p.layer = layer;
  p.exclusivity = exclusivity;
  p.start_time = kQuoteTime - absl::Hours(1);
  p.end_time = kQuoteTime + absl::Hours(1);
  return p;
}

inline Promotion Tiered(const std::string& id, std::vector<ReductionTier> tiers,
                        Exclusivity exclusivity = Exclusivity::kNone) {
  Promotion p = Active(id, PromotionKind::kThresholdReduction, PromotionLayer::kOrder, exclusivity);
  p.tiers = std::move(tiers);
  return p;
}

inline Promotion PercentOffItems(const std::string& id, int32_t basis_points,
                                 Exclusivity exclusivity = Exclusivity::kNone) {
  Promotion p = Active(id, PromotionKind::kItemDiscount, PromotionLayer::kItem, exclusivity);
  p.percent_off_bp = basis_points;
  return p;
}

inline QuoteLineInput Item(const std::string& sku, int64_t unit_price, int64_t quantity,
                           std::vector<std::string> category_path = {}, const std::string& brand = "") {
  QuoteLineInput line;
  line.sku_id = sku;
  line.currency = "CNY";
  line.unit_price = unit_price;
  line.quantity = quantity;
  line.category_path = std::move(category_path);
  line.brand_id = brand;
  return line;
}

}  // namespace zhongtai::marketing::testing
