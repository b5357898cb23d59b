#include "services/order/store/pg_order_store.h"

#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/events/outbox.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/order/domain/page_tokens.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::order {
namespace {

// Timestamps cross the wire as microseconds since the epoch. The address snapshot comes with the order (kOrderFrom).
constexpr char kOrderColumns[] =
    "order_id, user_id, request_id, request_fingerprint, status, channel, currency, subtotal, discount, total, "
    "(extract(epoch from created_at) * 1000000)::bigint, "
    "coalesce((extract(epoch from pay_deadline) * 1000000)::bigint, 0), "
    "failure_code, failure_reason, failure_message, shipping_fee, points_used, points_deduction, coupon_id, "
    "warehouse_id, coalesce(a.address_id, ''), coalesce(a.recipient_name, ''), coalesce(a.recipient_phone, ''), "
    "coalesce(a.province_code, ''), coalesce(a.city_code, ''), coalesce(a.district_code, ''), coalesce(a.detail, ''), "
    "gift_note";
constexpr char kOrderFrom[] = " FROM orders LEFT JOIN order_addresses a USING (order_id) ";

constexpr char kLineColumns[] =
    "sku_id, quantity, unit_price, subtotal, discount, total, list_price, price_rule, points_deduction, "
    "gift_promotion_id";

constexpr char kInsertChildren[] =
    "INSERT INTO child_orders (child_order_id, order_id, warehouse_id, subtotal, discount, shipping_fee, "
    "points_deduction, total) "
    "SELECT c.id, $1, c.warehouse_id, c.subtotal, c.discount, c.shipping_fee, c.points_deduction, c.total "
    "FROM unnest($2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[]) "
    "AS c(id, warehouse_id, subtotal, discount, shipping_fee, points_deduction, total)";

// Every child's lines at once; line_no counts within each child.
constexpr char kInsertChildLines[] =
    "INSERT INTO child_order_lines (child_order_id, line_no, sku_id, quantity, unit_price, subtotal, discount, total, "
    "list_price, price_rule, points_deduction, gift_promotion_id) "
    "SELECT l.child_id, (row_number() OVER (PARTITION BY l.child_id ORDER BY l.n) - 1)::integer, l.sku_id, "
    "l.quantity, l.unit_price, l.subtotal, l.discount, l.total, l.list_price, l.price_rule, l.points_deduction, "
    "l.gift_promotion_id "
    "FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], "
    "$8::bigint[], $9::text[], $10::bigint[], $11::text[]) WITH ORDINALITY "
    "AS l(child_id, sku_id, quantity, unit_price, subtotal, discount, total, list_price, price_rule, "
    "points_deduction, gift_promotion_id, n)";

// Children with their lines, in child then line order.
constexpr char kSelectChildren[] =
    "SELECT c.child_order_id, c.warehouse_id, c.subtotal, c.discount, c.shipping_fee, c.points_deduction, c.total, "
    "l.sku_id, l.quantity, l.unit_price, l.subtotal, l.discount, l.total, l.list_price, l.price_rule, "
    "l.points_deduction, l.gift_promotion_id "
    "FROM child_orders c JOIN child_order_lines l USING (child_order_id) WHERE c.order_id = $1 "
    "ORDER BY c.warehouse_id, l.line_no";

// Placing an order, in one statement: PENDING_PAYMENT with its prices (only from CREATING), its lines from parallel
// arrays, its address snapshot and its history row; nothing is written unless the order was still CREATING, and the
// statement answers whether it was. $1 order id, $2-$12 the order's columns, $13-$21 the lines' arrays,
// $22-$28 the address, $29 the gift note, $30 the lines' gift promotion ids.
const std::string kCompletePlacement =
    "WITH placed AS (UPDATE orders SET status = 'PENDING_PAYMENT', currency = $2, subtotal = $3, discount = $4, "
    "total = $5, pay_deadline = " +
    pg::TimestampFromMicros(6) + ", status_changed_at = " + pg::TimestampFromMicros(7) +
    ", shipping_fee = $8, points_used = $9, points_deduction = $10, coupon_id = $11, warehouse_id = $12, "
    "gift_note = $29 WHERE order_id = $1 AND status = 'CREATING' RETURNING order_id), "
    "lines AS (INSERT INTO order_lines (order_id, line_no, sku_id, quantity, unit_price, subtotal, discount, total, "
    "list_price, price_rule, points_deduction, gift_promotion_id) "
    "SELECT p.order_id, l.n - 1, l.sku_id, l.quantity, l.unit_price, l.subtotal, l.discount, l.total, l.list_price, "
    "l.price_rule, l.points_deduction, l.gift_promotion_id FROM placed p, unnest($13::text[], $14::bigint[], "
    "$15::bigint[], $16::bigint[], $17::bigint[], $18::bigint[], $19::bigint[], $20::text[], $21::bigint[], "
    "$30::text[]) WITH ORDINALITY AS l(sku_id, quantity, unit_price, subtotal, discount, total, list_price, "
    "price_rule, points_deduction, gift_promotion_id, n)), "
    "address AS (INSERT INTO order_addresses (order_id, address_id, recipient_name, recipient_phone, province_code, "
    "city_code, district_code, detail) SELECT order_id, $22, $23, $24, $25, $26, $27, $28 FROM placed), "
    "history AS (INSERT INTO order_history (order_id, status, reason, changed_at) "
    "SELECT order_id, 'PENDING_PAYMENT', 'placed', " +
    pg::TimestampFromMicros(7) +
    " FROM placed) "
    "SELECT count(*) FROM placed";

// PAYING -> PAID with the payment and the history row, in one statement; answers the buyer when it moved.
// $1 payment id, $2 order id, $3 amount, $4 currency, $5 provider, $6 paid at.
const std::string kMarkPaid =
    "WITH paid AS (UPDATE orders SET status = 'PAID', status_changed_at = " + pg::TimestampFromMicros(6) +
    " WHERE order_id = $2 AND status = 'PAYING' RETURNING order_id, user_id), "
    "payment AS (INSERT INTO payments (payment_id, order_id, amount, currency, provider, paid_at) "
    "SELECT $1, order_id, $3, $4, $5, " +
    pg::TimestampFromMicros(6) +
    " FROM paid), "
    "history AS (INSERT INTO order_history (order_id, status, reason, changed_at) "
    "SELECT order_id, 'PAID', 'paid', " +
    pg::TimestampFromMicros(6) +
    " FROM paid) "
    "SELECT user_id FROM paid";

// The paid effects are applied: flags the order and, if it is still PAID, moves it to AWAITING_SHIPMENT with its
// history row, in one statement. $1 order id, $2 now.
const std::string kPaidEffectsApplied =
    "WITH cur AS (SELECT status FROM orders WHERE order_id = $1 FOR UPDATE), "
    "flagged AS (UPDATE orders o SET paid_effects_applied = true, "
    "status = CASE WHEN c.status = 'PAID' THEN 'AWAITING_SHIPMENT' ELSE o.status END, "
    "status_changed_at = CASE WHEN c.status = 'PAID' THEN " +
    pg::TimestampFromMicros(2) +
    " ELSE o.status_changed_at END FROM cur c WHERE o.order_id = $1 RETURNING c.status AS was) "
    "INSERT INTO order_history (order_id, status, reason, changed_at) "
    "SELECT $1, 'AWAITING_SHIPMENT', 'paid effects applied', " +
    pg::TimestampFromMicros(2) + " FROM flagged WHERE was = 'PAID'";

const std::string kSelectOrder = std::string("SELECT ") + kOrderColumns + kOrderFrom + "WHERE order_id = $1";
const std::string kSelectOrderByRequest =
    std::string("SELECT ") + kOrderColumns + kOrderFrom + "WHERE user_id = $1 AND request_id = $2";
const std::string kSelectLines =
    std::string("SELECT ") + kLineColumns + " FROM order_lines WHERE order_id = $1 ORDER BY line_no";
const std::string kSelectHistory =
    "SELECT status, reason, (extract(epoch from changed_at) * 1000000)::bigint FROM order_history "
    "WHERE order_id = $1 ORDER BY seq";
const std::string kBeginPlacement =
    "INSERT INTO orders (order_id, user_id, request_id, request_fingerprint, status, channel, created_at, "
    "status_changed_at, coupon_id, points_used) VALUES ($1, $2, $3, $4, 'CREATING', $5, ('epoch'::timestamptz + "
    "$6::bigint * interval '1 microsecond'), "
    "('epoch'::timestamptz + $6::bigint * interval '1 microsecond'), $7, $8) "
    "ON CONFLICT (user_id, request_id) DO NOTHING";
// The open-orders cap (CheckOpenOrders): one buyer's placements take turns on this lock, so the count and the insert
// cannot interleave; the count reads the partial index of 0015_open_orders.sql.
const std::string kLockBuyerPlacements = "SELECT pg_advisory_xact_lock(hashtextextended('zt.open-orders:' || $1, 0))";
const std::string kCountOpenOrders =
    "SELECT count(*) FROM orders WHERE user_id = $1 AND status IN ('CREATING', 'PENDING_PAYMENT', 'PAYING')";
// Whether the buyer ever paid (IsPaidOrLater: every state but these), for new-customer promotions; orders_by_user.
const std::string kHasPaidOrder =
    "SELECT EXISTS (SELECT 1 FROM orders WHERE user_id = $1 "
    "AND status NOT IN ('CREATING', 'PENDING_PAYMENT', 'PAYING', 'CANCELLED', 'FAILED'))";
const std::string kAddHistory =
    "INSERT INTO order_history (order_id, status, reason, changed_at) "
    "VALUES ($1, $2, $3, ('epoch'::timestamptz + $4::bigint * interval '1 microsecond'))";
const std::string kTransition =
    "UPDATE orders SET status = $3, status_changed_at = ('epoch'::timestamptz + $4::bigint * interval '1 "
    "microsecond') WHERE order_id = $1 AND status = $2";
const std::string kTransitionReturningUser = kTransition + " RETURNING user_id";
// PENDING_PAYMENT -> PAYING while the order may still be paid ($4, the time of the change, before its deadline).
const std::string kClaimForPayment =
    kTransition + " AND pay_deadline > ('epoch'::timestamptz + $4::bigint * interval '1 microsecond')";

// The columns of a batch of lines, as array literals for kCompletePlacement / kInsertChildLines.
struct LineArrays {
  std::vector<std::string> sku_ids, price_rules, gift_promotion_ids;
  std::vector<int64_t> quantities, unit_prices, subtotals, discounts, totals, list_prices, points;

