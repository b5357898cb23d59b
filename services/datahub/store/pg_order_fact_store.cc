#include "services/datahub/store/pg_order_fact_store.h"

#include <map>

#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

// An order's lines from its first OrderPlaced (a second one adds nothing). $1 order, $2 SKUs, $3 quantities,
// $4 amounts: the lines of one SKU already summed.
constexpr char kRecordLines[] =
    "INSERT INTO order_line_facts (order_id, sku_id, quantity, amount_minor) "
    "SELECT $1, s, q, a FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS l(s, q, a) "
    "ON CONFLICT (order_id, sku_id) DO NOTHING";

// The units a refund gave money back for: $1 refund, $2 order, $3 currency, $4 time (micros), $5..$7 as above.
constexpr char kRecordRefundLines[] =
    "INSERT INTO refund_line_facts (refund_id, order_id, currency, refunded_at, sku_id, quantity, amount_minor) "
    "SELECT $1, $2, $3, 'epoch'::timestamptz + $4::bigint * interval '1 microsecond', s, q, a "
    "FROM unnest($5::text[], $6::bigint[], $7::bigint[]) AS l(s, q, a) "
    "ON CONFLICT (refund_id, sku_id) DO NOTHING";

struct LineArrays {
  std::string skus, quantities, amounts;
};

// One entry per SKU (lines of the same SKU added up), as array literals; lines without a SKU are left out.
LineArrays ArraysOf(const std::vector<OrderEvent::Line>& lines) {
  std::map<std::string, std::pair<int64_t, int64_t>> by_sku;
  for (const OrderEvent::Line& line : lines) {
    if (line.sku_id.empty()) continue;
    by_sku[line.sku_id].first += line.quantity;
    by_sku[line.sku_id].second += line.amount_minor;
  }
  std::vector<std::string> skus;
  std::vector<int64_t> quantities, amounts;
  for (const auto& [sku, sums] : by_sku) {
    skus.push_back(sku);
    quantities.push_back(sums.first);
    amounts.push_back(sums.second);
  }
  return {pg::TextArrayLiteral(skus), pg::BigintArrayLiteral(quantities), pg::BigintArrayLiteral(amounts)};
}

}  // namespace

void PgOrderFactStore::Record(pqxx::work& tx, const OrderEvent& event) {
  const int64_t at = pg::Micros(event.at);
  switch (event.kind) {
    case OrderEventKind::kPlaced:
      // The buyer's link (migration 0002), unless the buyer erased their account before the event arrived.
      pg::Exec(
          tx,
          "INSERT INTO order_facts (order_id, currency, placed_at, total_minor, user_id, channel) VALUES ($1, $2, " +
              pg::TimestampFromMicros(3) +
              ", $4, (SELECT NULLIF($5, '') WHERE NOT EXISTS (SELECT 1 FROM erased_users WHERE user_id = $5)), $6) "
              "ON CONFLICT (order_id) DO UPDATE SET "
              "currency = COALESCE(NULLIF(order_facts.currency, ''), EXCLUDED.currency), "
              "channel = COALESCE(NULLIF(order_facts.channel, ''), EXCLUDED.channel), "
              "user_id = COALESCE(order_facts.user_id, EXCLUDED.user_id), "
              "total_minor = CASE WHEN order_facts.placed_at IS NULL THEN EXCLUDED.total_minor "
              "ELSE order_facts.total_minor END, "
              "placed_at = COALESCE(order_facts.placed_at, EXCLUDED.placed_at), updated_at = now()",
          event.order_id, event.currency, at, event.amount_minor, event.user_id, event.channel);
      if (!event.lines.empty()) {
        const LineArrays lines = ArraysOf(event.lines);
        pg::Exec(tx, kRecordLines, event.order_id, lines.skus, lines.quantities, lines.amounts);
      }
      break;
    case OrderEventKind::kPaid:
      pg::Exec(tx,
               "INSERT INTO order_facts (order_id, currency, paid_at, paid_minor) VALUES ($1, $2, " +
                   pg::TimestampFromMicros(3) +
                   ", $4) ON CONFLICT (order_id) DO UPDATE SET "
                   "currency = COALESCE(NULLIF(order_facts.currency, ''), EXCLUDED.currency), "
                   "paid_minor = CASE WHEN order_facts.paid_at IS NULL THEN EXCLUDED.paid_minor "
                   "ELSE order_facts.paid_minor END, "
                   "paid_at = COALESCE(order_facts.paid_at, EXCLUDED.paid_at), updated_at = now()",
               event.order_id, event.currency, at, event.amount_minor);
      break;
    case OrderEventKind::kCancelled:
      pg::Exec(tx,
               "INSERT INTO order_facts (order_id, currency, cancelled_at) VALUES ($1, $2, " +
                   pg::TimestampFromMicros(3) +
                   ") ON CONFLICT (order_id) DO UPDATE SET "
                   "currency = COALESCE(NULLIF(order_facts.currency, ''), EXCLUDED.currency), "
                   "cancelled_at = COALESCE(order_facts.cancelled_at, EXCLUDED.cancelled_at), updated_at = now()",
               event.order_id, event.currency, at);
      break;
    case OrderEventKind::kRefunded:
      // Every refund adds its amount (the inbox lets each refund event through once); the first refund's time
      // places the order among the refunded ones.
      pg::Exec(tx,
               "INSERT INTO order_facts (order_id, currency, refunded_at, refunded_minor) VALUES ($1, $2, " +
                   pg::TimestampFromMicros(3) +
                   ", $4) ON CONFLICT (order_id) DO UPDATE SET "
                   "currency = COALESCE(NULLIF(order_facts.currency, ''), EXCLUDED.currency), "
                   "refunded_minor = order_facts.refunded_minor + EXCLUDED.refunded_minor, "
                   "refunded_at = LEAST(order_facts.refunded_at, EXCLUDED.refunded_at), updated_at = now()",
               event.order_id, event.currency, at, event.amount_minor);
      if (!event.lines.empty()) {
        const LineArrays lines = ArraysOf(event.lines);
        pg::Exec(tx, kRecordRefundLines, event.refund_id, event.order_id, event.currency, at, lines.skus,
                 lines.quantities, lines.amounts);
      }
      break;
  }
}

