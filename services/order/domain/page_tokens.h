// The page token of the order lists (a buyer's orders, the back office's list): the (created_at, order_id) of the
// last order of a page, opaque to clients. Decoded here, not in the stores, so that a token's numbers are checked
// before they reach SQL and the fuzz target (tests/fuzz/) reaches the decoder without a database.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"

namespace zhongtai::order {

// Microseconds since the epoch a cursor may carry: years 1..9999, what PostgreSQL's timestamptz arithmetic of the
// stores' queries accepts (a number outside made the query fail: a 500 for a client's made-up token).
inline constexpr int64_t kEarliestCursorMicros = -62135596800000000;
inline constexpr int64_t kLatestCursorMicros = 253402300799000000;

struct OrderCursor {
  int64_t created_micros = 0;
  std::string order_id;
};

std::string EncodeOrderCursor(const OrderCursor& cursor);
// INVALID_ARGUMENT PAGE_TOKEN_INVALID (field pageToken) for a token the service did not issue: not base64url,
// not "<micros>|<order id>", micros out of range, an empty order id.
absl::StatusOr<OrderCursor> DecodeOrderCursor(const std::string& token);

}  // namespace zhongtai::order