  void Add(const OrderLine& line) {
    sku_ids.push_back(line.sku_id);
    quantities.push_back(line.quantity);
    unit_prices.push_back(line.unit_price);
    subtotals.push_back(line.subtotal);
    discounts.push_back(line.discount);
    totals.push_back(line.total);
    list_prices.push_back(line.list_price);
    price_rules.push_back(line.price_rule);
    gift_promotion_ids.push_back(line.gift_promotion_id);
    points.push_back(line.points_deduction);
  }
};

OrderLine LineFromRow(const pqxx::row& row, int first) {
  OrderLine line;
  line.sku_id = row[first].as<std::string>();
  line.quantity = row[first + 1].as<int64_t>();
  line.unit_price = row[first + 2].as<int64_t>();
  line.subtotal = row[first + 3].as<int64_t>();
  line.discount = row[first + 4].as<int64_t>();
  line.total = row[first + 5].as<int64_t>();
  line.list_price = row[first + 6].as<int64_t>();
  line.price_rule = row[first + 7].as<std::string>();
  line.points_deduction = row[first + 8].as<int64_t>();
  line.gift_promotion_id = row[first + 9].as<std::string>();
  return line;
}

using pg::Micros;
using pg::TimeFromMicros;
std::string MicrosParam(absl::Time t) { return std::to_string(Micros(t)); }

Order OrderFromRow(const pqxx::row& row) {
  Order order;
  order.order_id = row[0].as<std::string>();
  order.user_id = row[1].as<std::string>();
  order.request_id = row[2].as<std::string>();
  order.request_fingerprint = row[3].as<std::string>();
  ParseStatus(row[4].as<std::string>(), &order.status);
  order.channel = row[5].as<std::string>();
  order.currency = row[6].as<std::string>();
  order.subtotal = row[7].as<int64_t>();
  order.discount = row[8].as<int64_t>();
  order.total = row[9].as<int64_t>();
  order.created_at = TimeFromMicros(row[10]);
  order.pay_deadline = TimeFromMicros(row[11]);
  order.failure_code = row[12].as<int>();
  order.failure_reason = row[13].as<std::string>();
  order.failure_message = row[14].as<std::string>();
  order.shipping_fee = row[15].as<int64_t>();
  order.points_used = row[16].as<int64_t>();
  order.points_deduction = row[17].as<int64_t>();
  order.coupon_id = row[18].as<std::string>();
  order.warehouse_id = row[19].as<std::string>();
  ShippingAddress& address = order.address;
  address.address_id = row[20].as<std::string>();
  address.recipient_name = row[21].as<std::string>();
  address.recipient_phone = row[22].as<std::string>();
  address.province_code = row[23].as<std::string>();
  address.city_code = row[24].as<std::string>();
  address.district_code = row[25].as<std::string>();
  address.detail = row[26].as<std::string>();
  order.gift_note = row[27].as<std::string>();
  return order;
}

using proto::SetMoney;
using proto::ToTimestamp;

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
  pg::Exec(tx, kAddHistory, order_id, StatusName(status), reason, Micros(at));
}

