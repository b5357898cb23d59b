// PgProductStore, the stock half: reservations (reserve, confirm, release) and the expiry sweep. Every
// statement that moves stock locks the stock rows in (sku id, warehouse id) byte order. The catalogue half is
// in pg_catalog_store.cc; admin stock movements are PgStockStore's (pg_stock_store.h).
#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"
#include "services/product/domain/rules.h"
#include "services/product/domain/settlement.h"
#include "services/product/store/pg_product_store.h"
#include "services/product/store/pg_stock_events.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg::BigintArrayLiteral;
using pg::TextArrayLiteral;
using pg_store::FromMicros;
using pg_store::Micros;

std::string StatusText(ReservationStatus status) { return ReservationStatusName(status); }

ReservationStatus ParseStatus(const std::string& text) {
  if (text == "CONFIRMED") return ReservationStatus::kConfirmed;
  if (text == "RELEASED") return ReservationStatus::kReleased;
  if (text == "EXPIRED") return ReservationStatus::kExpired;
  return ReservationStatus::kHeld;
}

// The reservation with its allocations (its lines are their sums per SKU), in one statement; `lock` takes
// the reservation row FOR UPDATE (the allocations are not locked: they never change).
constexpr char kLoadReservationSql[] =
    "SELECT r.status, zt_micros(r.created_at), zt_micros(r.expires_at), r.ship_province, r.ship_city, "
    "a.sku_id, a.warehouse_id, a.quantity "
    "FROM reservations r LEFT JOIN reservation_allocations a ON a.order_id = r.order_id "
    "WHERE r.order_id = $1 ORDER BY a.sku_id COLLATE \"C\", a.warehouse_id COLLATE \"C\"";
constexpr char kLockReservationSql[] =
    "SELECT r.status, zt_micros(r.created_at), zt_micros(r.expires_at), r.ship_province, r.ship_city, "
    "a.sku_id, a.warehouse_id, a.quantity "
    "FROM reservations r LEFT JOIN reservation_allocations a ON a.order_id = r.order_id "
    "WHERE r.order_id = $1 ORDER BY a.sku_id COLLATE \"C\", a.warehouse_id COLLATE \"C\" FOR UPDATE OF r";

std::optional<Reservation> LoadReservation(pqxx::work& tx, const std::string& order_id, bool lock) {
  pqxx::result rows = lock ? pg::Exec(tx, kLockReservationSql, order_id) : pg::Exec(tx, kLoadReservationSql, order_id);
  if (rows.empty()) return std::nullopt;
  Reservation r;
  r.order_id = order_id;
  r.status = ParseStatus(rows[0][0].as<std::string>());
  r.created_at = FromMicros(rows[0][1]);
  r.expires_at = FromMicros(rows[0][2]);
  r.region = {rows[0][3].as<std::string>(), rows[0][4].as<std::string>()};
  for (const auto& row : rows) {
    if (row[5].is_null()) continue;
    Allocation a{row[5].as<std::string>(), row[6].as<std::string>(), row[7].as<int64_t>()};
    if (r.lines.empty() || r.lines.back().sku_id != a.sku_id) r.lines.push_back({a.sku_id, 0});
    r.lines.back().quantity += a.quantity;
    r.allocations.push_back(std::move(a));
  }
  return r;
}

// The stock rows a stock-moving statement below is about to move, locked FOR NO KEY UPDATE in the global order by a
// statement of their own first. Why: a row lock that waits for another transaction's update makes PostgreSQL re-check
// the row's new version with EvalPlanQual, which initializes every CTE of the statement again; for kReserveSql (a dozen
// CTEs: hash joins, sorts, window functions) that re-initialization was most of product's CPU when buyers compete for
// one SKU (docs/performance.md). Here the re-check is one index scan, and the big statement then finds the rows held
// by its own transaction and never waits. The big statements still lock the rows themselves, so they stay correct on
// their own. $1 the SKU ids: every warehouse's row of them, as a reservation locks (a confirmation or release needs
// only its allocations' rows, but a list of pairs joined in a generic plan may scan the whole table).
constexpr char kLockStockOfSkusSql[] =
    "SELECT 1 FROM stock WHERE sku_id = ANY ($1::text[]) "
    "ORDER BY sku_id COLLATE \"C\", warehouse_id COLLATE \"C\" FOR NO KEY UPDATE";

