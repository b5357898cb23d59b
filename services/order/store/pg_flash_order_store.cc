#include "services/order/store/pg_flash_order_store.h"

#include "common/events/outbox.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "services/order/store/pg_order_store.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::order {
namespace {

// Times are microseconds since the epoch, as the order store writes them.
#define ZT_MICROS_TS(param) "('epoch'::timestamptz + " param "::bigint * interval '1 microsecond')"
constexpr char kInsertOrder[] =
    "INSERT INTO orders (order_id, user_id, request_id, request_fingerprint, status, channel, currency, subtotal, "
    "discount, total, created_at, status_changed_at, pay_deadline) "
    "VALUES ($1, $2, $3, $4, 'PENDING_PAYMENT', $5, $6, $7, $8, $9, " ZT_MICROS_TS("$10") ", " ZT_MICROS_TS(
        "$10") ", " ZT_MICROS_TS("$11") ") ON CONFLICT DO NOTHING";
constexpr char kInsertLine[] =
    "INSERT INTO order_lines (order_id, line_no, sku_id, quantity, unit_price, subtotal, discount, total) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
constexpr char kInsertHistory[] =
    "INSERT INTO order_history (order_id, status, reason, changed_at) VALUES ($1, $2, $3, " ZT_MICROS_TS("$4") ")";
#undef ZT_MICROS_TS

}  // namespace

absl::StatusOr<bool> InsertFlashOrder(pqxx::work& tx, const Order& order) {
  using pg::Micros;
  pqxx::result inserted =
      tx.exec_params(kInsertOrder, order.order_id, order.user_id, order.request_id, order.request_fingerprint,
                     order.channel, order.currency, order.subtotal, order.discount, order.total,
                     Micros(order.created_at), Micros(order.pay_deadline));
  if (inserted.affected_rows() == 0) return false;
  for (size_t i = 0; i < order.lines.size(); ++i) {
    const OrderLine& line = order.lines[i];
    tx.exec_params(kInsertLine, order.order_id, static_cast<int>(i), line.sku_id, line.quantity, line.unit_price,
                   line.subtotal, line.discount, line.total);
  }
  for (const StatusChange& change : order.history) {
    tx.exec_params(kInsertHistory, order.order_id, StatusName(change.status), change.reason, Micros(change.at));
  }
  v1::OrderPlaced placed;
  placed.set_order_id(order.order_id);
  placed.set_user_id(order.user_id);
  proto::SetMoney(placed.mutable_total(), order.currency, order.total);
  placed.set_channel(order.channel);
  *placed.mutable_occur_time() = proto::ToTimestamp(order.created_at);
  for (const OrderLine& line : order.lines) {
    v1::LineAmount* paid = placed.add_lines();
    paid->set_sku_id(line.sku_id);
    paid->set_quantity(line.quantity);
    proto::SetMoney(paid->mutable_amount(), order.currency, line.total);
  }
  events::Event event;
  event.id = order.order_id + ":placed";
  event.type = placed.GetDescriptor()->full_name();
  event.key = order.order_id;
  event.payload = placed.SerializeAsString();
  event.occurred_at = order.created_at;
  absl::Status published = events::AppendToOutbox(tx, kOrderEventStream, event);
  if (!published.ok()) return published;
  return true;
}

}  // namespace zhongtai::order