// Moves an order from `from` to `to` if it is still in `from`; true when this call made the change.
bool Transition(pqxx::work& tx, const std::string& order_id, OrderStatus from, OrderStatus to, absl::Time at,
                const std::string& extra_condition = "") {
  // Prepared unless a caller adds a condition (whose text may vary per call).
  pqxx::result updated =
      extra_condition.empty()
          ? pg::Exec(tx, kTransition, order_id, StatusName(from), StatusName(to), Micros(at))
          : tx.exec_params(kTransition + extra_condition, order_id, StatusName(from), StatusName(to), Micros(at));
  return updated.affected_rows() == 1;
}

}  // namespace

absl::StatusOr<std::optional<Order>> PgOrderStore::BeginPlacement(const Order& draft, int max_open_orders) {
  std::optional<Order> existing;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    existing.reset();
    if (max_open_orders > 0) {
      pg::Exec(tx, kLockBuyerPlacements, draft.user_id);
      // A repeat of a request id is answered whatever the count.
      pqxx::result replay = pg::Exec(tx, kSelectOrderByRequest, draft.user_id, draft.request_id);
      if (!replay.empty()) {
        existing = OrderFromRow(replay[0]);
        return absl::OkStatus();
      }
      RETURN_IF_ERROR(
          CheckOpenOrders(pg::Exec(tx, kCountOpenOrders, draft.user_id)[0][0].as<int64_t>(), max_open_orders));
    }
    pqxx::result inserted =
        pg::Exec(tx, kBeginPlacement, draft.order_id, draft.user_id, draft.request_id, draft.request_fingerprint,
                 draft.channel, Micros(draft.created_at), draft.coupon_id, draft.points_used);
    if (inserted.affected_rows() == 1) return absl::OkStatus();
    pqxx::result found = pg::Exec(tx, kSelectOrderByRequest, draft.user_id, draft.request_id);
    if (found.empty()) return Aborted("DB_CONFLICT", "concurrent placement; retry");
    existing = OrderFromRow(found[0]);
    return absl::OkStatus();
  }));
  if (existing.has_value()) {
    ASSIGN_OR_RETURN(Order full, Get(existing->order_id));
    return std::optional<Order>(std::move(full));
  }
  return existing;
}

