#include "services/datahub/store/pg_product_metrics_store.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/time.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/datahub/domain/shop_time.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "zhongtai/datahub/v1/product_analytics.pb.h"
#include "zhongtai/datahub/v1/product_metrics_events.pb.h"

namespace zhongtai::datahub {
namespace {

#define ZT_TS(n) "('epoch'::timestamptz + $" #n "::bigint * interval '1 microsecond')"

// Views and add-to-cart events of one product in [$2, $3): distinct devices for the product (whole = 1) and per SKU
// the events named (whole = 0; views without a SKU count for the product only). Uses the product index.
constexpr char kProductVisitors[] =
    "SELECT COALESCE(sku_id, ''), GROUPING(sku_id),"
    " count(DISTINCT device_id) FILTER (WHERE event_type = 1),"
    " count(DISTINCT device_id) FILTER (WHERE event_type = 4)"
    " FROM behaviour_events WHERE product_id = $1 AND occurred_at >= " ZT_TS(2) " AND occurred_at < " ZT_TS(
        3) " GROUP BY GROUPING SETS ((), (sku_id))";

// The cost of one unit of line l of order f: the SKU's cost price in the order's currency in force when the order was
// paid, else (sold before any was known) the first one known; NULL when none is known (sku_cost_history's key).
#define ZT_UNIT_COST                                                                          \
  " LEFT JOIN LATERAL (SELECT h.cost_minor FROM sku_cost_history h WHERE h.sku_id = l.sku_id" \
  " AND h.currency = f.currency ORDER BY (h.effective_at <= f.paid_at) DESC,"                 \
  " CASE WHEN h.effective_at <= f.paid_at THEN h.effective_at END DESC, h.effective_at LIMIT 1) c ON true"

// The product's lines of the orders paid in [$2, $3) in currency $4: buyers, units, GMV, the cost of the units and
// whether every line has one, per product and per SKU.
constexpr char kProductSales[] =
    "SELECT COALESCE(l.sku_id, ''), GROUPING(l.sku_id), count(DISTINCT f.user_id),"
    " COALESCE(sum(l.quantity), 0)::bigint, COALESCE(sum(l.amount_minor), 0)::bigint,"
    " COALESCE(sum(l.quantity * c.cost_minor), 0)::bigint, bool_and(c.cost_minor IS NOT NULL)"
    " FROM order_line_facts l JOIN order_facts f ON f.order_id = l.order_id"
    " JOIN sku_products s ON s.sku_id = l.sku_id" ZT_UNIT_COST
    " WHERE s.product_id = $1 AND f.paid_at >= " ZT_TS(2) " AND f.paid_at < " ZT_TS(3) " AND f.currency = $4"
    " GROUP BY GROUPING SETS ((), (l.sku_id))";

// Every product with activity in [$1, $2) (views and add-to-carts, paid lines in currency $3, refunds in it) with its
// figures, sorted by $4 (1 GMV, 2 units sold, 3 visitors) the highest first, then by product id; when $5, only those
// after ($6 value, $7 product id); at most $8. Columns: product, visitors, add-to-cart visitors, buyers, units, GMV,
// units returned, cost, whether every line sold has a cost.
constexpr char kListProducts[] =
    "WITH vis AS ("
    "  SELECT product_id, count(DISTINCT device_id) FILTER (WHERE event_type = 1) AS uv,"
    "   count(DISTINCT device_id) FILTER (WHERE event_type = 4) AS atc"
    "  FROM behaviour_events WHERE product_id IS NOT NULL AND event_type IN (1, 4)"
    "   AND occurred_at >= " ZT_TS(1) " AND occurred_at < " ZT_TS(2) " GROUP BY product_id),"
    " sales AS ("
    "  SELECT s.product_id, count(DISTINCT f.user_id) AS buyers, sum(l.quantity)::bigint AS units,"
    "   sum(l.amount_minor)::bigint AS gmv, COALESCE(sum(l.quantity * c.cost_minor), 0)::bigint AS cost,"
    "   bool_and(c.cost_minor IS NOT NULL) AS costed"
    "  FROM order_line_facts l JOIN order_facts f ON f.order_id = l.order_id"
    "  JOIN sku_products s ON s.sku_id = l.sku_id" ZT_UNIT_COST
    "  WHERE f.paid_at >= " ZT_TS(1) " AND f.paid_at < " ZT_TS(2) " AND f.currency = $3 GROUP BY s.product_id),"
    " ret AS ("
    "  SELECT s.product_id, sum(r.quantity)::bigint AS units"
    "  FROM refund_line_facts r JOIN sku_products s ON s.sku_id = r.sku_id"
    "  WHERE r.refunded_at >= " ZT_TS(1) " AND r.refunded_at < " ZT_TS(2) " AND r.currency = $3"
    "  GROUP BY s.product_id),"
    " allp AS (SELECT product_id FROM vis UNION SELECT product_id FROM sales UNION SELECT product_id FROM ret),"
    " figures AS ("
    "  SELECT p.product_id, COALESCE(v.uv, 0) AS uv, COALESCE(v.atc, 0) AS atc, COALESCE(sa.buyers, 0) AS buyers,"
    "   COALESCE(sa.units, 0) AS units, COALESCE(sa.gmv, 0) AS gmv, COALESCE(r.units, 0) AS returned,"
    "   COALESCE(sa.cost, 0) AS cost, COALESCE(sa.costed, false) AS costed"
    "  FROM allp p LEFT JOIN vis v ON v.product_id = p.product_id LEFT JOIN sales sa ON sa.product_id = p.product_id"
    "  LEFT JOIN ret r ON r.product_id = p.product_id),"
    " sorted AS (SELECT *, CASE $4::int WHEN 2 THEN units WHEN 3 THEN uv ELSE gmv END AS sort_value FROM figures)"
    " SELECT product_id, uv, atc, buyers, units, gmv, returned, cost, costed FROM sorted"
    " WHERE NOT $5::boolean OR sort_value < $6::bigint"
    "  OR (sort_value = $6::bigint AND product_id COLLATE \"C\" > $7::text COLLATE \"C\")"
    " ORDER BY sort_value DESC, product_id COLLATE \"C\" LIMIT $8";

// SKU and warehouse pairs at or below their threshold (daily_report.h: LowStockSku), the furthest below first, at most
// $3, with how many there are in all: $1 the end of the sales window (micros), $2 the threshold without a setting.
constexpr char kLowStock[] =
    "WITH cover AS ("
    "  SELECT l.sku_id, sum(l.quantity)::bigint AS units FROM order_line_facts l"
    "  JOIN order_facts f ON f.order_id = l.order_id"
    "  WHERE l.sku_id IN (SELECT sku_id FROM stock_levels WHERE safety_days_of_cover IS NOT NULL)"
    "   AND f.paid_at >= " ZT_TS(1) " - interval '30 days' AND f.paid_at < " ZT_TS(1) " GROUP BY l.sku_id),"
    " judged AS ("
    "  SELECT s.sku_id, s.product_id, s.warehouse_id, s.on_hand, s.available,"
    "   CASE WHEN s.safety_stock IS NOT NULL THEN s.safety_stock"
    "    WHEN s.safety_days_of_cover IS NOT NULL"
    "     THEN ceil(s.safety_days_of_cover * COALESCE(c.units, 0) / 30.0)::bigint"
    "    ELSE $2::bigint END AS threshold,"
    "   CASE WHEN s.safety_stock IS NOT NULL THEN 0 WHEN s.safety_days_of_cover IS NOT NULL THEN 1 ELSE 2 END AS basis"
    "  FROM stock_levels s LEFT JOIN cover c ON c.sku_id = s.sku_id)"
    " SELECT sku_id, product_id, warehouse_id, on_hand, available, threshold, basis, count(*) OVER ()"
    " FROM judged WHERE available <= threshold"
    " ORDER BY available - threshold, sku_id COLLATE \"C\", warehouse_id COLLATE \"C\" LIMIT $3";

// The points ledger's sums over [$1, $2): issued, redeemed (net of releases and returns), reversed, expired.
constexpr char kPointsDay[] =
    "SELECT COALESCE(sum(delta) FILTER (WHERE kind = 'earn'), 0)::bigint,"
    " COALESCE(-sum(delta) FILTER (WHERE kind IN ('redeem', 'release', 'return')), 0)::bigint,"
    " COALESCE(-sum(delta) FILTER (WHERE kind = 'reverse'), 0)::bigint,"
    " COALESCE(-sum(delta) FILTER (WHERE kind = 'expire'), 0)::bigint"
    " FROM points_facts WHERE occurred_at >= " ZT_TS(1) " AND occurred_at < " ZT_TS(2);

// The product's units refunded in [$2, $3) in currency $4, whenever they were sold.
constexpr char kProductReturns[] =
    "SELECT COALESCE(r.sku_id, ''), GROUPING(r.sku_id), COALESCE(sum(r.quantity), 0)::bigint"
    " FROM refund_line_facts r JOIN sku_products s ON s.sku_id = r.sku_id"
    " WHERE s.product_id = $1 AND r.refunded_at >= " ZT_TS(2) " AND r.refunded_at < " ZT_TS(3) " AND r.currency = $4"
    " GROUP BY GROUPING SETS ((), (r.sku_id))";

// The same three for every product with activity in [$1, $2) (the day's partition, the paid orders, the refunds):
// product, SKU ('' and whole = 1 for the product), figures.
constexpr char kDayVisitors[] =
    "SELECT product_id, COALESCE(sku_id, ''), GROUPING(sku_id),"
    " count(DISTINCT device_id) FILTER (WHERE event_type = 1),"
    " count(DISTINCT device_id) FILTER (WHERE event_type = 4)"
    " FROM behaviour_events WHERE product_id IS NOT NULL AND event_type IN (1, 4)"
    " AND occurred_at >= " ZT_TS(1) " AND occurred_at < " ZT_TS(
        2) " GROUP BY GROUPING SETS ((product_id), (product_id, sku_id))";

constexpr char kDaySales[] =
    "SELECT s.product_id, COALESCE(l.sku_id, ''), GROUPING(l.sku_id), count(DISTINCT f.user_id),"
    " sum(l.quantity)::bigint, sum(l.amount_minor)::bigint"
    " FROM order_line_facts l JOIN order_facts f ON f.order_id = l.order_id"
    " JOIN sku_products s ON s.sku_id = l.sku_id"
    " WHERE f.paid_at >= " ZT_TS(1) " AND f.paid_at < " ZT_TS(2) " AND f.currency = $3"
    " GROUP BY GROUPING SETS ((s.product_id), (s.product_id, l.sku_id))";

constexpr char kDayReturns[] =
    "SELECT s.product_id, COALESCE(r.sku_id, ''), GROUPING(r.sku_id), sum(r.quantity)::bigint"
    " FROM refund_line_facts r JOIN sku_products s ON s.sku_id = r.sku_id"
    " WHERE r.refunded_at >= " ZT_TS(1) " AND r.refunded_at < " ZT_TS(2) " AND r.currency = $3"
    " GROUP BY GROUPING SETS ((s.product_id), (s.product_id, r.sku_id))";

// Products by paid GMV of the orders paid in [$1, $2) in currency $3, at most $4.
constexpr char kTopProducts[] =
    "SELECT s.product_id, sum(l.quantity)::bigint, sum(l.amount_minor)::bigint"
    " FROM order_line_facts l JOIN order_facts f ON f.order_id = l.order_id"
    " JOIN sku_products s ON s.sku_id = l.sku_id"
    " WHERE f.paid_at >= " ZT_TS(1) " AND f.paid_at < " ZT_TS(2) " AND f.currency = $3"
    " GROUP BY s.product_id ORDER BY 3 DESC, 1 LIMIT $4";

// Claimed coupons whose validity ends in [$1, $2) (the latest validity known per coupon) and whose latest use event
// is not a redemption (a returned coupon is usable again), by template.
constexpr char kCouponsExpiring[] =
    "WITH due AS ("
    "  SELECT DISTINCT ON (subject_id) subject_id, template_id, valid_until FROM domain_events"
    "  WHERE valid_until IS NOT NULL AND type IN ('zhongtai.marketing.v1.CouponClaimed',"
    "    'zhongtai.marketing.v1.CouponExpiringSoon')"
    "  ORDER BY subject_id, occurred_at DESC)"
    " SELECT template_id, count(*), (extract(epoch FROM min(valid_until)) * 1000000)::bigint FROM due"
    " WHERE valid_until >= " ZT_TS(1) " AND valid_until < " ZT_TS(2) " AND COALESCE(("
    "   SELECT d.type FROM domain_events d WHERE d.subject_id = due.subject_id AND d.type IN"
    "   ('zhongtai.marketing.v1.CouponRedeemed', 'zhongtai.marketing.v1.CouponReturned')"
    "   ORDER BY d.occurred_at DESC LIMIT 1), '') <> 'zhongtai.marketing.v1.CouponRedeemed'"
    " GROUP BY template_id ORDER BY 3, 1";

// A day's report, once: $1 date, $2 generated (micros), $3 report (protobuf), $4 page. Empty when stored before.
constexpr char kSaveReport[] =
    "INSERT INTO daily_reports (report_date, generated_at, report, html) VALUES ($1::date, " ZT_TS(2) ", $3, $4)"
    " ON CONFLICT (report_date) DO NOTHING RETURNING report_date";

constexpr char kReportColumns[] =
    "SELECT to_char(report_date, 'YYYY-MM-DD'), (extract(epoch FROM generated_at) * 1000000)::bigint, report, html"
    " FROM daily_reports";

#undef ZT_UNIT_COST
#undef ZT_TS

std::string Date(absl::CivilDay day) { return DayLabel(day); }

void ToProto(const ReportFigures& in, const std::string& currency, v1::ReportFigures* out) {
  out->set_unique_visitors(in.visitors);
  out->set_buyers(in.buyers);
  out->set_orders_paid(in.orders_paid);
  proto::SetMoney(out->mutable_gmv(), currency, in.gmv_minor);
  proto::SetMoney(out->mutable_average_order_value(), currency, in.average_order_value_minor);
  out->set_conversion_rate(in.conversion_rate);
}

void ToProto(const ReportChange& in, v1::ReportChange* out) {
  if (in.visitors) out->set_unique_visitors(*in.visitors);
  if (in.conversion_rate) out->set_conversion_rate(*in.conversion_rate);
  if (in.average_order_value) out->set_average_order_value(*in.average_order_value);
  if (in.gmv) out->set_gmv(*in.gmv);
}

void ToProto(const PointsFigures& in, v1::PointsFigures* out) {
  out->set_issued(in.issued);
  out->set_redeemed(in.redeemed);
  out->set_reversed(in.reversed);
  out->set_expired(in.expired);
}

v1::DailyReport ToProto(const DailyReport& r) {
  v1::DailyReport out;
  out.set_date(Date(r.date));
  out.set_time_zone(r.time_zone);
  *out.mutable_start_time() = proto::ToTimestamp(r.start_time);
  *out.mutable_end_time() = proto::ToTimestamp(r.end_time);
  *out.mutable_generate_time() = proto::ToTimestamp(r.generated_at);
  ToProto(r.day, r.currency, out.mutable_day());
  ToProto(r.day_before, r.currency, out.mutable_day_before());
  ToProto(r.week_before, r.currency, out.mutable_same_day_last_week());
  ToProto(r.vs_day_before, out.mutable_change_vs_day_before());
  ToProto(r.vs_week_before, out.mutable_change_vs_last_week());
  for (const ProductSales& p : r.top_products) {
    v1::TopProduct* top = out.add_top_products();
    top->set_product_id(p.product_id);
    top->set_units_sold(p.units_sold);
    proto::SetMoney(top->mutable_gmv(), r.currency, p.gmv_minor);
    top->set_gmv_share(p.gmv_share);
  }
  out.set_top_products_gmv_share(r.top_products_gmv_share);
  for (const ExpiringCouponGroup& c : r.expiring_coupons) {
    v1::ExpiringCoupons* group = out.add_expiring_coupons();
    group->set_template_id(c.template_id);
    group->set_coupons(c.coupons);
    *group->mutable_first_valid_until() = proto::ToTimestamp(c.first_valid_until);
  }
  for (const LowStockSku& l : r.low_stock.skus) {
    v1::LowStockSku* low = out.add_low_stock_skus();
    low->set_sku_id(l.sku_id);
    low->set_product_id(l.product_id);
    low->set_warehouse_id(l.warehouse_id);
    low->set_available(l.available);
    low->set_on_hand(l.on_hand);
    low->set_threshold(l.threshold);
    low->set_basis(LowStockBasisName(l.basis));
  }
  out.set_low_stock_total(r.low_stock.total);
  ToProto(r.points, out.mutable_points());
  ToProto(r.points_day_before, out.mutable_points_day_before());
  return out;
}

StoredReport StoredFromRow(const pqxx::row& row) {
  StoredReport out;
  out.date = row[0].as<std::string>();
  out.generated_at = pg::TimeFromMicros(row[1]);
  out.encoded = pqxx::binarystring(row[2]).str();
  out.html = row[3].as<std::string>();
  v1::DailyReport report;
  if (report.ParseFromString(out.encoded)) {
    out.gmv_minor = report.day().gmv().amount_minor();
    out.currency = report.day().gmv().currency();
  }
  return out;
}

// Per product: the product's counts (key "") and its SKUs'.
using DayCounts = std::map<std::string, std::map<std::string, ProductCounts>>;

ProductCounts& Slot(std::map<std::string, ProductCounts>& skus, const std::string& sku) {
  ProductCounts& c = skus[sku];
  c.sku_id = sku;
  return c;
}

}  // namespace

absl::StatusOr<ProductMetrics> PgProductMetricsStore::Count(const ProductMetricsQuery& query) {
  ProductMetrics out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    std::map<std::string, ProductCounts> skus;
    const int64_t start = pg::Micros(query.start_time), end = pg::Micros(query.end_time);
    for (const pqxx::row& row : tx.exec_params(kProductVisitors, query.product_id, start, end)) {
      const bool whole = row[1].as<int>() == 1;
      if (!whole && row[0].as<std::string>().empty()) continue;  // views that named no SKU
      ProductCounts& c = Slot(skus, whole ? "" : row[0].as<std::string>());
      c.unique_visitors = row[2].as<int64_t>();
      c.add_to_cart_visitors = row[3].as<int64_t>();
    }
    for (const pqxx::row& row : tx.exec_params(kProductSales, query.product_id, start, end, query.currency)) {
      ProductCounts& c = Slot(skus, row[1].as<int>() == 1 ? "" : row[0].as<std::string>());
      c.buyers = row[2].as<int64_t>();
      c.units_sold = row[3].as<int64_t>();
      c.gmv_minor = row[4].as<int64_t>();
      if (!row[6].is_null() && row[6].as<bool>()) c.cost_minor = row[5].as<int64_t>();
    }
    for (const pqxx::row& row : tx.exec_params(kProductReturns, query.product_id, start, end, query.currency)) {
      Slot(skus, row[1].as<int>() == 1 ? "" : row[0].as<std::string>()).units_returned = row[2].as<int64_t>();
    }
    out = ProductMetrics{};
    out.query = query;
    for (auto& [sku, counts] : skus) {
      if (sku.empty()) {
        out.product = counts;
      } else {
        out.skus.push_back(counts);
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<ProductSummary>> PgProductMetricsStore::ListProducts(const ProductListStoreQuery& query) {
  std::vector<ProductSummary> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    const bool after = query.after.has_value();
    for (const pqxx::row& row :
         tx.exec_params(kListProducts, pg::Micros(query.start_time), pg::Micros(query.end_time), query.currency,
                        static_cast<int>(query.sort), after, after ? query.after->value : int64_t{0},
                        after ? query.after->product_id : std::string(), query.limit)) {
      ProductSummary p;
      p.product_id = row[0].as<std::string>();
      p.counts.unique_visitors = row[1].as<int64_t>();
      p.counts.add_to_cart_visitors = row[2].as<int64_t>();
      p.counts.buyers = row[3].as<int64_t>();
      p.counts.units_sold = row[4].as<int64_t>();
      p.counts.gmv_minor = row[5].as<int64_t>();
      p.counts.units_returned = row[6].as<int64_t>();
      if (row[8].as<bool>()) p.counts.cost_minor = row[7].as<int64_t>();
      out.push_back(std::move(p));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<LowStockList> PgProductMetricsStore::LowStock(absl::Time sales_end, int64_t threshold, int limit) {
  LowStockList out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out = LowStockList{};
    for (const pqxx::row& row : tx.exec_params(kLowStock, pg::Micros(sales_end), threshold, limit)) {
      LowStockSku l;
      l.sku_id = row[0].as<std::string>();
      l.product_id = row[1].as<std::string>();
      l.warehouse_id = row[2].as<std::string>();
      l.on_hand = row[3].as<int64_t>();
      l.available = row[4].as<int64_t>();
      l.threshold = row[5].as<int64_t>();
      const int basis = row[6].as<int>();
      l.basis = basis == 0 ? LowStockBasis::kSafetyStock
                           : (basis == 1 ? LowStockBasis::kDaysOfCover : LowStockBasis::kThreshold);
      out.total = row[7].as<int64_t>();
      out.skus.push_back(std::move(l));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<PointsFigures> PgProductMetricsStore::Points(absl::Time start, absl::Time end) {
  PointsFigures out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    const pqxx::row row = tx.exec_params1(kPointsDay, pg::Micros(start), pg::Micros(end));
    out = {row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int64_t>(), row[3].as<int64_t>()};
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<int64_t> PgProductMetricsStore::PublishDay(absl::Time start, absl::Time end, const std::string& currency,
                                                          absl::Time computed_at) {
  int64_t published = 0;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    DayCounts day;
    const int64_t from = pg::Micros(start), to = pg::Micros(end);
    for (const pqxx::row& row : tx.exec_params(kDayVisitors, from, to)) {
      const bool whole = row[2].as<int>() == 1;
      if (!whole && row[1].as<std::string>().empty()) continue;
      ProductCounts& c = Slot(day[row[0].as<std::string>()], whole ? "" : row[1].as<std::string>());
      c.unique_visitors = row[3].as<int64_t>();
      c.add_to_cart_visitors = row[4].as<int64_t>();
    }
    for (const pqxx::row& row : tx.exec_params(kDaySales, from, to, currency)) {
      ProductCounts& c = Slot(day[row[0].as<std::string>()], row[2].as<int>() == 1 ? "" : row[1].as<std::string>());
      c.buyers = row[3].as<int64_t>();
      c.units_sold = row[4].as<int64_t>();
      c.gmv_minor = row[5].as<int64_t>();
    }
    for (const pqxx::row& row : tx.exec_params(kDayReturns, from, to, currency)) {
      Slot(day[row[0].as<std::string>()], row[2].as<int>() == 1 ? "" : row[1].as<std::string>()).units_returned =
          row[3].as<int64_t>();
    }
    const std::string label = absl::FormatTime("%Y-%m-%d", start, absl::UTCTimeZone());
    published = 0;
    for (auto& [product_id, skus] : day) {
      const ProductCounts& whole = skus[""];
      v1::ProductMetricsComputed event;
      event.set_product_id(product_id);
      *event.mutable_window_start() = proto::ToTimestamp(start);
      *event.mutable_window_end() = proto::ToTimestamp(end);
      event.set_unique_visitors(whole.unique_visitors);
      event.set_add_to_cart_visitors(whole.add_to_cart_visitors);
      event.set_buyers(whole.buyers);
      event.set_units_sold(whole.units_sold);
      proto::SetMoney(event.mutable_gmv(), currency, whole.gmv_minor);
      event.set_units_returned(whole.units_returned);
      for (const auto& [sku, c] : skus) {
        if (sku.empty()) continue;
        v1::SkuMetrics* out = event.add_skus();
        out->set_sku_id(sku);
        out->set_units_sold(c.units_sold);
        proto::SetMoney(out->mutable_gmv(), currency, c.gmv_minor);
        out->set_units_returned(c.units_returned);
        out->set_add_to_cart_visitors(c.add_to_cart_visitors);
      }
      *event.mutable_compute_time() = proto::ToTimestamp(computed_at);
      events::Event out;
      out.id = absl::StrCat("pm:", product_id, ":", label, ":", absl::ToUnixSeconds(computed_at));
      out.type = v1::ProductMetricsComputed::descriptor()->full_name();
      out.key = product_id;
      out.payload = event.SerializeAsString();
      out.occurred_at = computed_at;
      RETURN_IF_ERROR(events::AppendToOutbox(tx, kDatahubEventStream, out));
      ++published;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return published;
}

absl::StatusOr<std::vector<ProductSales>> PgProductMetricsStore::TopProducts(absl::Time start, absl::Time end,
                                                                             const std::string& currency, int limit) {
  std::vector<ProductSales> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec_params(kTopProducts, pg::Micros(start), pg::Micros(end), currency, limit)) {
      out.push_back({row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<int64_t>(), 0.0});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<ExpiringCouponGroup>> PgProductMetricsStore::CouponsExpiring(absl::Time from,
                                                                                        absl::Time to) {
  std::vector<ExpiringCouponGroup> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec_params(kCouponsExpiring, pg::Micros(from), pg::Micros(to))) {
      out.push_back({row[0].as<std::string>(), row[1].as<int64_t>(), pg::TimeFromMicros(row[2])});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<bool> PgProductMetricsStore::Save(const DailyReport& report, const std::string& html) {
  bool saved = false;
  const v1::DailyReport message = ToProto(report);
  const std::string encoded = message.SerializeAsString();
  absl::Status status = pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    const std::string date = Date(report.date);
    saved =
        !tx.exec_params(kSaveReport, date, pg::Micros(report.generated_at), pqxx::binarystring(encoded), html).empty();
    if (!saved) return absl::OkStatus();
    v1::DailyReportPublished published;
    *published.mutable_report() = message;
    published.set_path(absl::StrCat("/v1/admin/analytics/reports/", date));
    events::Event out;
    out.id = absl::StrCat("report:", date);
    out.type = v1::DailyReportPublished::descriptor()->full_name();
    out.key = date;
    out.payload = published.SerializeAsString();
    out.occurred_at = report.generated_at;
    return events::AppendToOutbox(tx, kDatahubEventStream, out);
  });
  if (!status.ok()) return status;
  return saved;
}

absl::StatusOr<std::optional<StoredReport>> PgProductMetricsStore::Get(absl::CivilDay day) {
  std::optional<StoredReport> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.reset();
    pqxx::result rows = tx.exec_params(absl::StrCat(kReportColumns, " WHERE report_date = $1::date"), Date(day));
    if (!rows.empty()) out = StoredFromRow(rows[0]);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<StoredReport>> PgProductMetricsStore::List(std::optional<absl::CivilDay> before, int limit) {
  std::vector<StoredReport> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    pqxx::result rows =
        before ? tx.exec_params(
                     absl::StrCat(kReportColumns, " WHERE report_date < $1::date ORDER BY report_date DESC LIMIT $2"),
                     Date(*before), limit)
               : tx.exec_params(absl::StrCat(kReportColumns, " ORDER BY report_date DESC LIMIT $1"), limit);
    for (const pqxx::row& row : rows) out.push_back(StoredFromRow(row));
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace zhongtai::datahub
