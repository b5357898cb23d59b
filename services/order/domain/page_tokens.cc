#include "services/order/domain/page_tokens.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/status/status.h"

namespace zhongtai::order {

std::string EncodeOrderCursor(const OrderCursor& cursor) {
  return absl::WebSafeBase64Escape(absl::StrCat(cursor.created_micros, "|", cursor.order_id));
}

absl::StatusOr<OrderCursor> DecodeOrderCursor(const std::string& token) {
  std::string decoded;
  std::vector<std::string> parts;
  if (absl::WebSafeBase64Unescape(token, &decoded)) parts = absl::StrSplit(decoded, absl::MaxSplits('|', 1));
  OrderCursor cursor;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &cursor.created_micros) ||
      cursor.created_micros < kEarliestCursorMicros || cursor.created_micros > kLatestCursorMicros ||
      parts[1].empty()) {
    return InvalidArgument("pageToken", "PAGE_TOKEN_INVALID", "the page token is not one this service issued");
  }
  cursor.order_id = std::move(parts[1]);
  return cursor;
}

}  // namespace zhongtai::order