// Reserve as one statement, so that the stock rows are locked for this statement and the COMMIT
// after it, not across a round trip per line. In execution order (each step depends on the one
// before, which fixes the order of the data-modifying CTEs):
//   ins      the reservation row, ON CONFLICT DO NOTHING: the idempotency gate. A concurrent call
//            with the same order id waits here for the first to end; a repeat inserts nothing, so
//            nothing below runs and the caller reads the existing reservation.
//   locked   the stock rows of every line (in every warehouse), FOR NO KEY UPDATE in (sku id,
//            warehouse id) byte order, the order every stock-moving statement uses: no deadlocks.
//            NO KEY: the foreign-key checks of ledger and allocation inserts (KEY SHARE) need not wait.
//   eligible SourcingOrder() of sourcing.h: rows with stock in warehouses serving the region
//            (zt_warehouse_serves; $9 province, $10 city; '' = any), numbered front < regional < central, then
//            priority, then id.
//   whole    SourceLine(): per line, the first eligible warehouse that covers all of it;
//   greedy   for the lines no single warehouse covers, each warehouse in order as much as it has.
//   short    the first line (by SKU id) that cannot be covered, and whether its SKU exists at all.
//   upd      the conditional stock update, only when no line is short; ledger, lines and
//            allocations follow from it. The caller rolls back when `short` names a line, which
//            also removes the reservation row: all lines or nothing.
// Returns one row per allocation (at least one row): (inserted, allocations planned, rows moved, short
// SKU, its quantity, its available, whether it exists, allocation SKU, warehouse, quantity).
// $1 order id, $2 text[] SKU ids (normalized: one per SKU, sorted), $3 bigint[] their quantities,
// $4 created and $5 expires (Unix micros), $6 ledger kind, $7/$8 on-hand/reserved delta per unit,
// $9/$10 shipping province/city code.
constexpr char kReserveSql[] = R"sql(
WITH req AS (
  SELECT r.sku_id, r.quantity FROM unnest($2::text[], $3::bigint[]) AS r (sku_id, quantity)
),
ins AS (
  INSERT INTO reservations (order_id, status, created_at, expires_at, updated_at, ship_province, ship_city)
  VALUES ($1::text, 'HELD', zt_ts($4::bigint), zt_ts($5::bigint), zt_ts($4::bigint), $9::text, $10::text)
  ON CONFLICT (order_id) DO NOTHING
  RETURNING order_id
),
locked AS MATERIALIZED (
  SELECT st.sku_id, st.warehouse_id, st.on_hand - st.reserved AS available
  FROM stock st
  WHERE st.sku_id = ANY ($2::text[]) AND EXISTS (SELECT FROM ins)
  ORDER BY st.sku_id COLLATE "C", st.warehouse_id COLLATE "C"
  FOR NO KEY UPDATE
),
eligible AS MATERIALIZED (
  SELECT l.sku_id, l.warehouse_id, l.available, r.quantity,
         row_number() OVER (PARTITION BY l.sku_id
                            ORDER BY CASE w.type WHEN 'front' THEN 0 WHEN 'regional' THEN 1 ELSE 2 END,
                                     w.priority, l.warehouse_id COLLATE "C") AS pos
  FROM locked l JOIN req r ON r.sku_id = l.sku_id JOIN warehouses w ON w.warehouse_id = l.warehouse_id
  WHERE l.available > 0 AND zt_warehouse_serves(w.active, w.regions, $9::text, $10::text)
),
whole AS MATERIALIZED (
  SELECT DISTINCT ON (sku_id) sku_id, warehouse_id, quantity FROM eligible
  WHERE available >= quantity ORDER BY sku_id, pos
),
greedy AS (
  SELECT e.sku_id, e.warehouse_id, e.available, e.quantity,
         COALESCE(sum(e.available) OVER (PARTITION BY e.sku_id ORDER BY e.pos
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)::bigint AS before
  FROM eligible e WHERE NOT EXISTS (SELECT FROM whole w WHERE w.sku_id = e.sku_id)
),
alloc AS MATERIALIZED (
  SELECT sku_id, warehouse_id, quantity FROM whole
  UNION ALL
  SELECT sku_id, warehouse_id, LEAST(quantity - before, available) FROM greedy WHERE before < quantity
),
short AS MATERIALIZED (
  SELECT r.sku_id, r.quantity, COALESCE(sum(e.available), 0)::bigint AS available,
         EXISTS (SELECT FROM skus s WHERE s.sku_id = r.sku_id) AS known
  FROM req r LEFT JOIN eligible e ON e.sku_id = r.sku_id
  WHERE EXISTS (SELECT FROM ins)
  GROUP BY r.sku_id, r.quantity
  HAVING COALESCE(sum(e.available), 0) < r.quantity
  ORDER BY r.sku_id COLLATE "C"
  LIMIT 1
),
upd AS (
  UPDATE stock st
  SET on_hand = st.on_hand + $7::bigint * a.quantity, reserved = st.reserved + $8::bigint * a.quantity,
      updated_at = zt_ts($4::bigint)
  FROM alloc a
  WHERE st.sku_id = a.sku_id AND st.warehouse_id = a.warehouse_id
    AND (st.on_hand + $7::bigint * a.quantity) - (st.reserved + $8::bigint * a.quantity) >= 0
    AND st.reserved + $8::bigint * a.quantity >= 0
    AND NOT EXISTS (SELECT FROM short)
  RETURNING st.sku_id, st.warehouse_id, a.quantity, st.on_hand, st.reserved
),
ins_lines AS (
  INSERT INTO reservation_lines (order_id, sku_id, quantity)
  SELECT i.order_id, r.sku_id, r.quantity FROM ins i CROSS JOIN req r WHERE NOT EXISTS (SELECT FROM short)
),
ins_allocations AS (
  INSERT INTO reservation_allocations (order_id, sku_id, warehouse_id, quantity)
  SELECT $1::text, sku_id, warehouse_id, quantity FROM upd
),
ins_ledger AS (
  INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                            reserved_after, order_id, created_at)
  SELECT sku_id, warehouse_id, $6::text, $7::bigint * quantity, $8::bigint * quantity, on_hand, reserved, $1::text,
         zt_ts($4::bigint)
  FROM upd ORDER BY sku_id COLLATE "C", warehouse_id COLLATE "C"
)
SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM alloc), (SELECT count(*) FROM upd),
       s.sku_id, s.quantity, s.available, s.known, u.sku_id, u.warehouse_id, u.quantity
