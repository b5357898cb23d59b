#include "services/marketing/domain/pricing.h"

#include <algorithm>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/money/apportion.h"
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

int64_t DiscountOf(const Promotion& promotion, const std::string& currency, int64_t subtotal) {
  if (promotion.currency != currency || subtotal < promotion.threshold || promotion.reduction <= 0) return 0;
  return std::min(promotion.reduction, subtotal);
}

Quote PriceLines(const std::vector<QuoteLineInput>& lines, const std::vector<Promotion>& candidates) {
  Quote quote;
  quote.currency = lines.empty() ? kDefaultCurrency : CurrencyOf(lines[0]);
  std::vector<int64_t> weights;
  for (const QuoteLineInput& line : lines) {
    QuotedLine out;
    out.sku_id = line.sku_id;
    out.quantity = line.quantity;
    out.unit_price = line.unit_price;
    out.subtotal = line.unit_price * line.quantity;
    quote.subtotal += out.subtotal;
    weights.push_back(out.subtotal);
    quote.lines.push_back(out);
  }

  const Promotion* best = nullptr;
  int64_t best_discount = 0;
  for (const Promotion& promotion : candidates) {
    int64_t discount = DiscountOf(promotion, quote.currency, quote.subtotal);
    if (discount <= 0) continue;
    bool better = best == nullptr || discount > best_discount ||
                  (discount == best_discount && std::tie(promotion.created_at, promotion.promotion_id) <
                                                    std::tie(best->created_at, best->promotion_id));
    if (better) {
      best = &promotion;
      best_discount = discount;
    }
  }

  quote.discount = best_discount;
  quote.total = quote.subtotal - quote.discount;
  std::vector<int64_t> shares = money::Apportion(quote.discount, weights);
  for (size_t i = 0; i < quote.lines.size(); ++i) {
    quote.lines[i].discount = shares[i];
    quote.lines[i].total = quote.lines[i].subtotal - shares[i];
  }
  if (best != nullptr) quote.applied.push_back({best->promotion_id, best->name, best_discount});
  return quote;
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
