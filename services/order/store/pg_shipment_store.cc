#include "services/order/store/pg_shipment_store.h"

#include <pqxx/pqxx>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/order/store/pg_return_store.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::order {
namespace {

using pg::Micros;
using pg::TimeFromMicros;
using proto::ToTimestamp;

constexpr char kSelectRules[] =
    "SELECT rule_id, priority, carrier, min_order_value, min_weight_grams, regions, warehouses, fragile_only, fee "
    "FROM carrier_rules ORDER BY priority, position";
constexpr char kSelectTransit[] =
    "SELECT carrier, warehouse_id, region, min_days, max_days FROM carrier_transit_times "
    "ORDER BY carrier, warehouse_id, region";
constexpr char kInsertRule[] =
    "INSERT INTO carrier_rules (rule_id, priority, position, carrier, min_order_value, min_weight_grams, regions, "
    "warehouses, fragile_only, fee) VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9, $10)";
constexpr char kInsertTransit[] =
    "INSERT INTO carrier_transit_times (carrier, warehouse_id, region, min_days, max_days) VALUES ($1, $2, $3, $4, $5)";

// Orders of the buyer waiting for shipment that have a part in the warehouse (their own, or a child's) that no parcel
// carries yet. The domain (SelectMergeable) decides which of them may share a parcel.
// Refunds only asked before shipment of one part of an order ($1 order id, $2 child order id, '' when not split) that
// were not rejected.
constexpr char kCountRefundsBeforeShipment[] =
    "SELECT count(*) FROM order_returns WHERE order_id = $1 AND child_order_id = $2 AND type = 'REFUND_ONLY' "
    "AND before_shipment AND status <> 'REJECTED'";
// $1 shipment id, $2 order id, $3 sku id, $4 quantity. A SKU twice in an order (bought and as a gift) is one line of
// the parcel.
constexpr char kInsertShipmentLine[] =
    "INSERT INTO shipment_lines (shipment_id, order_id, sku_id, quantity) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (shipment_id, order_id, sku_id) DO UPDATE SET quantity = shipment_lines.quantity + excluded.quantity";
// The order's refunds before shipment with their lines: $1 order id.
constexpr char kRefundsBeforeShipment[] =
    "SELECT r.return_id, r.child_order_id, r.status, l.sku_id, l.quantity FROM order_returns r "
    "JOIN order_return_lines l USING (return_id) "
    "WHERE r.order_id = $1 AND r.type = 'REFUND_ONLY' AND r.before_shipment AND r.status <> 'REJECTED' "
    "ORDER BY r.return_id, l.line_no";
constexpr char kSelectUnshipped[] =
    "SELECT o.order_id FROM orders o WHERE o.user_id = $1 AND o.status = 'AWAITING_SHIPMENT' "
    "AND (o.warehouse_id = $2 OR EXISTS (SELECT 1 FROM child_orders c WHERE c.order_id = o.order_id "
    "AND c.warehouse_id = $2)) "
    "AND NOT EXISTS (SELECT 1 FROM shipment_orders s WHERE s.order_id = o.order_id AND s.warehouse_id = $2) "
    "ORDER BY o.created_at LIMIT 50";

// What a parcel carries ($1 shipment id), in a stable order for the packing list.
constexpr char kSelectShipmentLines[] =
    "SELECT order_id, sku_id, quantity FROM shipment_lines WHERE shipment_id = $1 ORDER BY order_id, sku_id";

constexpr char kShipmentColumns[] =
    "s.shipment_id, s.user_id, s.warehouse_id, s.carrier, s.tracking_number, s.rule_id, s.status, "
    "(extract(epoch from s.shipped_at) * 1000000)::bigint, "
    "(extract(epoch from s.delivered_at) * 1000000)::bigint, "
    "coalesce(to_char(s.promised_earliest, 'YYYY-MM-DD'), ''), coalesce(to_char(s.promised_latest, 'YYYY-MM-DD'), ''), "
    "coalesce((SELECT array_agg(o.order_id ORDER BY o.order_id) FROM shipment_orders o "
    "WHERE o.shipment_id = s.shipment_id), '{}')";

constexpr char kInsertShipment[] =
    "INSERT INTO shipments (shipment_id, user_id, warehouse_id, carrier, tracking_number, rule_id, status, shipped_at, "
    "promised_earliest, promised_latest) "
    "VALUES ($1, $2, $3, $4, $5, $6, 'SHIPPED', ('epoch'::timestamptz + $7::bigint * interval '1 microsecond'), "
    "nullif($8, '')::date, nullif($9, '')::date) ON CONFLICT (carrier, tracking_number) DO NOTHING";

std::string DayText(const absl::CivilDay& day) { return absl::FormatCivilTime(day); }

absl::CivilDay ParseDay(const std::string& text) {
  absl::CivilDay day;
  absl::ParseCivilTime(text, &day);
  return day;
}

absl::Status Publish(pqxx::work& tx, const std::string& order_id, const std::string& kind,
                     const google::protobuf::Message& message, absl::Time at) {
  events::Event event;
  event.id = absl::StrCat(order_id, ":", kind);
  event.type = message.GetDescriptor()->full_name();
  event.key = order_id;
  event.payload = message.SerializeAsString();
  event.occurred_at = at;
  return events::AppendToOutbox(tx, kOrderEventStream, event);
}

void AddHistory(pqxx::work& tx, const std::string& order_id, OrderStatus status, const std::string& reason,
                absl::Time at) {
  tx.exec_params(
      "INSERT INTO order_history (order_id, status, reason, changed_at) "
      "VALUES ($1, $2, $3, ('epoch'::timestamptz + $4::bigint * interval '1 microsecond'))",
      order_id, StatusName(status), reason, Micros(at));
}

// Locks the order row and moves it `from` -> `to`; true when this call made the change.
bool Transition(pqxx::work& tx, const std::string& order_id, OrderStatus from, OrderStatus to, absl::Time at) {
  pqxx::result updated = tx.exec_params(
      "UPDATE orders SET status = $3, status_changed_at = ('epoch'::timestamptz + $4::bigint * interval '1 "
      "microsecond') WHERE order_id = $1 AND status = $2",
      order_id, StatusName(from), StatusName(to), Micros(at));
  return updated.affected_rows() == 1;
}

// The order's user id, with its row locked for the rest of the transaction; empty when there is no such order.
std::string LockOrder(pqxx::work& tx, const std::string& order_id) {
  pqxx::result row = tx.exec_params("SELECT user_id FROM orders WHERE order_id = $1 FOR UPDATE", order_id);
  return row.empty() ? std::string() : row[0][0].as<std::string>();
}

std::vector<std::string> Column(const pqxx::result& rows) {
  std::vector<std::string> values;
  for (const auto& row : rows) values.push_back(row[0].as<std::string>());
  return values;
}

Shipment ShipmentFromRow(const pqxx::row& row) {
  Shipment s;
  s.shipment_id = row[0].as<std::string>();
  s.user_id = row[1].as<std::string>();
  s.warehouse_id = row[2].as<std::string>();
  s.carrier = row[3].as<std::string>();
  s.tracking_number = row[4].as<std::string>();
  s.rule_id = row[5].as<std::string>();
  s.status = row[6].as<std::string>() == "DELIVERED" ? ShipmentStatus::kDelivered : ShipmentStatus::kShipped;
  s.shipped_at = TimeFromMicros(row[7]);
  s.delivered_at = row[8].is_null() ? absl::InfinitePast() : TimeFromMicros(row[8]);
  std::string earliest = row[9].as<std::string>();
  std::string latest = row[10].as<std::string>();
  if (!earliest.empty() && !latest.empty()) s.promise = DeliveryPromise{ParseDay(earliest), ParseDay(latest)};
  s.order_ids = pg::TextArray(row[11]);
  return s;
}

// The order, once all its warehouse parts are in parcels, goes AWAITING_SHIPMENT -> SHIPPED (domain AllPartsShipped).
absl::Status ShipIfComplete(pqxx::work& tx, const std::string& order_id, const Shipment& shipment,
                            const std::string& source_reason) {
  std::string user_id = LockOrder(tx, order_id);
  pqxx::result own = tx.exec_params("SELECT warehouse_id FROM orders WHERE order_id = $1", order_id);
  std::vector<std::string> required;
  if (!own.empty() && !own[0][0].as<std::string>().empty()) {
    required.push_back(own[0][0].as<std::string>());
  } else {
    // A child order refunded in full before shipment is cancelled: nothing of it ships.
    required = Column(
        tx.exec_params("SELECT warehouse_id FROM child_orders WHERE order_id = $1 AND cancelled_at IS NULL", order_id));
  }
  std::vector<std::string> shipped =
      Column(tx.exec_params("SELECT warehouse_id FROM shipment_orders WHERE order_id = $1", order_id));
  if (!AllPartsShipped(required, shipped)) return absl::OkStatus();
  if (!Transition(tx, order_id, OrderStatus::kAwaitingShipment, OrderStatus::kShipped, shipment.shipped_at)) {
    return absl::OkStatus();
  }
  AddHistory(tx, order_id, OrderStatus::kShipped,
             absl::StrCat(source_reason, ": ", shipment.carrier, " ", shipment.tracking_number), shipment.shipped_at);
  v1::OrderShipped event;
  event.set_order_id(order_id);
  event.set_user_id(user_id);
  event.set_shipment_id(shipment.shipment_id);
  event.set_carrier(shipment.carrier);
  event.set_tracking_number(shipment.tracking_number);
  *event.mutable_occur_time() = ToTimestamp(shipment.shipped_at);
  return Publish(tx, order_id, "shipped", event, shipment.shipped_at);
}

// Moves an exchange `from` -> `to` with its history and a ReturnStatusChanged event; false when it was not in `from`.
bool MoveExchange(pqxx::work& tx, const std::string& return_id, const std::string& from, const std::string& to,
                  const std::string& note, absl::Time at, absl::Status* published) {
  pqxx::result moved = tx.exec_params(
      "UPDATE order_returns SET status = $3, updated_at = ('epoch'::timestamptz + $4::bigint * interval "
      "'1 microsecond') WHERE return_id = $1 AND status = $2 AND type = 'EXCHANGE' "
      "RETURNING order_id, child_order_id, user_id, currency",
      return_id, from, to, Micros(at));
  if (moved.empty()) return false;
  tx.exec_params(
      "INSERT INTO order_return_history (return_id, status, note, changed_at) "
      "VALUES ($1, $2, $3, ('epoch'::timestamptz + $4::bigint * interval '1 microsecond'))",
      return_id, to, note, Micros(at));
  v1::ReturnStatusChanged event;
  event.set_return_id(return_id);
  event.set_order_id(moved[0][0].as<std::string>());
  event.set_child_order_id(moved[0][1].as<std::string>());
  event.set_user_id(moved[0][2].as<std::string>());
  event.set_type("EXCHANGE");
  event.set_status(to);
  proto::SetMoney(event.mutable_refund(), moved[0][3].as<std::string>(), 0);
  *event.mutable_occur_time() = ToTimestamp(at);
  events::Event out;
  out.id = absl::StrCat(return_id, ":", absl::AsciiStrToLower(to));
  out.type = event.GetDescriptor()->full_name();
  out.key = event.order_id();
  out.payload = event.SerializeAsString();
  out.occurred_at = at;
  *published = events::AppendToOutbox(tx, kOrderEventStream, out);
  return true;
}

// The warehouses whose replacement parcel of the exchange was delivered.
constexpr char kReplacementDeliveredFrom[] =
    "SELECT warehouse_id FROM shipments WHERE return_id = $1 AND status = 'DELIVERED'";

// The exchange's row, locked: its replacement parcels are written and delivered one after the other.
constexpr char kLockExchange[] =
    "SELECT status FROM order_returns WHERE return_id = $1 AND type = 'EXCHANGE' FOR UPDATE";

// A delivered replacement parcel finishes its exchange once every warehouse holding part of it delivered its parcel
// (AllPartsShipped over the delivered ones): REPLACEMENT_SHIPPED -> EXCHANGED.
absl::Status ExchangeIfReplacement(pqxx::work& tx, const std::string& shipment_id, absl::Time at) {
  pqxx::result exchange =
      tx.exec_params("SELECT return_id FROM shipments WHERE shipment_id = $1 AND return_id IS NOT NULL", shipment_id);
  if (exchange.empty()) return absl::OkStatus();
  const std::string return_id = exchange[0][0].as<std::string>();
  tx.exec_params(kLockExchange, return_id);
  Return held;
  held.replacement_holds = LoadReplacementHolds(tx, return_id);
  if (!AllPartsShipped(ReplacementWarehouses(held), Column(tx.exec_params(kReplacementDeliveredFrom, return_id)))) {
    return absl::OkStatus();
  }
  absl::Status published;
  MoveExchange(tx, return_id, "REPLACEMENT_SHIPPED", "EXCHANGED", "replacement delivered", at, &published);
  return published;
}

// A shipped order whose every parcel is delivered goes SHIPPED -> DELIVERED.
absl::Status DeliverIfComplete(pqxx::work& tx, const std::string& order_id, absl::Time at) {
  std::string user_id = LockOrder(tx, order_id);
  pqxx::result pending = tx.exec_params(
      "SELECT 1 FROM shipment_orders so JOIN shipments s USING (shipment_id) "
      "WHERE so.order_id = $1 AND s.status <> 'DELIVERED'",
      order_id);
  if (!pending.empty()) return absl::OkStatus();
  if (!Transition(tx, order_id, OrderStatus::kShipped, OrderStatus::kDelivered, at)) return absl::OkStatus();
  AddHistory(tx, order_id, OrderStatus::kDelivered, "delivered", at);
  v1::OrderDelivered event;
  event.set_order_id(order_id);
  event.set_user_id(user_id);
  *event.mutable_occur_time() = ToTimestamp(at);
  return Publish(tx, order_id, "delivered", event, at);
}

// `from` -> COMPLETED; the after-sales deadline is now + the window the shipped goods allow.
bool CompleteInTx(pqxx::work& tx, const std::string& order_id, OrderStatus from, const std::string& reason,
                  absl::Time now, absl::Status* published) {
  std::string user_id = LockOrder(tx, order_id);
  if (!Transition(tx, order_id, from, OrderStatus::kCompleted, now)) return false;
  pqxx::result deadline = tx.exec_params(
      "UPDATE orders SET after_sales_deadline = ('epoch'::timestamptz + $2::bigint * interval '1 microsecond') + "
      "coalesce(after_sales_window, interval '7 days') WHERE order_id = $1 "
      "RETURNING (extract(epoch from after_sales_deadline) * 1000000)::bigint",
      order_id, Micros(now));
  AddHistory(tx, order_id, OrderStatus::kCompleted, reason, now);
  v1::OrderCompleted event;
  event.set_order_id(order_id);
  event.set_user_id(user_id);
  event.set_reason(reason);
  *event.mutable_after_sales_deadline() = ToTimestamp(TimeFromMicros(deadline[0][0]));
  *event.mutable_occur_time() = ToTimestamp(now);
  *published = Publish(tx, order_id, "completed", event, now);
  return true;
}

}  // namespace

