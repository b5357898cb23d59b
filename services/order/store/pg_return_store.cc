#include "services/order/store/pg_return_store.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/order/store/pg_order_store.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::order {

// Owed a refund (RefundDue), a restock (RestockDue) or a replacement hold (ReplacementDue): the C++ rules, as the
// sweeper's query.
const char kEffectsDue[] =
    "SELECT return_id FROM order_returns "
    "WHERE status IN ('APPROVED', 'RECEIVED', 'REFUNDED') AND ("
    "(type = 'REFUND_ONLY' AND status = 'APPROVED') "
    "OR (type = 'RETURN_AND_REFUND' AND status = 'RECEIVED') "
    "OR (type <> 'REFUND_ONLY' AND status IN ('RECEIVED', 'REFUNDED') AND NOT restocked) "
    "OR (type = 'REFUND_ONLY' AND before_shipment AND status = 'REFUNDED' AND NOT restocked) "
    "OR (type = 'EXCHANGE' AND status = 'RECEIVED' AND NOT EXISTS ("
    "    SELECT 1 FROM order_return_replacement_holds h WHERE h.return_id = order_returns.return_id))) "
    "ORDER BY updated_at LIMIT $1";

namespace {

using pg::Micros;
using pg::TimestampFromMicros;

constexpr char kReturnColumns[] =
    "return_id, order_id, child_order_id, user_id, request_id, type, status, reason, photo_urls, currency, "
    "refund_amount, shipping_refund, points_refund, warehouse_id, return_carrier, return_tracking_number, condition, "
    "restocked, (extract(epoch from created_at) * 1000000)::bigint, before_shipment, replacement_carrier, "
    "replacement_tracking_number";

// An exchange's replacement, where it is held.
constexpr char kLoadReplacementHolds[] =
    "SELECT warehouse_id, sku_id, quantity FROM order_return_replacement_holds WHERE return_id = $1 "
    "ORDER BY warehouse_id, sku_id";

// Records where the replacement is held, once: run after kLockReturn, it writes nothing when holds exist (a repeat
// keeps the first). The same SKU allocated twice in one warehouse (two lines sending it) is one hold.
constexpr char kLockReturn[] = "SELECT 1 FROM order_returns WHERE return_id = $1 FOR UPDATE";
constexpr char kInsertReplacementHolds[] =
    "INSERT INTO order_return_replacement_holds (return_id, warehouse_id, sku_id, quantity) "
    "SELECT $1, h.warehouse_id, h.sku_id, sum(h.quantity) "
    "FROM unnest($2::text[], $3::text[], $4::bigint[]) AS h(warehouse_id, sku_id, quantity) "
    "WHERE NOT EXISTS (SELECT 1 FROM order_return_replacement_holds x WHERE x.return_id = $1) "
    "GROUP BY 2, 3";

// The order's row, locked for the transaction, with what after-sales decides on: its status now, the after-sales
// deadline and when it completed.
constexpr char kLockOrder[] =
    "SELECT status, (extract(epoch from after_sales_deadline) * 1000000)::bigint, "
    "(SELECT (extract(epoch from max(changed_at)) * 1000000)::bigint FROM order_history h "
    " WHERE h.order_id = o.order_id AND h.status = 'COMPLETED') "
    "FROM orders o WHERE order_id = $1 FOR UPDATE";

constexpr char kInsertLines[] =
    "INSERT INTO order_return_lines (return_id, line_no, sku_id, quantity, refund, points_refund, replacement_sku_id) "
    "SELECT $1, l.n - 1, l.sku_id, l.quantity, l.refund, l.points_refund, l.replacement_sku_id "
    "FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::text[]) WITH ORDINALITY "
    "AS l(sku_id, quantity, refund, points_refund, replacement_sku_id, n)";

absl::Status Publish(pqxx::work& tx, const std::string& event_id, const std::string& order_id,
                     const google::protobuf::Message& message, absl::Time at) {
  events::Event event;
  event.id = event_id;
  event.type = message.GetDescriptor()->full_name();
  event.key = order_id;
  event.payload = message.SerializeAsString();
  event.occurred_at = at;
  return events::AppendToOutbox(tx, kOrderEventStream, event);
}

absl::Status PublishStatus(pqxx::work& tx, const Return& r, absl::Time at) {
  v1::ReturnStatusChanged event;
  event.set_return_id(r.return_id);
  event.set_order_id(r.order_id);
  event.set_child_order_id(r.child_order_id);
  event.set_user_id(r.user_id);
  event.set_type(ReturnTypeName(r.type));
  event.set_status(ReturnStatusName(r.status));
  proto::SetMoney(event.mutable_refund(), r.currency, r.refund_amount);
  event.set_points_refund(r.points_refund);
  *event.mutable_occur_time() = proto::ToTimestamp(at);
  return Publish(tx, absl::StrCat(r.return_id, ":", absl::AsciiStrToLower(ReturnStatusName(r.status))), r.order_id,
                 event, at);
}

absl::Time LastChange(const Return& r) { return r.history.empty() ? r.created_at : r.history.back().at; }

void AddHistory(pqxx::work& tx, const std::string& return_id, const ReturnStatusChange& change) {
  tx.exec_params(absl::StrCat("INSERT INTO order_return_history (return_id, status, note, changed_at) VALUES ($1, $2, "
                              "$3, ",
                              TimestampFromMicros(4), ")"),
                 return_id, ReturnStatusName(change.status), change.note, Micros(change.at));
}

}  // namespace