absl::Status PgOrderStore::CompletePlacement(const Order& order) {
  absl::Time placed_at = order.history.empty() ? order.created_at : order.history.back().at;
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    LineArrays lines;
    for (const OrderLine& line : order.lines) lines.Add(line);
    const ShippingAddress& address = order.address;
    pqxx::result placed = pg::Exec(
        tx, kCompletePlacement, order.order_id, order.currency, order.subtotal, order.discount, order.total,
        Micros(order.pay_deadline), Micros(placed_at), order.shipping_fee, order.points_used, order.points_deduction,
        order.coupon_id, order.warehouse_id, pg::TextArrayLiteral(lines.sku_ids),
        pg::BigintArrayLiteral(lines.quantities), pg::BigintArrayLiteral(lines.unit_prices),
        pg::BigintArrayLiteral(lines.subtotals), pg::BigintArrayLiteral(lines.discounts),
        pg::BigintArrayLiteral(lines.totals), pg::BigintArrayLiteral(lines.list_prices),
        pg::TextArrayLiteral(lines.price_rules), pg::BigintArrayLiteral(lines.points), address.address_id,
        address.recipient_name, address.recipient_phone, address.province_code, address.city_code,
        address.district_code, address.detail, order.gift_note, pg::TextArrayLiteral(lines.gift_promotion_ids));
    if (placed[0][0].as<int64_t>() != 1) {
      return Aborted("SAGA_INTERRUPTED", "the order was given up while it was being placed; retry");
    }
    if (!order.children.empty()) {
      std::vector<std::string> ids, warehouses, child_of_line;
      std::vector<int64_t> subtotals, discounts, shipping, points, totals;
      LineArrays child_lines;
      for (const ChildOrder& child : order.children) {
        ids.push_back(child.child_order_id);
        warehouses.push_back(child.warehouse_id);
        subtotals.push_back(child.subtotal);
        discounts.push_back(child.discount);
        shipping.push_back(child.shipping_fee);
        points.push_back(child.points_deduction);
        totals.push_back(child.total);
        for (const OrderLine& line : child.lines) {
          child_of_line.push_back(child.child_order_id);
          child_lines.Add(line);
        }
      }
      tx.exec_params(kInsertChildren, order.order_id, pg::TextArrayLiteral(ids), pg::TextArrayLiteral(warehouses),
                     pg::BigintArrayLiteral(subtotals), pg::BigintArrayLiteral(discounts),
                     pg::BigintArrayLiteral(shipping), pg::BigintArrayLiteral(points), pg::BigintArrayLiteral(totals));
      tx.exec_params(kInsertChildLines, pg::TextArrayLiteral(child_of_line), pg::TextArrayLiteral(child_lines.sku_ids),
                     pg::BigintArrayLiteral(child_lines.quantities), pg::BigintArrayLiteral(child_lines.unit_prices),
                     pg::BigintArrayLiteral(child_lines.subtotals), pg::BigintArrayLiteral(child_lines.discounts),
                     pg::BigintArrayLiteral(child_lines.totals), pg::BigintArrayLiteral(child_lines.list_prices),
                     pg::TextArrayLiteral(child_lines.price_rules), pg::BigintArrayLiteral(child_lines.points),
                     pg::TextArrayLiteral(child_lines.gift_promotion_ids));
    }
    v1::OrderPlaced event;
    event.set_order_id(order.order_id);
    event.set_user_id(order.user_id);
    SetMoney(event.mutable_total(), order.currency, order.total);
    event.set_channel(order.channel);
    *event.mutable_occur_time() = ToTimestamp(placed_at);
    for (const OrderLine& line : order.lines) {
      v1::LineAmount* paid = event.add_lines();
      paid->set_sku_id(line.sku_id);
      paid->set_quantity(line.quantity);
      SetMoney(paid->mutable_amount(), order.currency, line.total);
    }
    return Publish(tx, order.order_id, "placed", event, placed_at);
  });
}