absl::StatusOr<CarrierRuleSet> PgShipmentStore::LoadCarrierRules() {
  CarrierRuleSet set;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    set = CarrierRuleSet();
    for (const auto& row : tx.exec(kSelectRules)) {
      CarrierRule rule;
      rule.rule_id = row[0].as<std::string>();
      rule.priority = row[1].as<int>();
      rule.carrier = row[2].as<std::string>();
      rule.min_order_value = row[3].as<int64_t>();
      rule.min_weight_grams = row[4].as<int64_t>();
      rule.regions = pg::TextArray(row[5]);
      rule.warehouses = pg::TextArray(row[6]);
      rule.fragile_only = row[7].as<bool>();
      if (!row[8].is_null()) rule.fee = row[8].as<int64_t>();
      set.rules.push_back(std::move(rule));
    }
    for (const auto& row : tx.exec(kSelectTransit)) {
      set.transit_times.push_back({row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(),
                                   row[3].as<int>(), row[4].as<int>()});
    }
    return absl::OkStatus();
  }));
  return set;
}

absl::Status PgShipmentStore::ReplaceCarrierRules(const CarrierRuleSet& set) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec("DELETE FROM carrier_rules");
    tx.exec("DELETE FROM carrier_transit_times");
    for (size_t i = 0; i < set.rules.size(); ++i) {
      const CarrierRule& r = set.rules[i];
      tx.exec_params(kInsertRule, r.rule_id, r.priority, static_cast<int>(i), r.carrier, r.min_order_value,
                     r.min_weight_grams, pg::TextArrayLiteral(r.regions), pg::TextArrayLiteral(r.warehouses),
                     r.fragile_only, r.fee);
    }
    for (const TransitTime& t : set.transit_times) {
      tx.exec_params(kInsertTransit, t.carrier, t.warehouse_id, t.region, t.min_days, t.max_days);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Order>> PgShipmentStore::ListUnshipped(const std::string& user_id,
                                                                  const std::string& warehouse_id) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ids = Column(tx.exec_params(kSelectUnshipped, user_id, warehouse_id));
    return absl::OkStatus();
  }));
  std::vector<Order> orders;
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(Order order, orders_.Get(id));
    orders.push_back(std::move(order));
  }
  return orders;
}