std::vector<ReplacementHold> LoadReplacementHolds(pqxx::work& tx, const std::string& return_id) {
  std::vector<ReplacementHold> holds;
  for (const auto& row : tx.exec_params(kLoadReplacementHolds, return_id)) {
    holds.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<int64_t>()});
  }
  return holds;
}

namespace {

std::optional<Return> LoadReturn(pqxx::work& tx, const std::string& return_id) {
  pqxx::result found =
      tx.exec_params(absl::StrCat("SELECT ", kReturnColumns, " FROM order_returns WHERE return_id = $1"), return_id);
  if (found.empty()) return std::nullopt;
  const pqxx::row& row = found[0];
  Return r;
  r.return_id = row[0].as<std::string>();
  r.order_id = row[1].as<std::string>();
  r.child_order_id = row[2].as<std::string>();
  r.user_id = row[3].as<std::string>();
  r.request_id = row[4].as<std::string>();
  ParseReturnType(row[5].as<std::string>(), &r.type);
  ParseReturnStatus(row[6].as<std::string>(), &r.status);
  r.reason = row[7].as<std::string>();
  r.photo_urls = pg::TextArray(row[8]);
  r.currency = row[9].as<std::string>();
  r.refund_amount = row[10].as<int64_t>();
  r.shipping_refund = row[11].as<int64_t>();
  r.points_refund = row[12].as<int64_t>();
  r.warehouse_id = row[13].as<std::string>();
  r.return_carrier = row[14].as<std::string>();
  r.return_tracking_number = row[15].as<std::string>();
  ParseCondition(row[16].as<std::string>(), &r.condition);
  r.restocked = row[17].as<bool>();
  r.created_at = pg::TimeFromMicros(row[18]);
  r.before_shipment = row[19].as<bool>();
  r.replacement_carrier = row[20].as<std::string>();
  r.replacement_tracking_number = row[21].as<std::string>();
  if (r.type == ReturnType::kExchange) r.replacement_holds = LoadReplacementHolds(tx, return_id);
  for (const auto& line :
       tx.exec_params("SELECT sku_id, quantity, refund, points_refund, replacement_sku_id FROM order_return_lines "
                      "WHERE return_id = $1 ORDER BY line_no",
                      return_id)) {
    r.lines.push_back({line[0].as<std::string>(), line[1].as<int64_t>(), line[2].as<int64_t>(), line[3].as<int64_t>(),
                       line[4].as<std::string>()});
  }
  for (const auto& change : tx.exec_params(
           "SELECT status, (extract(epoch from changed_at) * 1000000)::bigint, note FROM order_return_history "
           "WHERE return_id = $1 ORDER BY seq",
           return_id)) {
    ReturnStatusChange c;
    ParseReturnStatus(change[0].as<std::string>(), &c.status);
    c.at = pg::TimeFromMicros(change[1]);
    c.note = change[2].as<std::string>();
    r.history.push_back(std::move(c));
  }
  return r;
}

std::vector<Return> LoadOrderReturns(pqxx::work& tx, const std::string& order_id) {
  std::vector<Return> out;
  for (const auto& row : tx.exec_params(
           "SELECT return_id FROM order_returns WHERE order_id = $1 ORDER BY created_at, return_id", order_id)) {
    if (std::optional<Return> r = LoadReturn(tx, row[0].as<std::string>())) out.push_back(*std::move(r));
  }
  return out;
}

// Locks the order row and brings `order` up to date with what may have changed since it was read: its status, the
// after-sales deadline and when it completed. False when there is no such order.
bool LockOrder(pqxx::work& tx, ReturnableOrder& order) {
  pqxx::result locked = tx.exec_params(kLockOrder, order.order.order_id);
  if (locked.empty()) return false;
  ParseStatus(locked[0][0].as<std::string>(), &order.order.status);
  order.after_sales_deadline = pg::OptionalTimeFromMicros(locked[0][1]);
  if (std::optional<absl::Time> completed = pg::OptionalTimeFromMicros(locked[0][2])) {
    order.order.history.push_back({OrderStatus::kCompleted, *completed, ""});
  }
  order.shipped_warehouses.clear();
  for (const auto& row :
       tx.exec_params("SELECT warehouse_id FROM shipment_orders WHERE order_id = $1", order.order.order_id)) {
    order.shipped_warehouses.push_back(row[0].as<std::string>());
  }
  return true;
}

// After a child order was cancelled: when every other child order already left, the order is SHIPPED (by its latest
// parcel), as fulfilment would have moved it had the cancelled part never existed.
absl::Status ShipIfRestShipped(pqxx::work& tx, const std::string& order_id, const std::string& user_id, absl::Time at) {
  pqxx::result waiting = tx.exec_params(
      "SELECT 1 FROM child_orders c WHERE c.order_id = $1 AND c.cancelled_at IS NULL AND NOT EXISTS "
      "(SELECT 1 FROM shipment_orders so WHERE so.order_id = c.order_id AND so.warehouse_id = c.warehouse_id)",
      order_id);
  if (!waiting.empty()) return absl::OkStatus();
  pqxx::result parcel = tx.exec_params(
      "SELECT s.shipment_id, s.carrier, s.tracking_number FROM shipment_orders so JOIN shipments s USING "
      "(shipment_id) WHERE so.order_id = $1 ORDER BY s.shipped_at DESC, s.shipment_id DESC LIMIT 1",
      order_id);
  if (parcel.empty()) return absl::OkStatus();  // nothing shipped at all: the order still waits for none of it
  pqxx::result moved =
      tx.exec_params(absl::StrCat("UPDATE orders SET status = 'SHIPPED', status_changed_at = ", TimestampFromMicros(2),
                                  " WHERE order_id = $1 AND status = 'AWAITING_SHIPMENT'"),
                     order_id, Micros(at));
  if (moved.affected_rows() != 1) return absl::OkStatus();
  tx.exec_params(absl::StrCat("INSERT INTO order_history (order_id, status, reason, changed_at) VALUES ($1, 'SHIPPED', "
                              "'shipped: the rest was refunded before shipment', ",
                              TimestampFromMicros(2), ")"),
                 order_id, Micros(at));
  v1::OrderShipped event;
  event.set_order_id(order_id);
  event.set_user_id(user_id);
  event.set_shipment_id(parcel[0][0].as<std::string>());
  event.set_carrier(parcel[0][1].as<std::string>());
  event.set_tracking_number(parcel[0][2].as<std::string>());
  *event.mutable_occur_time() = proto::ToTimestamp(at);
  return Publish(tx, absl::StrCat(order_id, ":shipped"), order_id, event, at);
}

std::optional<std::string> ReturnIdForRequest(pqxx::work& tx, const std::string& user_id,
                                              const std::string& request_id) {
  pqxx::result found =
      tx.exec_params("SELECT return_id FROM order_returns WHERE user_id = $1 AND request_id = $2", user_id, request_id);
  if (found.empty()) return std::nullopt;
  return found[0][0].as<std::string>();
}

}  // namespace

