#include "services/product/domain/cost_price.h"

#include "common/status/status.h"

namespace zhongtai::product {

absl::Status ValidateCostPrice(const std::optional<Money>& cost, const Money& price, const std::string& field) {
  if (!cost) return absl::OkStatus();
  if (cost->currency != price.currency) {
    return InvalidArgument(field + ".currency", "COST_CURRENCY_MISMATCH",
                           "the cost price is in the currency of the sku's price");
  }
  if (cost->amount_minor < 0) {
    return InvalidArgument(field + ".amountMinor", "PRICE_NEGATIVE", "cost price must not be negative");
  }
  return absl::OkStatus();
}

absl::Status ValidateSkuWeight(int64_t weight_grams, const std::string& field) {
  if (weight_grams < 0 || weight_grams > kMaxSkuWeightGrams) {
    return InvalidArgument(field, "SKU_WEIGHT_INVALID", "weight in grams, 0 to 1000000");
  }
  return absl::OkStatus();
}

std::optional<int64_t> MarginBasisPoints(const Money& price, const std::optional<Money>& cost) {
  if (!cost || cost->currency != price.currency || price.amount_minor <= 0) return std::nullopt;
  return (price.amount_minor - cost->amount_minor) * 10000 / price.amount_minor;
}

}  // namespace zhongtai::product
