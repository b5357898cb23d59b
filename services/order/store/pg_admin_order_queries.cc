#include "services/order/store/pg_admin_order_queries.h"

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/status/status.h"
#include "services/order/domain/page_tokens.h"

namespace zhongtai::order {
namespace {

// Times as microseconds since the epoch, clamped to years 1..9999 (PostgreSQL's range is wider; absl's infinities
// are not in it).
constexpr int64_t kEarliestMicros = -62135596800000000;
constexpr int64_t kLatestMicros = 253402300799000000;

// $1 states, $2/$3 created range [after, before), $4 channel, $5 buyer, $6 warehouse ('' for any), $7/$8 the cursor
// (created_at micros, order_id) to continue below, $9 the limit. A warehouse matches the order's own or one of its
// child orders'. Lines and units are counted per order; an imported order carries its marketplace id.
constexpr char kListOrders[] =
    "SELECT o.order_id, o.user_id, o.status, o.channel, o.currency, o.subtotal, o.discount, o.shipping_fee, "
    "o.points_deduction, o.total, (extract(epoch from o.created_at) * 1000000)::bigint, o.warehouse_id, "
    "coalesce((SELECT array_agg(DISTINCT c.warehouse_id ORDER BY c.warehouse_id) FROM child_orders c "
    "WHERE c.order_id = o.order_id), '{}'), "
    "(SELECT count(*) FROM order_lines l WHERE l.order_id = o.order_id), "
    "(SELECT coalesce(sum(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.order_id), "
    "coalesce(i.external_order_id, '') "
    "FROM orders o LEFT JOIN order_imports i ON i.order_id = o.order_id "
    "WHERE o.status = ANY($1::text[]) "
    "AND o.created_at >= ('epoch'::timestamptz + $2::bigint * interval '1 microsecond') "
    "AND o.created_at < ('epoch'::timestamptz + $3::bigint * interval '1 microsecond') "
    "AND ($4 = '' OR o.channel = $4) AND ($5 = '' OR o.user_id = $5) "
    "AND ($6 = '' OR o.warehouse_id = $6 OR EXISTS (SELECT 1 FROM child_orders c WHERE c.order_id = o.order_id AND "
    "c.warehouse_id = $6)) "
    "AND (o.created_at, o.order_id) < (('epoch'::timestamptz + $7::bigint * interval '1 microsecond'), $8) "
    "ORDER BY o.created_at DESC, o.order_id DESC LIMIT $9";

int64_t ClampedMicros(absl::Time t) {
  if (t <= absl::FromUnixMicros(kEarliestMicros)) return kEarliestMicros;
  if (t >= absl::FromUnixMicros(kLatestMicros)) return kLatestMicros;
  return pg::Micros(t);
}

}  // namespace

absl::StatusOr<OrderSummaryPage> PgAdminOrderQueries::ListOrders(const AdminOrderFilter& filter, int limit,
                                                                 const std::string& cursor) {
  // The cursor is the (created_at, order_id) of the last order returned, opaque to clients.
  int64_t after_micros = kLatestMicros;
  std::string after_id = "\x7f";
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(OrderCursor after, DecodeOrderCursor(cursor));
    after_micros = after.created_micros;
    after_id = std::move(after.order_id);
  }
  std::vector<std::string> statuses;
  for (OrderStatus status : filter.statuses) statuses.push_back(StatusName(status));
  if (statuses.empty()) {
    for (OrderStatus status : {OrderStatus::kPendingPayment, OrderStatus::kPaying, OrderStatus::kPaid,
                               OrderStatus::kCancelled, OrderStatus::kAwaitingShipment, OrderStatus::kShipped,
                               OrderStatus::kDelivered, OrderStatus::kCompleted, OrderStatus::kClosed}) {
      statuses.push_back(StatusName(status));
    }
  }
  OrderSummaryPage page;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    page = OrderSummaryPage{};
    pqxx::result rows = tx.exec_params(kListOrders, pg::TextArrayLiteral(statuses), ClampedMicros(filter.created_after),
                                       ClampedMicros(filter.created_before), filter.channel, filter.buyer_id,
                                       filter.warehouse_id, after_micros, after_id, limit + 1);
    for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) {
      const auto& row = rows[i];
      OrderSummary order;
      order.order_id = row[0].as<std::string>();
      order.buyer_id = row[1].as<std::string>();
      ParseStatus(row[2].as<std::string>(), &order.status);
      order.channel = row[3].as<std::string>();
      order.currency = row[4].as<std::string>();
      order.subtotal = row[5].as<int64_t>();
      order.discount = row[6].as<int64_t>();
      order.shipping_fee = row[7].as<int64_t>();
      order.points_deduction = row[8].as<int64_t>();
      order.total = row[9].as<int64_t>();
      order.created_at = pg::TimeFromMicros(row[10]);
      std::string own_warehouse = row[11].as<std::string>();
      order.warehouse_ids = pg::TextArray(row[12]);
      if (!own_warehouse.empty() && std::find(order.warehouse_ids.begin(), order.warehouse_ids.end(), own_warehouse) ==
                                        order.warehouse_ids.end()) {
        order.warehouse_ids.push_back(own_warehouse);
        std::sort(order.warehouse_ids.begin(), order.warehouse_ids.end());
      }
      order.line_count = row[13].as<int>();
      order.item_count = row[14].as<int64_t>();
      order.external_order_id = row[15].as<std::string>();
      page.orders.push_back(std::move(order));
    }
    if (static_cast<int>(rows.size()) > limit && limit > 0) {
      const auto& last = rows[limit - 1];
      page.next_cursor = EncodeOrderCursor({last[10].as<int64_t>(), last[0].as<std::string>()});
    }
    return absl::OkStatus();
  }));
  return page;
}

}  // namespace zhongtai::order