absl::Status PgShipmentStore::CreateShipment(const Shipment& shipment, const std::vector<ShipmentPart>& parts) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    std::string earliest = shipment.promise ? DayText(shipment.promise->earliest) : "";
    std::string latest = shipment.promise ? DayText(shipment.promise->latest) : "";
    pqxx::result inserted =
        tx.exec_params(kInsertShipment, shipment.shipment_id, shipment.user_id, shipment.warehouse_id, shipment.carrier,
                       shipment.tracking_number, shipment.rule_id, Micros(shipment.shipped_at), earliest, latest);
    if (inserted.affected_rows() != 1) {
      return AlreadyExists("TRACKING_NUMBER_IN_USE", "another parcel already has this carrier and tracking number");
    }
    for (const ShipmentPart& part : parts) {
      // The order row lock queues this parcel behind a refund being asked (the return store locks the same row): a
      // refund before shipment that came after the lines were worked out makes them stale.
      LockOrder(tx, part.order_id);
      pqxx::result refunds = tx.exec_params(kCountRefundsBeforeShipment, part.order_id, part.child_order_id);
      if (refunds[0][0].as<int64_t>() != part.refunds_seen) {
        return Aborted("ORDER_CHANGED", "a refund of this order came in while shipping: ship again");
      }
      pqxx::result carried = tx.exec_params(
          "INSERT INTO shipment_orders (shipment_id, order_id, warehouse_id) VALUES ($1, $2, $3) "
          "ON CONFLICT (order_id, warehouse_id) DO NOTHING",
          shipment.shipment_id, part.order_id, shipment.warehouse_id);
      if (carried.affected_rows() != 1) {
        return AlreadyExists("ORDER_ALREADY_SHIPPED", "this part of the order already left in another parcel");
      }
      tx.exec_params(
          "UPDATE orders SET after_sales_window = greatest(coalesce(after_sales_window, interval '0'), $2::bigint * "
          "interval '1 second') WHERE order_id = $1",
          part.order_id, absl::ToInt64Seconds(part.after_sales_window));
      for (const OrderLine& line : part.lines) {
        tx.exec_params(kInsertShipmentLine, shipment.shipment_id, part.order_id, line.sku_id, line.quantity);
      }
    }
    for (const ShipmentPart& part : parts) {
      RETURN_IF_ERROR(ShipIfComplete(tx, part.order_id, shipment, parts.size() > 1 ? "shipped (merged)" : "shipped"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<Shipment>> PgShipmentStore::LoadShipments(const std::string& where, const std::string& a,
                                                                     const std::string& b) {
  std::vector<Shipment> shipments;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    shipments.clear();
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT ", kShipmentColumns, " FROM shipments s WHERE ", where,
                                                    " ORDER BY s.shipped_at, s.shipment_id"),
                                       a, b);
    for (const auto& row : rows) shipments.push_back(ShipmentFromRow(row));
    for (Shipment& s : shipments) {
      pqxx::result events = tx.exec_params(
          "SELECT event_id, status, description, (extract(epoch from occurred_at) * 1000000)::bigint "
          "FROM shipment_events WHERE shipment_id = $1 ORDER BY occurred_at, event_id",
          s.shipment_id);
      for (const auto& e : events) {
        s.events.push_back(
            {e[0].as<std::string>(), e[1].as<std::string>(), e[2].as<std::string>(), TimeFromMicros(e[3])});
      }
      for (const auto& l : tx.exec_params(kSelectShipmentLines, s.shipment_id)) {
        s.lines.push_back({l[0].as<std::string>(), l[1].as<std::string>(), l[2].as<int64_t>()});
      }
    }
    return absl::OkStatus();
  }));
  return shipments;
}