absl::Status PgOrderStore::FailPlacement(const std::string& order_id, const absl::Status& error, absl::Time now) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(
        "UPDATE orders SET status = 'FAILED', status_changed_at = ('epoch'::timestamptz + $2::bigint * interval '1 "
        "microsecond'), "
        "failure_code = $3, failure_reason = $4, failure_message = $5 WHERE order_id = $1 AND status = 'CREATING'",
        order_id, Micros(now), static_cast<int>(error.code()), ReasonOf(error), std::string(error.message()));
    return absl::OkStatus();
  });
}

absl::StatusOr<Order> PgOrderStore::Get(const std::string& order_id) {
  Order order;
  // Reads only: outside a transaction (under READ COMMITTED each statement had its own snapshot anyway).
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) -> absl::Status {
    pqxx::result found = pg::Exec(tx, kSelectOrder, order_id);
    if (found.empty()) return NotFound("ORDER_NOT_FOUND", "no such order");
    order = OrderFromRow(found[0]);
    pqxx::result lines = pg::Exec(tx, kSelectLines, order_id);
    for (const auto& row : lines) order.lines.push_back(LineFromRow(row, 0));
    // An order shipped from one warehouse names it and has no children: no need to look.
    if (order.warehouse_id.empty() && order.status != OrderStatus::kCreating && order.status != OrderStatus::kFailed) {
      pqxx::result children = pg::Exec(tx, kSelectChildren, order_id);
      for (const auto& row : children) {
        std::string child_id = row[0].as<std::string>();
        if (order.children.empty() || order.children.back().child_order_id != child_id) {
          ChildOrder child;
          child.child_order_id = child_id;
          child.warehouse_id = row[1].as<std::string>();
          child.subtotal = row[2].as<int64_t>();
          child.discount = row[3].as<int64_t>();
          child.shipping_fee = row[4].as<int64_t>();
          child.points_deduction = row[5].as<int64_t>();
          child.total = row[6].as<int64_t>();
          order.children.push_back(std::move(child));
        }
        order.children.back().lines.push_back(LineFromRow(row, 7));
      }
    }
    pqxx::result history = pg::Exec(tx, kSelectHistory, order_id);
    for (const auto& row : history) {
      StatusChange change;
      ParseStatus(row[0].as<std::string>(), &change.status);
      change.reason = row[1].as<std::string>();
      change.at = TimeFromMicros(row[2]);
      order.history.push_back(change);
    }
    return absl::OkStatus();
  }));
  return order;
}