absl::StatusOr<ReturnStore::Created> PgReturnStore::Create(const std::string& order_id, const std::string& user_id,
                                                           const std::string& request_id, const std::string& return_id,
                                                           const Drafter& draft) {
  // Lines, shares and children never change once placed: read them before the transaction.
  ASSIGN_OR_RETURN(Order placed, orders_.Get(order_id));
  Created created;
  absl::Status saved = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    created = Created{};
    ReturnableOrder order{placed, std::nullopt};
    order.order.history.clear();
    if (!LockOrder(tx, order)) return NotFound("ORDER_NOT_FOUND", "no such order");
    if (std::optional<std::string> first = ReturnIdForRequest(tx, user_id, request_id)) {
      created.r = *LoadReturn(tx, *first);
      created.replayed = true;
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(Return r, draft(order, LoadOrderReturns(tx, order_id)));
    r.return_id = return_id;
    const absl::Time at = LastChange(r);
    tx.exec_params(absl::StrCat("INSERT INTO order_returns (return_id, order_id, child_order_id, user_id, request_id, "
                                "type, status, reason, photo_urls, currency, refund_amount, shipping_refund, "
                                "points_refund, warehouse_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, "
                                "$7, $8, $9::text[], $10, $11, $12, $13, $14, ",
                                TimestampFromMicros(15), ", ", TimestampFromMicros(15), ")"),
                   r.return_id, r.order_id, r.child_order_id, r.user_id, r.request_id, ReturnTypeName(r.type),
                   ReturnStatusName(r.status), r.reason, pg::TextArrayLiteral(r.photo_urls), r.currency,
                   r.refund_amount, r.shipping_refund, r.points_refund, r.warehouse_id, Micros(r.created_at));
    if (r.before_shipment) {
      tx.exec_params("UPDATE order_returns SET before_shipment = true WHERE return_id = $1", r.return_id);
    }
    std::vector<std::string> skus, replacements;
    std::vector<int64_t> quantities, refunds, points;
    for (const ReturnLine& line : r.lines) {
      skus.push_back(line.sku_id);
      replacements.push_back(line.replacement_sku_id);
      quantities.push_back(line.quantity);
      refunds.push_back(line.refund);
      points.push_back(line.points_refund);
    }
    tx.exec_params(kInsertLines, r.return_id, pg::TextArrayLiteral(skus), pg::BigintArrayLiteral(quantities),
                   pg::BigintArrayLiteral(refunds), pg::BigintArrayLiteral(points), pg::TextArrayLiteral(replacements));
    for (const ReturnStatusChange& change : r.history) AddHistory(tx, r.return_id, change);
    RETURN_IF_ERROR(PublishStatus(tx, r, at));
    created.r = std::move(r);
    return absl::OkStatus();
  });
  if (ReasonOf(saved) == "DB_UNIQUE_VIOLATION") {
    // The same request id raced on another order of the user: answer the one that won.
    RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
      std::optional<std::string> first = ReturnIdForRequest(tx, user_id, request_id);
      if (!first) return Aborted("DB_CONFLICT", "concurrent request; retry");
      created.r = *LoadReturn(tx, *first);
      created.replayed = true;
      return absl::OkStatus();
    }));
    return created;
  }
  RETURN_IF_ERROR(saved);
  return created;
}

