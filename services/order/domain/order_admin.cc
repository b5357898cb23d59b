#include "services/order/domain/order_admin.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/csv/csv.h"
#include "common/status/status.h"
#include "services/order/domain/orders.h"

namespace zhongtai::order {
namespace {

constexpr size_t kMaxIdLength = 64;
// Rows read per store call while exporting.
constexpr int kExportBatch = 500;

std::string Rfc3339(absl::Time t) { return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone()); }

}  // namespace

absl::StatusOr<std::vector<OrderStatus>> StatusesShownAs(OrderStatus shown) {
  switch (shown) {
    case OrderStatus::kPendingPayment:
      return std::vector<OrderStatus>{OrderStatus::kPendingPayment, OrderStatus::kPaying};
    case OrderStatus::kCreating:
    case OrderStatus::kPaying:
    case OrderStatus::kFailed:
      return InvalidArgument("status", "ORDER_STATUS_INVALID", "no order is shown in this state");
    default: return std::vector<OrderStatus>{shown};
  }
}

absl::Status ValidateFilter(const AdminOrderFilter& filter) {
  const std::vector<std::string>& channels = ValidChannels();
  if (!filter.channel.empty() && std::find(channels.begin(), channels.end(), filter.channel) == channels.end()) {
    return InvalidArgument("channel", "CHANNEL_UNKNOWN",
                           absl::StrCat("channel must be one of ", absl::StrJoin(channels, ", ")));
  }
  if (filter.created_after >= filter.created_before) {
    return InvalidArgument("createdBefore", "INVALID_TIME_RANGE", "createdAfter must be before createdBefore");
  }
  if (filter.buyer_id.size() > kMaxIdLength) {
    return InvalidArgument("buyerId", "BUYER_ID_INVALID", "buyer id is too long");
  }
  if (filter.warehouse_id.size() > kMaxIdLength) {
    return InvalidArgument("warehouseId", "INVALID_WAREHOUSE_ID", "warehouse id is too long");
  }
  return absl::OkStatus();
}

std::string MajorUnits(int64_t minor) {
  // Magnitude as unsigned, so that INT64_MIN does not overflow.
  uint64_t magnitude = minor < 0 ? 0 - static_cast<uint64_t>(minor) : static_cast<uint64_t>(minor);
  return absl::StrFormat("%s%d.%02d", minor < 0 ? "-" : "", magnitude / 100, magnitude % 100);
}

std::vector<std::string> OrderCsvHeader() {
  return {"order_id",         "created_at", "status",     "channel",    "buyer_id",
          "warehouse_ids",    "currency",   "subtotal",   "discount",   "shipping_fee",
          "points_deduction", "total",      "line_count", "item_count", "external_order_id"};
}

std::vector<std::string> OrderCsvRow(const OrderSummary& order) {
  // PAYING is internal: the buyer and the back office see it as pending payment.
  OrderStatus shown = order.status == OrderStatus::kPaying ? OrderStatus::kPendingPayment : order.status;
  return {order.order_id,
          Rfc3339(order.created_at),
          StatusName(shown),
          order.channel,
          order.buyer_id,
          absl::StrJoin(order.warehouse_ids, ";"),
          order.currency,
          MajorUnits(order.subtotal),
          MajorUnits(order.discount),
          MajorUnits(order.shipping_fee),
          MajorUnits(order.points_deduction),
          MajorUnits(order.total),
          absl::StrCat(order.line_count),
          absl::StrCat(order.item_count),
          order.external_order_id};
}

absl::StatusOr<OrderSummaryPage> OrderAdmin::List(const AdminOrderFilter& filter, int page_size,
                                                  const std::string& page_token) {
  RETURN_IF_ERROR(ValidateFilter(filter));
  if (page_size < 0) return InvalidArgument("pageSize", "PAGE_SIZE_NEGATIVE", "page size must not be negative");
  if (page_size == 0) page_size = 20;
  return queries_.ListOrders(filter, std::min(page_size, 100), page_token);
}

absl::StatusOr<OrderExport> OrderAdmin::Export(const AdminOrderFilter& filter) {
  RETURN_IF_ERROR(ValidateFilter(filter));
  csv::Writer writer;
  writer.Row(OrderCsvHeader());
  OrderExport out;
  std::string cursor;
  for (;;) {
    int want = std::min(kExportBatch, export_max_rows_ - out.rows);
    ASSIGN_OR_RETURN(OrderSummaryPage page, queries_.ListOrders(filter, want, cursor));
    for (const OrderSummary& order : page.orders) writer.Row(OrderCsvRow(order));
    out.rows += static_cast<int>(page.orders.size());
    if (page.next_cursor.empty()) break;
    // A next page means more orders match than fit.
    if (out.rows >= export_max_rows_) {
      out.truncated = true;
      break;
    }
    cursor = page.next_cursor;
  }
  out.csv = writer.Take();
  return out;
}

}  // namespace zhongtai::order
