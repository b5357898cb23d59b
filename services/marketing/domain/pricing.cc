#include "services/marketing/domain/pricing.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
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

absl::Status ValidatePromotion(const Promotion& promotion) {
  if (promotion.name.empty()) return InvalidArgument("promotion.name", "NAME_MISSING", "name is required");
  if (Utf8Chars(promotion.name) > 100) {
    return InvalidArgument("promotion.name", "NAME_TOO_LONG", "name must have at most 100 characters");
  }
  if (!IsCurrencyCode(promotion.currency)) {
    return InvalidArgument("promotion.thresholdReduction.threshold.currency", "CURRENCY_INVALID",
                           "currency must be an ISO 4217 code");
  }
  if (promotion.reduction <= 0) {
    return InvalidArgument("promotion.thresholdReduction.reduction.amountMinor", "REDUCTION_NOT_POSITIVE",
                           "reduction must be positive");
  }
  if (promotion.threshold < promotion.reduction) {
    return InvalidArgument("promotion.thresholdReduction.threshold.amountMinor", "THRESHOLD_BELOW_REDUCTION",
                           "threshold must be at least the reduction");
  }
  if (promotion.end_time <= promotion.start_time) {
    return InvalidArgument("promotion.endTime", "END_BEFORE_START", "end time must be after start time");
  }
  return absl::OkStatus();
}

}  // namespace zhongtai::marketing
