// The back office's view of orders: every buyer's orders filtered by state, created time, channel, buyer and
// warehouse, a page at a time (keyset: newest first) or as a CSV export.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/order/domain/order.h"

namespace zhongtai::order {

struct AdminOrderFilter {
  // Internal states to match; empty: every state a buyer sees. StatusesShownAs builds it from a public state.
  std::vector<OrderStatus> statuses;
  absl::Time created_after = absl::InfinitePast();     // inclusive
  absl::Time created_before = absl::InfiniteFuture();  // exclusive
  std::string channel;
  std::string buyer_id;
  std::string warehouse_id;
};

// What the list and the export show of an order (no lines).
struct OrderSummary {
  std::string order_id;
  std::string buyer_id;
  OrderStatus status = OrderStatus::kPendingPayment;
  std::string channel;
  std::string currency = "CNY";
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t shipping_fee = 0;
  int64_t points_deduction = 0;
  int64_t total = 0;
  absl::Time created_at;
  std::vector<std::string> warehouse_ids;  // sorted
  int line_count = 0;
  int64_t item_count = 0;
  std::string external_order_id;  // imported orders only
};

struct OrderSummaryPage {
  std::vector<OrderSummary> orders;
  std::string next_cursor;  // empty at the end
};

// Reads over every buyer's orders, newest first (created_at, then order_id, descending). Blocking.
class AdminOrderQueries {
 public:
  virtual ~AdminOrderQueries() = default;
  // Orders matching `filter` after `cursor` (from a previous page; empty: from the newest); at most `limit`.
  // INVALID_ARGUMENT PAGE_TOKEN_INVALID for a cursor it did not issue.
  virtual absl::StatusOr<OrderSummaryPage> ListOrders(const AdminOrderFilter& filter, int limit,
                                                      const std::string& cursor) = 0;
};

// The internal states a buyer sees as `shown` (PENDING_PAYMENT: also PAYING); INVALID_ARGUMENT for a state no order is
// shown in.
absl::StatusOr<std::vector<OrderStatus>> StatusesShownAs(OrderStatus shown);
// INVALID_ARGUMENT naming the field: unknown channel (CHANNEL_UNKNOWN), created_after not before created_before
// (INVALID_TIME_RANGE), ids too long.
absl::Status ValidateFilter(const AdminOrderFilter& filter);

// The export's columns and one order's row; amounts in decimal major units ("19.99"), times RFC 3339 UTC. Cells are
// escaped (and neutralised against formulas) by the CSV writer.
std::vector<std::string> OrderCsvHeader();
std::vector<std::string> OrderCsvRow(const OrderSummary& order);
// 1999 -> "19.99", -5 -> "-0.05" (currencies with two minor digits, as CNY).
std::string MajorUnits(int64_t minor);

struct OrderExport {
  std::string csv;
  int rows = 0;
  bool truncated = false;  // more orders matched than max_rows
};

class OrderAdmin {
 public:
  OrderAdmin(AdminOrderQueries& queries, int export_max_rows) : queries_(queries), export_max_rows_(export_max_rows) {}

  // page_size: default 20, at most 100.
  absl::StatusOr<OrderSummaryPage> List(const AdminOrderFilter& filter, int page_size, const std::string& page_token);
  // Every matching order up to the export limit, as CSV with a header row.
  absl::StatusOr<OrderExport> Export(const AdminOrderFilter& filter);

 private:
  AdminOrderQueries& queries_;
  int export_max_rows_;
};

}  // namespace zhongtai::order
