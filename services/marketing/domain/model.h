// The marketing center's plain data: promotions (满X减Y) and price quotes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace zhongtai::marketing {

enum class PromotionStatus { kActive, kPaused };

// 满X减Y: when an order's subtotal reaches `threshold`, `reduction` comes off. Amounts in minor units.
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
};

struct QuotedLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  int64_t subtotal = 0;  // unit_price * quantity
  int64_t discount = 0;  // this line's share of the order discount
  int64_t total = 0;     // subtotal - discount
};

struct AppliedPromotion {
  std::string promotion_id;
  std::string name;
  int64_t discount = 0;
};

struct Quote {
  std::string currency;
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  std::vector<QuotedLine> lines;
  std::vector<AppliedPromotion> applied;
};

}  // namespace zhongtai::marketing