FROM (SELECT) AS one LEFT JOIN short s ON true LEFT JOIN upd u ON true
ORDER BY u.sku_id COLLATE "C", u.warehouse_id COLLATE "C"
)sql";

// Moves the stock of every allocation of one order (confirm, release) in one statement: locks the
// rows in the global order, applies the per-unit deltas, writes a ledger row per allocation and the
// reservation's new status. Returns (allocations, rows moved, the ledger rows' ids); the counts differ only if a
// row would have broken on hand >= reserved >= 0, and the caller then rolls back.
// $1 order id, $2 new status, $3 ledger kind, $4/$5 on-hand/reserved delta per unit, $6 now (micros).
constexpr char kMoveOrderStockSql[] = R"sql(
WITH alloc AS MATERIALIZED (
  SELECT sku_id, warehouse_id, quantity FROM reservation_allocations WHERE order_id = $1::text
),
locked AS MATERIALIZED (
  SELECT st.sku_id, st.warehouse_id FROM stock st
  WHERE (st.sku_id, st.warehouse_id) IN (SELECT sku_id, warehouse_id FROM alloc)
  ORDER BY st.sku_id COLLATE "C", st.warehouse_id COLLATE "C"
  FOR NO KEY UPDATE
),
upd AS (
  UPDATE stock st
  SET on_hand = st.on_hand + $4::bigint * a.quantity, reserved = st.reserved + $5::bigint * a.quantity,
      updated_at = zt_ts($6::bigint)
  FROM alloc a JOIN locked l ON l.sku_id = a.sku_id AND l.warehouse_id = a.warehouse_id
  WHERE st.sku_id = a.sku_id AND st.warehouse_id = a.warehouse_id
    AND (st.on_hand + $4::bigint * a.quantity) - (st.reserved + $5::bigint * a.quantity) >= 0
    AND st.reserved + $5::bigint * a.quantity >= 0
  RETURNING st.sku_id, st.warehouse_id, a.quantity, st.on_hand, st.reserved
),
ledger AS (
  INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                            reserved_after, order_id, created_at)
  SELECT sku_id, warehouse_id, $3::text, $4::bigint * quantity, $5::bigint * quantity, on_hand, reserved, $1::text,
         zt_ts($6::bigint)
  FROM upd ORDER BY sku_id COLLATE "C", warehouse_id COLLATE "C"
  RETURNING entry_id
),
status AS (
  UPDATE reservations SET status = $2::text, updated_at = zt_ts($6::bigint) WHERE order_id = $1::text
)
SELECT (SELECT count(*) FROM alloc), (SELECT count(*) FROM upd), (SELECT array_agg(entry_id) FROM ledger)
)sql";