absl::StatusOr<std::optional<Shipment>> PgShipmentStore::FindShipment(const std::string& order_id,
                                                                      const std::string& warehouse_id) {
  ASSIGN_OR_RETURN(std::vector<Shipment> found,
                   LoadShipments("s.shipment_id IN (SELECT shipment_id FROM shipment_orders WHERE order_id = $1 "
                                 "AND warehouse_id = $2)",
                                 order_id, warehouse_id));
  if (found.empty()) return std::optional<Shipment>();
  return std::optional<Shipment>(found.front());
}

absl::StatusOr<std::optional<Shipment>> PgShipmentStore::FindByTracking(const std::string& carrier,
                                                                        const std::string& tracking_number) {
  ASSIGN_OR_RETURN(std::vector<Shipment> found,
                   LoadShipments("s.carrier = $1 AND s.tracking_number = $2", carrier, tracking_number));
  if (found.empty()) return std::optional<Shipment>();
  return std::optional<Shipment>(found.front());
}

absl::StatusOr<std::vector<Shipment>> PgShipmentStore::ListForOrder(const std::string& order_id) {
  return LoadShipments("s.shipment_id IN (SELECT shipment_id FROM shipment_orders WHERE order_id = $1) AND $2 = ''",
                       order_id, "");
}

absl::StatusOr<TrackingOutcome> PgShipmentStore::RecordTracking(const std::string& shipment_id,
                                                                const TrackingEvent& event, bool delivered) {
  TrackingOutcome outcome = TrackingOutcome::kDuplicate;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    outcome = TrackingOutcome::kDuplicate;
    pqxx::result inserted = tx.exec_params(
        "INSERT INTO shipment_events (shipment_id, event_id, status, description, occurred_at) "
        "VALUES ($1, $2, $3, $4, ('epoch'::timestamptz + $5::bigint * interval '1 microsecond')) "
        "ON CONFLICT DO NOTHING",
        shipment_id, event.event_id, event.status, event.description, Micros(event.at));
    if (inserted.affected_rows() != 1) return absl::OkStatus();
    outcome = TrackingOutcome::kRecorded;
    if (!delivered) return absl::OkStatus();
    // Only forward: a parcel already delivered stays as it was.
    pqxx::result moved = tx.exec_params(
        "UPDATE shipments SET status = 'DELIVERED', delivered_at = ('epoch'::timestamptz + $2::bigint * interval "
        "'1 microsecond') WHERE shipment_id = $1 AND status = 'SHIPPED'",
        shipment_id, Micros(event.at));
    if (moved.affected_rows() != 1) return absl::OkStatus();
    RETURN_IF_ERROR(ExchangeIfReplacement(tx, shipment_id, event.at));
    for (const std::string& order_id : Column(tx.exec_params(
             "SELECT order_id FROM shipment_orders WHERE shipment_id = $1 ORDER BY order_id", shipment_id))) {
      RETURN_IF_ERROR(DeliverIfComplete(tx, order_id, event.at));
    }
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<bool> PgShipmentStore::Complete(const std::string& order_id, OrderStatus from, const std::string& reason,
                                               absl::Time now) {
  bool completed = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    absl::Status published;
    completed = CompleteInTx(tx, order_id, from, reason, now, &published);
    return published;
  }));
  return completed;
}