absl::StatusOr<bool> PgOrderStore::HasPaidOrder(const std::string& user_id) {
  bool paid = false;
  RETURN_IF_ERROR(pool_.Autocommit([&](pqxx::nontransaction& tx) {
    paid = pg::Exec(tx, kHasPaidOrder, user_id)[0][0].as<bool>();
    return absl::OkStatus();
  }));
  return paid;
}

absl::StatusOr<OrderPage> PgOrderStore::ListByUser(const std::string& user_id, int limit, const std::string& cursor) {
  // The cursor is the (created_at, order_id) of the last order returned, opaque to clients.
  int64_t after_micros = INT64_MAX;
  std::string after_id;
  if (!cursor.empty()) {
    ASSIGN_OR_RETURN(OrderCursor after, DecodeOrderCursor(cursor));
    after_micros = after.created_micros;
    after_id = std::move(after.order_id);
  }
  std::vector<std::string> ids;
  OrderPage page;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ids.clear();
    page.next_cursor.clear();
    pqxx::result rows = tx.exec_params(
        "SELECT order_id, (extract(epoch from created_at) * 1000000)::bigint FROM orders "
        "WHERE user_id = $1 AND status NOT IN ('CREATING', 'FAILED') "
        "AND (created_at, order_id) < (('epoch'::timestamptz + $2::bigint * interval '1 microsecond'), $3) "
        "ORDER BY created_at DESC, order_id DESC LIMIT $4",
        user_id, after_micros == INT64_MAX ? std::string("253402300799000000") : std::to_string(after_micros),
        after_id.empty() ? std::string("\x7f") : after_id, limit + 1);
    for (int i = 0; i < static_cast<int>(rows.size()) && i < limit; ++i) ids.push_back(rows[i][0].as<std::string>());
    if (static_cast<int>(rows.size()) > limit) {
      const auto& last = rows[limit - 1];
      page.next_cursor = EncodeOrderCursor({last[1].as<int64_t>(), last[0].as<std::string>()});
    }
    return absl::OkStatus();
  }));
  for (const std::string& id : ids) {
    ASSIGN_OR_RETURN(Order order, Get(id));
    page.orders.push_back(std::move(order));
  }
  return page;
}

absl::StatusOr<bool> PgOrderStore::ClaimForPayment(const std::string& order_id, absl::Time now) {
  bool claimed = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    claimed = pg::Exec(tx, kClaimForPayment, order_id, StatusName(OrderStatus::kPendingPayment),
                       StatusName(OrderStatus::kPaying), Micros(now))
                  .affected_rows() == 1;
    return absl::OkStatus();
  }));
  return claimed;
}

absl::StatusOr<bool> PgOrderStore::MarkPaid(const Payment& payment) {
  bool paid = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result moved = pg::Exec(tx, kMarkPaid, payment.payment_id, payment.order_id, payment.amount, payment.currency,
                                  payment.provider, Micros(payment.paid_at));
    paid = !moved.empty();
    if (!paid) return absl::OkStatus();
    v1::OrderPaid event;
    event.set_order_id(payment.order_id);
    event.set_user_id(moved[0][0].as<std::string>());
    SetMoney(event.mutable_total(), payment.currency, payment.amount);
    *event.mutable_occur_time() = ToTimestamp(payment.paid_at);
    return Publish(tx, payment.order_id, "paid", event, payment.paid_at);
  }));
  return paid;
}