// One allocation of a settled reservation (settlement.h): $3 units confirmed (on hand and reserved down) and $4
// released (reserved down) on the stock row ($1 sku, $2 warehouse), with a ledger row per non-zero part and the level
// after it; $5 order id, $6 now (micros). The caller moves allocations in (sku id, warehouse id) byte order, the
// order every stock-moving statement locks rows in. Returns the row's level after and the confirmation's ledger row
// id (NULL without one), none when the row would break on hand >= reserved >= 0.
constexpr char kSettleAllocationSql[] = R"sql(
WITH upd AS (
  UPDATE stock SET on_hand = on_hand - $3::bigint, reserved = reserved - ($3::bigint + $4::bigint),
                   updated_at = zt_ts($6::bigint)
  WHERE sku_id = $1::text AND warehouse_id = $2::text
    AND (on_hand - $3::bigint) - (reserved - $3::bigint - $4::bigint) >= 0 AND reserved - $3::bigint - $4::bigint >= 0
  RETURNING on_hand, reserved
),
ledger AS (
  INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                            reserved_after, order_id, created_at)
  SELECT $1::text, $2::text, 'confirm', -$3::bigint, -$3::bigint, on_hand, reserved + $4::bigint, $5::text,
         zt_ts($6::bigint) FROM upd WHERE $3::bigint > 0
  UNION ALL
  SELECT $1::text, $2::text, 'release', 0, -$4::bigint, on_hand, reserved, $5::text, zt_ts($6::bigint)
  FROM upd WHERE $4::bigint > 0
  RETURNING entry_id, on_hand_delta
)
SELECT on_hand, reserved, (SELECT array_agg(entry_id) FROM ledger WHERE on_hand_delta <> 0) FROM upd
)sql";
constexpr char kMarkSettledSql[] =
    "UPDATE reservations SET status = 'CONFIRMED', settled_quantity = $2, updated_at = zt_ts($3::bigint) "
    "WHERE order_id = $1";