absl::StatusOr<int> PgShipmentStore::CompleteOverdue(absl::Time delivered_before, absl::Time now, int limit) {
  int completed = 0;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    completed = 0;
    // SKIP LOCKED: a second sweeper takes other orders (or none) instead of waiting for these.
    std::vector<std::string> due = Column(tx.exec_params(
        "SELECT order_id FROM orders WHERE status = 'DELIVERED' AND status_changed_at < ('epoch'::timestamptz + "
        "$1::bigint * interval '1 microsecond') ORDER BY status_changed_at LIMIT $2 FOR UPDATE SKIP LOCKED",
        Micros(delivered_before), limit));
    for (const std::string& order_id : due) {
      absl::Status published;
      if (CompleteInTx(tx, order_id, OrderStatus::kDelivered, "auto confirmed", now, &published)) ++completed;
      RETURN_IF_ERROR(published);
    }
    return absl::OkStatus();
  }));
  return completed;
}

absl::StatusOr<std::vector<Return>> PgShipmentStore::ListOrderReturns(const std::string& order_id) {
  std::vector<Return> returns;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    returns.clear();
    for (const auto& row : tx.exec_params(kRefundsBeforeShipment, order_id)) {
      if (returns.empty() || returns.back().return_id != row[0].as<std::string>()) {
        Return r;
        r.return_id = row[0].as<std::string>();
        r.order_id = order_id;
        r.child_order_id = row[1].as<std::string>();
        r.type = ReturnType::kRefundOnly;
        ParseReturnStatus(row[2].as<std::string>(), &r.status);
        r.before_shipment = true;
        returns.push_back(std::move(r));
      }
      returns.back().lines.push_back({row[3].as<std::string>(), row[4].as<int64_t>(), 0, 0});
    }
    return absl::OkStatus();
  }));
  return returns;
}