absl::StatusOr<Return> PgReturnStore::Get(const std::string& return_id) {
  std::optional<Return> r;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    r = LoadReturn(tx, return_id);
    return absl::OkStatus();
  }));
  if (!r) return NotFound("RETURN_NOT_FOUND", "no such return");
  return *std::move(r);
}

absl::StatusOr<bool> PgReturnStore::Update(const Return& updated, ReturnStatus from) {
  bool saved = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    const absl::Time at = LastChange(updated);
    pqxx::result changed = tx.exec_params(
        absl::StrCat("UPDATE order_returns SET status = $3, return_carrier = $4, return_tracking_number = $5, "
                     "condition = $6, updated_at = ",
                     TimestampFromMicros(7), " WHERE return_id = $1 AND status = $2"),
        updated.return_id, ReturnStatusName(from), ReturnStatusName(updated.status), updated.return_carrier,
        updated.return_tracking_number, ConditionName(updated.condition), Micros(at));
    saved = changed.affected_rows() == 1;
    if (!saved) return absl::OkStatus();
    if (!updated.history.empty()) AddHistory(tx, updated.return_id, updated.history.back());
    return PublishStatus(tx, updated, at);
  }));
  return saved;
}

absl::StatusOr<bool> PgReturnStore::CompleteRefund(const Return& refunded, ReturnStatus from,
                                                   const FullRefundRule& fully_refunded) {
  ASSIGN_OR_RETURN(Order placed, orders_.Get(refunded.order_id));
  bool saved = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ReturnableOrder order{placed, std::nullopt};
    order.order.history.clear();
    if (!LockOrder(tx, order)) return NotFound("ORDER_NOT_FOUND", "no such order");
    const absl::Time at = LastChange(refunded);
    pqxx::result changed = tx.exec_params(absl::StrCat("UPDATE order_returns SET status = 'REFUNDED', updated_at = ",
                                                       TimestampFromMicros(3), " WHERE return_id = $1 AND status = $2"),
                                          refunded.return_id, ReturnStatusName(from), Micros(at));
    saved = changed.affected_rows() == 1;
    if (!saved) return absl::OkStatus();
    if (!refunded.history.empty()) AddHistory(tx, refunded.return_id, refunded.history.back());
    RETURN_IF_ERROR(PublishStatus(tx, refunded, at));
    const std::vector<Return> returns = LoadOrderReturns(tx, refunded.order_id);
    const bool full = fully_refunded(order.order, returns);
    if (refunded.before_shipment && !refunded.child_order_id.empty() &&
        PartFullyRefunded(order.order, refunded.child_order_id, returns)) {
      // Nothing of this child order is left to ship: it is cancelled, and fulfilment no longer waits for it.
      pqxx::result cancelled =
          tx.exec_params(absl::StrCat("UPDATE child_orders SET cancelled_at = ", TimestampFromMicros(2),
                                      " WHERE child_order_id = $1 AND cancelled_at IS NULL"),
                         refunded.child_order_id, Micros(at));
      if (cancelled.affected_rows() == 1 && !full) {
        tx.exec_params(absl::StrCat("INSERT INTO order_history (order_id, status, reason, changed_at) SELECT $1, "
                                    "status, $3, ",
                                    TimestampFromMicros(2), " FROM orders WHERE order_id = $1"),
                       refunded.order_id, Micros(at),
                       absl::StrCat("child order ", refunded.child_order_id, " refunded in full before shipment"));
        RETURN_IF_ERROR(ShipIfRestShipped(tx, refunded.order_id, refunded.user_id, at));
      }
    }
    if (full && order.order.status != OrderStatus::kClosed) {
      tx.exec_params(absl::StrCat("UPDATE orders SET status = 'CLOSED', status_changed_at = ", TimestampFromMicros(2),
                                  " WHERE order_id = $1"),
                     refunded.order_id, Micros(at));
      tx.exec_params(absl::StrCat("INSERT INTO order_history (order_id, status, reason, changed_at) VALUES ($1, "
                                  "'CLOSED', 'fully refunded', ",
                                  TimestampFromMicros(2), ")"),
                     refunded.order_id, Micros(at));
    }
    v1::OrderRefunded event;
    event.set_order_id(refunded.order_id);
    event.set_user_id(refunded.user_id);
    event.set_full_refund(full);
    proto::SetMoney(event.mutable_amount(), refunded.currency, refunded.refund_amount);
    *event.mutable_occur_time() = proto::ToTimestamp(at);
    event.set_return_id(refunded.return_id);
    event.set_points_returned(refunded.points_refund);
    for (const ReturnLine& line : refunded.lines) {
      v1::LineAmount* back = event.add_lines();
      back->set_sku_id(line.sku_id);
      back->set_quantity(line.quantity);
      proto::SetMoney(back->mutable_amount(), refunded.currency, line.refund);
    }
    return Publish(tx, absl::StrCat(refunded.return_id, ":order-refunded"), refunded.order_id, event, at);
  }));
  return saved;
}

absl::Status PgReturnStore::MarkRestocked(const std::string& return_id) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params("UPDATE order_returns SET restocked = true WHERE return_id = $1", return_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> PgReturnStore::ListEffectsDue(int limit) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ids.clear();
    for (const auto& row : tx.exec_params(kEffectsDue, limit)) ids.push_back(row[0].as<std::string>());
    return absl::OkStatus();
  }));
  return ids;
}

absl::Status PgReturnStore::MarkReplacementHeld(const std::string& return_id,
                                                const std::vector<ReplacementHold>& holds) {
  if (holds.empty()) return Internal("REPLACEMENT_NOT_HELD", "no stock was allocated");
  std::vector<std::string> warehouses, skus;
  std::vector<int64_t> quantities;
  for (const ReplacementHold& hold : holds) {
    warehouses.push_back(hold.warehouse_id);
    skus.push_back(hold.sku_id);
    quantities.push_back(hold.quantity);
  }
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(kLockReturn, return_id);
    tx.exec_params(kInsertReplacementHolds, return_id, pg::TextArrayLiteral(warehouses), pg::TextArrayLiteral(skus),
                   pg::BigintArrayLiteral(quantities));
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::order