// The sweep as one statement: up to $2 HELD reservations past their expiry $1, skipping those another
// transaction holds (a replica's sweep, a confirm in flight); their stock summed per stock row, the
// rows locked in the global order and updated once each; one ledger row per (order, stock row) with
// the level right after that movement, as if the orders had been expired one by one in order id
// order; and the new status. Returns (expired, stock rows to move, stock rows moved).
// $3 ledger kind, $4/$5 on-hand/reserved delta per unit, $6 new status.
constexpr char kExpireDueSql[] = R"sql(
WITH due AS MATERIALIZED (
  SELECT order_id FROM reservations
  WHERE status = 'HELD' AND expires_at <= zt_ts($1::bigint)
  ORDER BY expires_at LIMIT $2::int
  FOR UPDATE SKIP LOCKED
),
moves AS MATERIALIZED (
  SELECT a.order_id, a.sku_id, a.warehouse_id, a.quantity
  FROM reservation_allocations a WHERE a.order_id IN (SELECT order_id FROM due)
),
totals AS MATERIALIZED (
  SELECT sku_id, warehouse_id, sum(quantity)::bigint AS quantity FROM moves GROUP BY sku_id, warehouse_id
),
locked AS MATERIALIZED (
  SELECT st.sku_id, st.warehouse_id FROM stock st
  WHERE (st.sku_id, st.warehouse_id) IN (SELECT sku_id, warehouse_id FROM totals)
  ORDER BY st.sku_id COLLATE "C", st.warehouse_id COLLATE "C"
  FOR NO KEY UPDATE
),
upd AS (
  UPDATE stock st
  SET on_hand = st.on_hand + $4::bigint * t.quantity, reserved = st.reserved + $5::bigint * t.quantity,
      updated_at = zt_ts($1::bigint)
  FROM totals t JOIN locked l ON l.sku_id = t.sku_id AND l.warehouse_id = t.warehouse_id
  WHERE st.sku_id = t.sku_id AND st.warehouse_id = t.warehouse_id
    AND (st.on_hand + $4::bigint * t.quantity) - (st.reserved + $5::bigint * t.quantity) >= 0
    AND st.reserved + $5::bigint * t.quantity >= 0
  RETURNING st.sku_id, st.warehouse_id, st.on_hand, st.reserved
),
ledger AS (
  INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                            reserved_after, order_id, created_at)
  SELECT m.sku_id, m.warehouse_id, $3::text, $4::bigint * m.quantity, $5::bigint * m.quantity,
         u.on_hand - $4::bigint * COALESCE(sum(m.quantity) OVER later, 0),
         u.reserved - $5::bigint * COALESCE(sum(m.quantity) OVER later, 0),
         m.order_id, zt_ts($1::bigint)
  FROM moves m JOIN upd u ON u.sku_id = m.sku_id AND u.warehouse_id = m.warehouse_id
  WINDOW later AS (PARTITION BY m.sku_id, m.warehouse_id ORDER BY m.order_id COLLATE "C"
                   ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)
  ORDER BY m.sku_id COLLATE "C", m.warehouse_id COLLATE "C", m.order_id COLLATE "C"
),
expired AS (
  UPDATE reservations r SET status = $6::text, updated_at = zt_ts($1::bigint)
  FROM due d WHERE r.order_id = d.order_id
  RETURNING r.order_id
)
SELECT (SELECT count(*) FROM expired), (SELECT count(*) FROM totals), (SELECT count(*) FROM upd)
)sql";

// Resize (PlanResize of settlement.h), statement by statement on the locked reservation: an admin's rare call.
// A request key already applied: $1 request id. Returns its order id.
constexpr char kFindResizeSql[] = "SELECT order_id FROM reservation_resizes WHERE request_id = $1";
// The stock rows of the reservation's SKU ($1), locked in (sku id, warehouse id) byte order like every stock-moving
// statement, with what each has available and its warehouse's sourcing order (sourcing.h: front < regional <
// central, then priority, then id; inactive warehouses are not sourced from).
constexpr char kLockSkuStockSql[] = R"sql(
SELECT st.warehouse_id, st.on_hand - st.reserved, w.active,
       CASE w.type WHEN 'front' THEN 0 WHEN 'regional' THEN 1 ELSE 2 END, w.priority
FROM stock st JOIN warehouses w ON w.warehouse_id = st.warehouse_id
WHERE st.sku_id = $1
ORDER BY st.sku_id COLLATE "C", st.warehouse_id COLLATE "C"
FOR NO KEY UPDATE OF st
)sql";
// One stock row's reserved moves by $3 (more or fewer held), never below zero nor above on hand, with its ledger
// row ('reserve' or 'release', $4) and the level after. $5 order id, $6 request id, $7 now (micros). Returns the
// level after; none when the row would break on hand >= reserved >= 0.
constexpr char kResizeStockSql[] = R"sql(
WITH upd AS (
  UPDATE stock SET reserved = reserved + $3::bigint, updated_at = zt_ts($7::bigint)
  WHERE sku_id = $1::text AND warehouse_id = $2::text
    AND on_hand - (reserved + $3::bigint) >= 0 AND reserved + $3::bigint >= 0
  RETURNING on_hand, reserved
),
ledger AS (
  INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after,
                            reserved_after, order_id, request_id, created_at)
  SELECT $1::text, $2::text, $4::text, 0, $3::bigint, on_hand, reserved, $5::text, $6::text, zt_ts($7::bigint)
  FROM upd
)
SELECT on_hand, reserved FROM upd
)sql";
// The allocation's new quantity ($4 > 0) on that stock row: $1 order id, $2 sku, $3 warehouse.
constexpr char kUpsertAllocationSql[] =
    "INSERT INTO reservation_allocations (order_id, sku_id, warehouse_id, quantity) VALUES ($1, $2, $3, $4) "
    "ON CONFLICT (order_id, sku_id, warehouse_id) DO UPDATE SET quantity = EXCLUDED.quantity";