absl::StatusOr<std::optional<Return>> PgShipmentStore::GetReplacement(const std::string& return_id) {
  std::optional<Return> found;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    found.reset();
    pqxx::result row = tx.exec_params(
        "SELECT order_id, child_order_id, user_id, type, status FROM order_returns WHERE return_id = $1", return_id);
    if (row.empty()) return absl::OkStatus();
    Return r;
    r.return_id = return_id;
    r.order_id = row[0][0].as<std::string>();
    r.child_order_id = row[0][1].as<std::string>();
    r.user_id = row[0][2].as<std::string>();
    ParseReturnType(row[0][3].as<std::string>(), &r.type);
    ParseReturnStatus(row[0][4].as<std::string>(), &r.status);
    for (const auto& line : tx.exec_params("SELECT sku_id, quantity, replacement_sku_id FROM order_return_lines WHERE "
                                           "return_id = $1 ORDER BY line_no",
                                           return_id)) {
      r.lines.push_back({line[0].as<std::string>(), line[1].as<int64_t>(), 0, 0, line[2].as<std::string>()});
    }
    r.replacement_holds = LoadReplacementHolds(tx, return_id);
    found = std::move(r);
    return absl::OkStatus();
  }));
  return found;
}

absl::StatusOr<std::vector<Shipment>> PgShipmentStore::ListReplacementShipments(const std::string& return_id) {
  return LoadShipments("s.return_id = $1 AND $2 = ''", return_id, "");
}

