#include "services/marketing/domain/pricing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::marketing {

absl::Status ValidateShipTo(const ShipTo& ship_to) {
  auto division_code = [](const std::string& code) {
    return code.size() == 6 && std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!ship_to.province_code.empty() && !division_code(ship_to.province_code)) {
    return InvalidArgument("shipProvinceCode", "REGION_CODE_INVALID", "a province code is 6 digits");
  }
  if (!ship_to.city_code.empty() && (ship_to.province_code.empty() || !division_code(ship_to.city_code))) {
    return InvalidArgument("shipCityCode", "REGION_CODE_INVALID", "a city code is 6 digits, with its province");
  }
  return absl::OkStatus();
}

namespace {

std::string CurrencyOf(const QuoteLineInput& line) { return line.currency.empty() ? kDefaultCurrency : line.currency; }

bool IsCurrencyCode(const std::string& code) {
  return code.size() == 3 && std::all_of(code.begin(), code.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

int Utf8Chars(const std::string& s) {
  int chars = 0;
  for (unsigned char c : s) chars += (c & 0xc0) != 0x80;
  return chars;
}

}  // namespace

absl::Status ValidateQuoteLines(const std::vector<QuoteLineInput>& lines) {
  if (lines.empty()) return InvalidArgument("lines", "LINES_EMPTY", "at least one line is required");
  const std::string currency = CurrencyOf(lines[0]);
  int64_t subtotal = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    const QuoteLineInput& line = lines[i];
    const std::string at = absl::StrCat("lines[", i, "]");
    if (line.sku_id.empty()) return InvalidArgument(at + ".skuId", "SKU_ID_MISSING", "sku id is required");
    if (line.quantity <= 0) {
      return InvalidArgument(at + ".quantity", "QUANTITY_NOT_POSITIVE", "quantity must be positive");
    }
    if (line.unit_price < 0) {
      return InvalidArgument(at + ".unitPrice.amountMinor", "PRICE_NEGATIVE", "unit price must not be negative");
    }
    if (!IsCurrencyCode(CurrencyOf(line))) {
      return InvalidArgument(at + ".unitPrice.currency", "CURRENCY_INVALID", "currency must be an ISO 4217 code");
    }
    if (CurrencyOf(line) != currency) {
      return InvalidArgument(at + ".unitPrice.currency", "CURRENCY_MISMATCH", "all lines must use one currency");
    }
    int64_t amount = 0;
    if (__builtin_mul_overflow(line.unit_price, line.quantity, &amount) ||
        __builtin_add_overflow(subtotal, amount, &subtotal)) {
      return InvalidArgument(at + ".quantity", "AMOUNT_TOO_LARGE", "amount is too large");
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status RuleInvalid(const std::string& field, const std::string& message) {
  return InvalidArgument(field, "RULE_INVALID", message);
}

absl::Status RequirePositive(int64_t value, const std::string& field, const std::string& what) {
  return value > 0 ? absl::OkStatus() : RuleInvalid(field, what + " must be positive");
}

absl::Status RequireNotNegative(int64_t value, const std::string& field, const std::string& what) {
  return value >= 0 ? absl::OkStatus() : RuleInvalid(field, what + " must not be negative");
}

absl::Status RequireBasisPoints(int32_t bp, const std::string& field) {
  if (bp <= 0 || bp > 10000) return RuleInvalid(field, "percent off is in basis points, 1 to 10000");
  return absl::OkStatus();
}

absl::Status ValidateIdList(const std::vector<std::string>& ids, const std::string& field) {
  if (ids.size() > kMaxIdsPerList) return RuleInvalid(field, "too many ids");
  for (size_t i = 0; i < ids.size(); ++i) {
    if (ids[i].empty() || ids[i].size() > 100) {
      return RuleInvalid(absl::StrCat(field, "[", i, "]"), "ids are 1 to 100 characters");
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateLegacyReduction(const Promotion& promotion) {
  if (promotion.reduction <= 0) {
    return InvalidArgument("promotion.thresholdReduction.reduction.amountMinor", "REDUCTION_NOT_POSITIVE",
                           "reduction must be positive");
  }
  if (promotion.threshold < promotion.reduction) {
    return InvalidArgument("promotion.thresholdReduction.threshold.amountMinor", "THRESHOLD_BELOW_REDUCTION",
                           "threshold must be at least the reduction");
  }
  return absl::OkStatus();
}

absl::Status ValidateTieredReduction(const Promotion& p) {
  const std::string at = "promotion.tieredReduction";
  if (p.tiers.empty() && p.every_amount <= 0) {
    return RuleInvalid(at + ".tiers", "tiers or every amount (每满) are required");
  }
  if (p.tiers.size() > kMaxTiers) return RuleInvalid(at + ".tiers", "too many tiers");
  for (size_t i = 0; i < p.tiers.size(); ++i) {
    const std::string tier = absl::StrCat(at, ".tiers[", i, "]");
    RETURN_IF_ERROR(RequirePositive(p.tiers[i].reduction, tier + ".reduction.amountMinor", "reduction"));
    if (p.tiers[i].threshold < p.tiers[i].reduction) {
      return InvalidArgument(tier + ".threshold.amountMinor", "THRESHOLD_BELOW_REDUCTION",
                             "threshold must be at least the reduction");
    }
    if (i > 0 &&
        (p.tiers[i].threshold <= p.tiers[i - 1].threshold || p.tiers[i].reduction <= p.tiers[i - 1].reduction)) {
      return RuleInvalid(tier + ".threshold.amountMinor", "tiers go up in both threshold and reduction");
    }
  }
  if (p.every_amount > 0) {
    RETURN_IF_ERROR(RequirePositive(p.every_reduction, at + ".everyReduction.amountMinor", "every reduction"));
    if (p.every_reduction > p.every_amount) {
      return RuleInvalid(at + ".everyReduction.amountMinor", "every reduction must not exceed every amount");
    }
  } else if (p.every_amount < 0 || p.every_reduction != 0 || p.every_cap != 0) {
    return RuleInvalid(at + ".everyAmount.amountMinor", "every amount must be positive when 每满 is used");
  }
  return RequireNotNegative(p.every_cap, at + ".everyCap.amountMinor", "cap");
}

absl::Status ValidateRule(const Promotion& p) {
  switch (p.kind) {
    case PromotionKind::kThresholdReduction:
      if (p.tiers.empty() && p.every_amount == 0 && p.every_reduction == 0) return ValidateLegacyReduction(p);
      return ValidateTieredReduction(p);
    case PromotionKind::kThresholdPercent:
      RETURN_IF_ERROR(
          RequireNotNegative(p.threshold, "promotion.thresholdPercentOff.threshold.amountMinor", "threshold"));
      return RequireBasisPoints(p.percent_off_bp, "promotion.thresholdPercentOff.percentOffBp");
    case PromotionKind::kItemDiscount:
      RETURN_IF_ERROR(
          RequireNotNegative(p.fixed_off_per_unit, "promotion.itemDiscount.fixedOffPerUnit.amountMinor", "fixed off"));
      if (p.percent_off_bp == 0 && p.fixed_off_per_unit == 0) {
        return RuleInvalid("promotion.itemDiscount.percentOffBp", "percent off or fixed off is required");
      }
      return p.percent_off_bp == 0 ? absl::OkStatus()
                                   : RequireBasisPoints(p.percent_off_bp, "promotion.itemDiscount.percentOffBp");
    case PromotionKind::kQuantityPrice:
      if (p.group_quantity < 2 || p.group_quantity > 1000) {
        return RuleInvalid("promotion.quantityPrice.quantity", "quantity is 2 to 1000");
      }
      return RequireNotNegative(p.group_price, "promotion.quantityPrice.price.amountMinor", "price");
    case PromotionKind::kNthItemDiscount:
      if (p.nth < 2 || p.nth > 1000) return RuleInvalid("promotion.nthItemDiscount.nth", "nth is 2 to 1000");
      return RequireBasisPoints(p.percent_off_bp, "promotion.nthItemDiscount.percentOffBp");
    case PromotionKind::kBundle:
      if (p.bundle_sku_ids.size() < 2) return RuleInvalid("promotion.bundle.skuIds", "a bundle has at least 2 SKUs");
      RETURN_IF_ERROR(ValidateIdList(p.bundle_sku_ids, "promotion.bundle.skuIds"));
      return RequireNotNegative(p.bundle_price, "promotion.bundle.price.amountMinor", "price");
    case PromotionKind::kGift:
      if (p.gift_sku_id.empty() || p.gift_sku_id.size() > 100) {
        return RuleInvalid("promotion.gift.skuId", "gift SKU id is 1 to 100 characters");
      }
      if (p.gift_quantity < 1 || p.gift_quantity > 100) {
        return RuleInvalid("promotion.gift.quantity", "gift quantity is 1 to 100");
      }
      RETURN_IF_ERROR(RequireNotNegative(p.threshold, "promotion.gift.threshold.amountMinor", "threshold"));
      return RequireNotNegative(p.min_quantity, "promotion.gift.minQuantity", "minimum quantity");
  }
  return absl::OkStatus();
}

absl::Status ValidateScopeAndEligibility(const Promotion& p) {
  RETURN_IF_ERROR(ValidateIdList(p.scope.category_ids, "promotion.scope.categoryIds"));
  RETURN_IF_ERROR(ValidateIdList(p.scope.brand_ids, "promotion.scope.brandIds"));
  RETURN_IF_ERROR(ValidateIdList(p.scope.sku_ids, "promotion.scope.skuIds"));
  RETURN_IF_ERROR(ValidateIdList(p.scope.excluded_category_ids, "promotion.scope.excludedCategoryIds"));
  RETURN_IF_ERROR(ValidateIdList(p.scope.excluded_brand_ids, "promotion.scope.excludedBrandIds"));
  RETURN_IF_ERROR(ValidateIdList(p.scope.excluded_sku_ids, "promotion.scope.excludedSkuIds"));
  if (!p.scope.all_products && p.scope.category_ids.empty() && p.scope.brand_ids.empty() && p.scope.sku_ids.empty()) {
    return RuleInvalid("promotion.scope", "a scope that is not all products lists categories, brands or SKUs");
  }
  RETURN_IF_ERROR(ValidateIdList(p.eligibility.member_tiers, "promotion.eligibility.memberTiers"));
  RETURN_IF_ERROR(ValidateIdList(p.eligibility.user_tags, "promotion.eligibility.userTags"));
  return ValidateIdList(p.eligibility.channels, "promotion.eligibility.channels");
}

}  // namespace

absl::Status ValidatePromotion(const Promotion& promotion) {
  if (promotion.name.empty()) return InvalidArgument("promotion.name", "NAME_MISSING", "name is required");
  if (Utf8Chars(promotion.name) > 100) {
    return InvalidArgument("promotion.name", "NAME_TOO_LONG", "name must have at most 100 characters");
  }
  if (!IsCurrencyCode(promotion.currency)) {
    const bool legacy =
        promotion.kind == PromotionKind::kThresholdReduction && promotion.tiers.empty() && promotion.every_amount == 0;
    return InvalidArgument(legacy ? "promotion.thresholdReduction.threshold.currency" : "promotion.currency",
                           "CURRENCY_INVALID", "currency must be an ISO 4217 code");
  }
  RETURN_IF_ERROR(ValidateRule(promotion));
  RETURN_IF_ERROR(ValidateScopeAndEligibility(promotion));
  if (promotion.budget_remaining.has_value() && *promotion.budget_remaining < 0) {
    return RuleInvalid("promotion.budgetRemaining.amountMinor", "budget must not be negative");
  }
  if (promotion.end_time <= promotion.start_time) {
    return InvalidArgument("promotion.endTime", "END_BEFORE_START", "end time must be after start time");
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::marketing