// The allocation gave back all it held.
constexpr char kDeleteAllocationSql[] =
    "DELETE FROM reservation_allocations WHERE order_id = $1 AND sku_id = $2 AND warehouse_id = $3";
// The line's new quantity, the expiry moved to $5 (micros) if later, and the key applied: $1 order id, $2 quantity,
// $3 request id, $4 now (micros).
constexpr char kResizeLineSql[] =
    "WITH line AS (UPDATE reservation_lines SET quantity = $2 WHERE order_id = $1), "
    "touch AS (UPDATE reservations SET updated_at = zt_ts($4::bigint), "
    "expires_at = GREATEST(expires_at, zt_ts($5::bigint)) WHERE order_id = $1) "
    "INSERT INTO reservation_resizes (request_id, order_id, quantity, created_at) "
    "VALUES ($3, $1, $2, zt_ts($4::bigint))";

}  // namespace

absl::StatusOr<TransitionOutcome> PgProductStore::Resize(const std::string& order_id, int64_t new_quantity,
                                                         const std::string& request_id, absl::Time now,
                                                         absl::Time hold_until) {
  TransitionOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    std::optional<Reservation> current = LoadReservation(tx, order_id, true);
    if (!current) return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
    // The locking statement, having waited for a concurrent resize, rechecks the reservation row but returns the
    // allocation rows it joined from before that resize (READ COMMITTED); a new statement reads them as committed.
    current = LoadReservation(tx, order_id, false);
    if (!current) return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
    outcome = {*current, false};
    pqxx::result seen = pg::Exec(tx, kFindResizeSql, request_id);
    if (!seen.empty()) {
      if (seen[0][0].as<std::string>() != order_id) {
        return FailedPrecondition("REQUEST_ID_REUSED", "the request id resized another reservation");
      }
      return absl::OkStatus();  // applied before: returned as it is
    }
    if (current->status != ReservationStatus::kHeld || now >= current->expires_at) {
      return FailedPrecondition("RESERVATION_NOT_HELD",
                                absl::StrCat("reservation of ", order_id, " is no longer held"));
    }
    if (current->lines.size() != 1) {
      return FailedPrecondition("RESERVATION_MISMATCH", "only a reservation of one SKU can be resized");
    }
    const std::string sku = current->lines[0].sku_id;
    struct Row {
      ResizeSource source;
      int rank;
      int64_t priority;
    };
    std::vector<Row> rows;
    for (const auto& row : pg::Exec(tx, kLockSkuStockSql, sku)) {
      if (!row[2].as<bool>()) continue;
      rows.push_back({{row[0].as<std::string>(), row[1].as<int64_t>()}, row[3].as<int>(), row[4].as<int64_t>()});
    }
    std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) {
      return std::tie(a.rank, a.priority, a.source.warehouse_id) < std::tie(b.rank, b.priority, b.source.warehouse_id);
    });
    std::vector<ResizeSource> sources;
    for (const Row& r : rows) sources.push_back(r.source);
    ASSIGN_OR_RETURN(std::vector<ResizeMove> moves, PlanResize(*current, new_quantity, sources));
    for (const ResizeMove& m : moves) {
      pqxx::result moved =
          pg::Exec(tx, kResizeStockSql, m.sku_id, m.warehouse_id, m.delta,
                   std::string(m.delta > 0 ? "reserve" : "release"), order_id, request_id, Micros(now));
      if (moved.empty()) {
        return FailedPrecondition("INSUFFICIENT_STOCK", absl::StrCat("not enough stock for sku ", m.sku_id));
      }
      int64_t held = 0;
      for (const Allocation& a : current->allocations) {
        if (a.warehouse_id == m.warehouse_id) held = a.quantity;
      }
      if (held + m.delta > 0) {
        pg::Exec(tx, kUpsertAllocationSql, order_id, m.sku_id, m.warehouse_id, held + m.delta);
      } else {
        pg::Exec(tx, kDeleteAllocationSql, order_id, m.sku_id, m.warehouse_id);
      }
    }
    pg::Exec(tx, kResizeLineSql, order_id, new_quantity, request_id, Micros(now), Micros(std::max(hold_until, now)));
    std::optional<Reservation> after = LoadReservation(tx, order_id, false);
    if (!after) return Aborted("RESERVATION_RACE", "reservation vanished; retry");
    outcome = {*after, !moves.empty() || after->expires_at != current->expires_at};
    return absl::OkStatus();
  }));
  return outcome;
}