absl::StatusOr<DashboardTotals> PgOrderFactStore::Totals(const DashboardQuery& query) {
  DashboardTotals totals;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    const std::string start = pg::TimestampFromMicros(1);
    const std::string end = pg::TimestampFromMicros(2);
    auto in_range = [&](const char* column) {
      return std::string("(") + column + " >= " + start + " AND " + column + " < " + end + ")";
    };
    pqxx::row row = tx.exec_params1("SELECT count(*) FILTER (WHERE " + in_range("placed_at") +
                                        "), "
                                        "COALESCE(sum(total_minor) FILTER (WHERE " +
                                        in_range("placed_at") +
                                        "), 0)::bigint, "
                                        "count(*) FILTER (WHERE " +
                                        in_range("paid_at") +
                                        "), "
                                        "COALESCE(sum(paid_minor) FILTER (WHERE " +
                                        in_range("paid_at") +
                                        "), 0)::bigint, "
                                        "count(*) FILTER (WHERE " +
                                        in_range("cancelled_at") +
                                        ") "
                                        "FROM order_facts WHERE currency = $3 AND (" +
                                        in_range("placed_at") + " OR " + in_range("paid_at") + " OR " +
                                        in_range("cancelled_at") + ")",
                                    pg::Micros(query.start_time), pg::Micros(query.end_time), query.currency);
    totals.orders_placed = row[0].as<int64_t>();
    totals.gmv_minor = row[1].as<int64_t>();
    totals.orders_paid = row[2].as<int64_t>();
    totals.paid_gmv_minor = row[3].as<int64_t>();
    totals.orders_cancelled = row[4].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return totals;
}

absl::StatusOr<std::optional<OrderFact>> PgOrderFactStore::Find(const std::string& order_id) {
  std::optional<OrderFact> fact;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    fact.reset();
    pqxx::result rows = tx.exec_params(
        "SELECT order_id, currency, "
        "(EXTRACT(EPOCH FROM placed_at) * 1000000)::bigint, total_minor, "
        "(EXTRACT(EPOCH FROM paid_at) * 1000000)::bigint, paid_minor, "
        "(EXTRACT(EPOCH FROM cancelled_at) * 1000000)::bigint "
        "FROM order_facts WHERE order_id = $1",
        order_id);
    if (rows.empty()) return absl::OkStatus();
    const pqxx::row& row = rows[0];
    OrderFact f;
    f.order_id = row[0].as<std::string>();
    f.currency = row[1].as<std::string>();
    f.placed_at = pg::OptionalTimeFromMicros(row[2]);
    f.total_minor = row[3].as<int64_t>();
    f.paid_at = pg::OptionalTimeFromMicros(row[4]);
    f.paid_minor = row[5].as<int64_t>();
    f.cancelled_at = pg::OptionalTimeFromMicros(row[6]);
    fact = std::move(f);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return fact;
}

}  // namespace zhongtai::datahub