absl::StatusOr<bool> PgOrderStore::Cancel(const std::string& order_id, OrderStatus from, const std::string& reason,
                                          absl::Time now) {
  bool cancelled = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result owner = pg::Exec(tx, kTransitionReturningUser, order_id, StatusName(from),
                                  StatusName(OrderStatus::kCancelled), Micros(now));
    cancelled = !owner.empty();
    if (!cancelled) return absl::OkStatus();
    AddHistory(tx, order_id, OrderStatus::kCancelled, reason, now);
    v1::OrderCancelled event;
    event.set_order_id(order_id);
    event.set_user_id(owner[0][0].as<std::string>());
    event.set_reason(reason);
    *event.mutable_occur_time() = ToTimestamp(now);
    return Publish(tx, order_id, "cancelled", event, now);
  }));
  return cancelled;
}

absl::Status PgOrderStore::MarkHoldsReleased(const std::string& order_id) {
  return pool_.Autocommit([&](pqxx::nontransaction& tx) -> absl::Status {
    pg::Exec(tx, std::string("UPDATE orders SET holds_released = true WHERE order_id = $1"), order_id);
    return absl::OkStatus();
  });
}

absl::Status PgOrderStore::MarkPaidEffectsApplied(const std::string& order_id, absl::Time now) {
  return pool_.Autocommit([&](pqxx::nontransaction& tx) -> absl::Status {
    pg::Exec(tx, kPaidEffectsApplied, order_id, Micros(now));
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<std::string>> PgOrderStore::ListIds(const std::string& sql,
                                                               const std::vector<std::string>& params) {
  std::vector<std::string> ids;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    ids.clear();
    pqxx::result rows;
    if (params.size() == 2) {
      rows = tx.exec_params(sql, params[0], params[1]);
    } else if (params.size() == 3) {
      rows = tx.exec_params(sql, params[0], params[1], params[2]);
    } else {
      rows = tx.exec_params(sql, params.at(0));
    }
    for (const auto& row : rows) ids.push_back(row[0].as<std::string>());
    return absl::OkStatus();
  }));
  return ids;
}

absl::StatusOr<std::vector<std::string>> PgOrderStore::ListStale(OrderStatus status, absl::Time before, int limit) {
  return ListIds(
      "SELECT order_id FROM orders WHERE status = $1 AND status_changed_at < ('epoch'::timestamptz + $2::bigint * "
      "interval '1 microsecond') "
      "ORDER BY status_changed_at LIMIT $3",
      {StatusName(status), MicrosParam(before), std::to_string(limit)});
}

absl::StatusOr<std::vector<std::string>> PgOrderStore::ListPaymentOverdue(absl::Time now, int limit) {
  return ListIds(
      "SELECT order_id FROM orders WHERE status = 'PENDING_PAYMENT' "
      "AND pay_deadline <= ('epoch'::timestamptz + $1::bigint * interval '1 microsecond') ORDER BY pay_deadline LIMIT "
      "$2",
      {MicrosParam(now), std::to_string(limit)});
}

absl::StatusOr<std::vector<std::string>> PgOrderStore::ListUnreleased(int limit) {
  return ListIds("SELECT order_id FROM orders WHERE status IN ('CANCELLED', 'FAILED') AND NOT holds_released LIMIT $1",
                 {std::to_string(limit)});
}

absl::StatusOr<std::vector<std::string>> PgOrderStore::ListPaidEffectsPending(absl::Time paid_before, int limit) {
  // PAID orders, and orders a full refund before shipment CLOSED while their effects were still pending (the effects
  // failed, e.g. the database restarted under them, and the buyer's refund came before the sweeper): their coupon
  // would stay LOCKED, their points held and their stock HELD for good. The second part reads the CLOSED orders of
  // the last 7 days through orders_by_status_created (refunds are few; no index of its own, no migration).
  return ListIds(
      "SELECT order_id FROM ("
      "SELECT order_id, status_changed_at FROM orders WHERE status = 'PAID' AND NOT paid_effects_applied "
      "AND status_changed_at < ('epoch'::timestamptz + $1::bigint * interval '1 microsecond') "
      "UNION ALL "
      "SELECT order_id, status_changed_at FROM orders WHERE status = 'CLOSED' AND NOT paid_effects_applied "
      "AND created_at > ('epoch'::timestamptz + $1::bigint * interval '1 microsecond') - interval '7 days' "
      "AND status_changed_at < ('epoch'::timestamptz + $1::bigint * interval '1 microsecond')"
      ") pending ORDER BY status_changed_at LIMIT $2",
      {MicrosParam(paid_before), std::to_string(limit)});
}

}  // namespace zhongtai::order