absl::Status PgShipmentStore::CreateReplacementShipment(const Shipment& shipment, const Return& exchange,
                                                        const std::vector<OrderLine>& lines) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result locked = tx.exec_params(kLockExchange, exchange.return_id);
    const std::string status = locked.empty() ? "" : locked[0][0].as<std::string>();
    if (status != "RECEIVED" && status != "REPLACEMENT_SHIPPED") {
      return AlreadyExists("REPLACEMENT_ALREADY_SHIPPED", "the exchange is no longer waiting for its replacement");
    }
    std::string earliest = shipment.promise ? DayText(shipment.promise->earliest) : "";
    std::string latest = shipment.promise ? DayText(shipment.promise->latest) : "";
    pqxx::result inserted =
        tx.exec_params(kInsertShipment, shipment.shipment_id, shipment.user_id, shipment.warehouse_id, shipment.carrier,
                       shipment.tracking_number, shipment.rule_id, Micros(shipment.shipped_at), earliest, latest);
    if (inserted.affected_rows() != 1) {
      return AlreadyExists("TRACKING_NUMBER_IN_USE", "another parcel already has this carrier and tracking number");
    }
    pqxx::result owned = tx.exec_params(
        "UPDATE shipments SET return_id = $2 WHERE shipment_id = $1 AND NOT EXISTS "
        "(SELECT 1 FROM shipments WHERE return_id = $2 AND warehouse_id = $3)",
        shipment.shipment_id, exchange.return_id, shipment.warehouse_id);
    if (owned.affected_rows() != 1) {
      return AlreadyExists("REPLACEMENT_ALREADY_SHIPPED", "the replacement already left in another parcel");
    }
    for (const OrderLine& line : lines) {
      tx.exec_params(
          "INSERT INTO shipment_lines (shipment_id, order_id, sku_id, quantity) VALUES ($1, $2, $3, $4) "
          "ON CONFLICT (shipment_id, order_id, sku_id) DO UPDATE SET quantity = shipment_lines.quantity + "
          "excluded.quantity",
          shipment.shipment_id, exchange.order_id, line.sku_id, line.quantity);
    }
    if (status == "REPLACEMENT_SHIPPED") return absl::OkStatus();  // another warehouse's parcel left first
    tx.exec_params(
        "UPDATE order_returns SET replacement_carrier = $2, replacement_tracking_number = $3 "
        "WHERE return_id = $1",
        exchange.return_id, shipment.carrier, shipment.tracking_number);
    absl::Status published;
    MoveExchange(tx, exchange.return_id, "RECEIVED", "REPLACEMENT_SHIPPED",
                 absl::StrCat(shipment.carrier, " ", shipment.tracking_number), shipment.shipped_at, &published);
    return published;
  });
}

}  // namespace zhongtai::order