namespace {}  // namespace

absl::StatusOr<ReserveOutcome> PgProductStore::Reserve(const Reservation& draft) {
  std::vector<ReservationLine> lines = NormalizeLines(draft.lines);
  std::vector<std::string> sku_ids;
  std::vector<int64_t> quantities;
  for (const auto& line : lines) {
    sku_ids.push_back(line.sku_id);
    quantities.push_back(line.quantity);
  }
  const std::string sku_literal = TextArrayLiteral(sku_ids), quantity_literal = BigintArrayLiteral(quantities);
  const StockDelta unit = DeltaFor(ReservationStatus::kHeld, 1);
  const std::string kind = LedgerKindFor(ReservationStatus::kHeld);
  ReserveOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pg::Exec(tx, kLockStockOfSkusSql, sku_literal);
    pqxx::result rows = pg::Exec(tx, kReserveSql, draft.order_id, sku_literal, quantity_literal,
                                 Micros(draft.created_at), Micros(draft.expires_at), kind, unit.on_hand, unit.reserved,
                                 draft.region.province_code, draft.region.city_code);
    const pqxx::row result = rows[0];
    if (result[0].as<int64_t>() == 0) {
      // The order id has a reservation already (committed before, or by the concurrent call this
      // statement waited for): this statement has a new snapshot and sees it. No stock was moved.
      std::optional<Reservation> existing = LoadReservation(tx, draft.order_id, false);
      if (!existing) return Aborted("RESERVATION_RACE", "reservation vanished; retry");
      outcome = {*existing, false};
      return absl::OkStatus();
    }
    if (!result[3].is_null()) {
      // A line cannot be covered: returning an error rolls the reservation row back.
      const std::string sku = result[3].as<std::string>();
      if (!result[6].as<bool>()) return NotFound("SKU_NOT_FOUND", absl::StrCat("sku ", sku, " does not exist"));
      return FailedPrecondition("INSUFFICIENT_STOCK",
                                absl::StrCat("not enough stock for sku ", sku, ": requested ", result[4].as<int64_t>(),
                                             ", available ", result[5].as<int64_t>()));
    }
    if (result[1].as<int64_t>() != result[2].as<int64_t>()) {
      // Cannot happen while the rows are locked; the CHECK constraints back this up.
      return FailedPrecondition("INSUFFICIENT_STOCK", "stock changed while it was being reserved");
    }
    outcome.reservation = draft;
    outcome.reservation.lines = lines;
    outcome.reservation.status = ReservationStatus::kHeld;
    outcome.reservation.allocations.clear();
    for (const auto& row : rows) {
      if (row[7].is_null()) continue;
      outcome.reservation.allocations.push_back(
          {row[7].as<std::string>(), row[8].as<std::string>(), row[9].as<int64_t>()});
    }
    outcome.created = true;
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<TransitionOutcome> PgProductStore::Transition(const std::string& order_id, ReservationAction action,
                                                             absl::Time now) {
  TransitionOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    // The reservation row stays locked to the end, so DecideTransition() sees the state it changes.
    std::optional<Reservation> current = LoadReservation(tx, order_id, true);
    if (!current) return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
    ASSIGN_OR_RETURN(std::optional<ReservationStatus> to, DecideTransition(*current, action, now));
    outcome = {*current, false};
    if (!to) return absl::OkStatus();
    const StockDelta unit = DeltaFor(*to, 1);
    std::vector<std::string> lock_skus;
    for (const ReservationLine& line : current->lines) lock_skus.push_back(line.sku_id);
    pg::Exec(tx, kLockStockOfSkusSql, TextArrayLiteral(lock_skus));
    pqxx::row moved = pg::Exec(tx, kMoveOrderStockSql, order_id, StatusText(*to), std::string(LedgerKindFor(*to)),
                               unit.on_hand, unit.reserved, Micros(now))[0];
    if (moved[0].as<int64_t>() != moved[1].as<int64_t>()) {
      return FailedPrecondition("INSUFFICIENT_STOCK",
                                absl::StrCat("stock of order ", order_id, " cannot move to ", StatusText(*to)));
    }
    // A confirmation takes goods off on hand: one StockChanged per allocation (pg_stock_events.h). A release moves
    // reserved only and publishes nothing.
    if (unit.on_hand != 0) RETURN_IF_ERROR(pg_store::PublishStockMovements(tx, pg_store::EntryIds(moved[2])));
    outcome.reservation.status = *to;
    outcome.changed = true;
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<TransitionOutcome> PgProductStore::Settle(const std::string& order_id, int64_t confirm_quantity,
                                                         absl::Time now) {
  TransitionOutcome outcome;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    std::optional<Reservation> current = LoadReservation(tx, order_id, true);
    if (!current) return NotFound("RESERVATION_NOT_FOUND", absl::StrCat("no reservation for order ", order_id));
    ASSIGN_OR_RETURN(std::optional<ReservationStatus> to, DecideTransition(*current, ReservationAction::kConfirm, now));
    outcome = {*current, false};
    if (!to) return absl::OkStatus();
    if (*to != ReservationStatus::kConfirmed) {
      return FailedPrecondition("RESERVATION_EXPIRED", absl::StrCat("reservation of ", order_id, " has expired"));
    }
    ASSIGN_OR_RETURN(std::vector<SettlementMove> moves, SplitSettlement(*current, confirm_quantity));
    std::vector<int64_t> entries;
    for (const SettlementMove& m : moves) {
      pqxx::result moved = pg::Exec(tx, kSettleAllocationSql, m.allocation.sku_id, m.allocation.warehouse_id,
                                    m.confirmed, m.released, order_id, Micros(now));
      if (moved.empty()) {
        return FailedPrecondition("INSUFFICIENT_STOCK",
                                  absl::StrCat("stock of order ", order_id, " cannot be settled"));
      }
      for (int64_t id : pg_store::EntryIds(moved[0][2])) entries.push_back(id);
    }
    RETURN_IF_ERROR(pg_store::PublishStockMovements(tx, entries));
    pg::Exec(tx, kMarkSettledSql, order_id, confirm_quantity, Micros(now));
    outcome.reservation.status = ReservationStatus::kConfirmed;
    outcome.changed = true;
    return absl::OkStatus();
  }));
  return outcome;
}

absl::StatusOr<int> PgProductStore::ExpireDue(absl::Time now, int limit) {
  int expired = 0;
  const StockDelta unit = DeltaFor(ReservationStatus::kExpired, 1);
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::row result =
        pg::Exec(tx, kExpireDueSql, Micros(now), limit, std::string(LedgerKindFor(ReservationStatus::kExpired)),
                 unit.on_hand, unit.reserved, StatusText(ReservationStatus::kExpired))[0];
    if (result[1].as<int64_t>() != result[2].as<int64_t>()) {
      return FailedPrecondition("INSUFFICIENT_STOCK", "expired stock cannot be returned");
    }
    expired = result[0].as<int>();
    return absl::OkStatus();
  }));
  return expired;
}

}  // namespace zhongtai::product
