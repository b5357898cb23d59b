// PgProductMetricsStore on a real PostgreSQL (label store): one product's and its SKUs' metrics from behaviour
// events and paid order lines against hand-counted figures, the day's ProductMetricsComputed events in the outbox, the
// report's top products and expiring coupons, a report stored once with one DailyReportPublished.
#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/status/status.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_dashboard_store.h"
#include "services/datahub/store/pg_domain_event_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "services/datahub/store/pg_product_metrics_store.h"
#include "services/datahub/store/pg_stock_points_store.h"
#include "zhongtai/datahub/v1/product_analytics.pb.h"
#include "zhongtai/datahub/v1/product_metrics_events.pb.h"

namespace zhongtai::datahub {
namespace {

const absl::CivilDay kDay(2026, 12, 3);
const absl::Time kStart = absl::FromCivil(kDay, absl::UTCTimeZone());
const absl::Time kEnd = kStart + absl::Hours(24);

struct Fixture {
  Fixture() {
    auto opened = pg::Pool::Open({db.dsn(), 4, absl::Seconds(5), "datahub"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
  }

  void Behaviour(const std::string& id, BehaviourEventType type, absl::Time at, const std::string& device,
                 const std::string& product, const std::string& sku) {
    BehaviourEvent e;
    e.event_id = id;
    e.type = type;
    e.occurred_at = at;
    e.received_at = at;
    e.device_id = device;
    e.channel = "app";
    e.product_id = product;
    e.sku_id = sku;
    REQUIRE(behaviour.Insert({e}).ok());
  }

  void Order(const std::string& order_id, const std::string& user, absl::Time placed,
             std::vector<OrderEvent::Line> lines, std::optional<absl::Time> paid) {
    int64_t total = 0;
    for (const auto& line : lines) total += line.amount_minor;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  OrderEvent placed_event{OrderEventKind::kPlaced, order_id, placed, "CNY", total, user, "app"};
                  placed_event.lines = lines;
                  PgOrderFactStore::Record(tx, placed_event);
                  if (paid) {
                    PgOrderFactStore::Record(
                        tx, OrderEvent{OrderEventKind::kPaid, order_id, *paid, "CNY", total, user, ""});
                  }
                  return absl::OkStatus();
                })
                .ok());
  }

  void Refund(const std::string& refund_id, const std::string& order_id, absl::Time at,
              std::vector<OrderEvent::Line> lines) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  int64_t total = 0;
                  for (const auto& line : lines) total += line.amount_minor;
                  OrderEvent refunded{OrderEventKind::kRefunded, order_id, at, "CNY", total, "", ""};
                  refunded.lines = lines;
                  refunded.refund_id = refund_id;
                  PgOrderFactStore::Record(tx, refunded);
                  return absl::OkStatus();
                })
                .ok());
  }

  void Coupon(const std::string& event_id, const std::string& type, const std::string& coupon,
              const std::string& template_id, absl::Time at, std::optional<absl::Time> valid_until) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  DomainEventFact fact;
                  fact.event_id = event_id;
                  fact.stream = "zt.events.marketing";
                  fact.type = "zhongtai.marketing.v1." + type;
                  fact.subject_id = coupon;
                  fact.user_id = "u1";
                  fact.occurred_at = at;
                  fact.valid_until = valid_until;
                  fact.template_id = template_id;
                  PgDomainEventStore::Record(tx, fact);
                  return absl::OkStatus();
                })
                .ok());
  }

  std::vector<std::pair<std::string, std::string>> Outbox(const std::string& type) {
    std::vector<std::pair<std::string, std::string>> out;
    REQUIRE(
        pool->Transact([&](pqxx::work& tx) {
              out.clear();
              for (const pqxx::row& row : tx.exec_params(
                       "SELECT id, payload FROM outbox WHERE stream = 'zt.events.datahub' AND type = $1 ORDER BY id",
                       type)) {
                out.emplace_back(row[0].as<std::string>(), pqxx::binarystring(row[1]).str());
              }
              return absl::OkStatus();
            })
            .ok());
    return out;
  }

  void Cost(const std::string& product, const std::string& sku, int64_t cost, absl::Time at,
            const std::string& currency = "CNY") {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  PgStockPointsStore::RecordCost(tx, {product, sku, currency, cost, at});
                  return absl::OkStatus();
                })
                .ok());
  }

  void Level(const std::string& sku, const std::string& warehouse, const std::string& product, int64_t on_hand,
             int64_t available, int64_t entry, std::optional<int64_t> safety, std::optional<int32_t> cover_days) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  StockLevelFact fact;
                  fact.product_id = product;
                  fact.sku_id = sku;
                  fact.warehouse_id = warehouse;
                  fact.on_hand = on_hand;
                  fact.available = available;
                  fact.ledger_entry_id = entry;
                  fact.safety_stock = safety;
                  fact.safety_days_of_cover = cover_days;
                  if (safety || cover_days) fact.safety_updated_at = kStart;
                  fact.occurred_at = kStart;
                  PgStockPointsStore::ApplyStockLevel(tx, fact);
                  return absl::OkStatus();
                })
                .ok());
  }

  void PointsEntry(const std::string& id, const std::string& kind, int64_t delta, absl::Time at) {
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  PgStockPointsStore::RecordPoints(tx, {id, kind, delta, at});
                  return absl::OkStatus();
                })
                .ok());
  }

  // The hand-counted fixture of product P1 (SKUs S1, S2) and P2 (S3) on kDay.
  void Seed() {
    const absl::Time t = kStart + absl::Hours(2);
    // P1 views: dev1 (S1), dev2 (S1), dev3 (no SKU), dev1 again (S2): 3 visitors; S1 2, S2 1.
    Behaviour("e1", BehaviourEventType::kView, t, "dev1", "P1", "S1");
    Behaviour("e2", BehaviourEventType::kView, t + absl::Minutes(1), "dev2", "P1", "S1");
    Behaviour("e3", BehaviourEventType::kView, t + absl::Minutes(2), "dev3", "P1", "");
    Behaviour("e4", BehaviourEventType::kView, t + absl::Minutes(3), "dev1", "P1", "S2");
    // Add to cart: dev1 S1, dev2 S2: 2 visitors for P1, 1 each SKU.
    Behaviour("e5", BehaviourEventType::kAddToCart, t + absl::Minutes(4), "dev1", "P1", "S1");
    Behaviour("e6", BehaviourEventType::kAddToCart, t + absl::Minutes(5), "dev2", "P1", "S2");
    // P2: dev4 views and adds S3.
    Behaviour("e7", BehaviourEventType::kView, t, "dev4", "P2", "S3");
    Behaviour("e8", BehaviourEventType::kAddToCart, t + absl::Minutes(1), "dev4", "P2", "S3");
    // The day before: not in the day.
    Behaviour("e9", BehaviourEventType::kView, kStart - absl::Hours(2), "dev9", "P1", "S1");
    // Orders: o1 (u1) S1×2 for 30.00 and S3×1 for 50.00, paid in the day; o2 (u2) S1×1 15.00 + S2×1 20.00, paid;
    // o3 (u3) S2 placed, never paid; o4 (u1) S1 paid the day before.
    Order("o1", "u1", t, {{"S1", 2, 3000}, {"S3", 1, 5000}}, t + absl::Minutes(10));
    Order("o2", "u2", t, {{"S1", 1, 1500}, {"S2", 1, 2000}}, t + absl::Minutes(20));
    Order("o3", "u3", t, {{"S2", 1, 2000}}, std::nullopt);
    Order("o4", "u1", kStart - absl::Hours(5), {{"S1", 1, 1500}}, kStart - absl::Hours(4));
    // One S1 of o1 refunded in the day; o4's refund comes the next day.
    Refund("r1", "o1", t + absl::Hours(3), {{"S1", 1, 1500}});
    Refund("r2", "o4", kEnd + absl::Hours(1), {{"S1", 1, 1500}});
  }

  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pool;
  std::unique_ptr<BehaviourPartitions> partitions;
  std::unique_ptr<PgBehaviourEventStore> behaviour_store;
  struct Ingest {
    Fixture* f;
    absl::Status Insert(const std::vector<BehaviourEvent>& events) {
      if (!f->partitions) {
        f->partitions = std::make_unique<BehaviourPartitions>(*f->pool);
        f->behaviour_store = std::make_unique<PgBehaviourEventStore>(*f->pool, *f->partitions, absl::Hours(24));
      }
      return f->behaviour_store->Insert(events).status();
    }
  } behaviour{this};
};

const ProductCounts& Sku(const ProductMetrics& m, const std::string& sku) {
  for (const ProductCounts& c : m.skus) {
    if (c.sku_id == sku) return c;
  }
  FAIL("no SKU " << sku);
  return m.product;
}

}  // namespace

TEST_CASE("product metrics: a product's and its SKUs' figures from behaviour events and paid order lines", "[store]") {
  Fixture f;
  f.Seed();
  PgProductMetricsStore store(*f.pool);
  PgDailyRunLease lease(*f.pool);
  FakeClock clock(kEnd + absl::Hours(2));
  ProductAnalytics analytics(store, lease, clock, absl::UTCTimeZone());

  ProductRangeQuery query;
  query.product_id = "P1";
  query.start_time = kStart;
  query.end_time = kEnd;
  ProductMetrics p1 = analytics.GetProduct(query).value();
  CHECK(p1.product.unique_visitors == 3);
  CHECK(p1.product.add_to_cart_visitors == 2);
  CHECK(p1.product.buyers == 2);
  CHECK(p1.product.units_sold == 4);
  CHECK(p1.product.gmv_minor == 6500);
  CHECK(p1.product.units_returned == 1);
  CHECK_FALSE(p1.product.cost_minor.has_value());
  const ProductRates rates = RatesOf(p1.product);
  CHECK(rates.add_to_cart_rate == Approx(2.0 / 3));
  CHECK(rates.conversion_rate == Approx(2.0 / 3));
  CHECK(rates.uv_value_minor == 2167);  // 6500 / 3 = 2166.67, half up
  CHECK(rates.return_rate == Approx(0.25));
  REQUIRE(p1.skus.size() == 2);
  CHECK(p1.skus[0].sku_id == "S1");  // the highest GMV first
  const ProductCounts& s1 = Sku(p1, "S1");
  CHECK(s1.unique_visitors == 2);
  CHECK(s1.add_to_cart_visitors == 1);
  CHECK(s1.buyers == 2);
  CHECK(s1.units_sold == 3);
  CHECK(s1.gmv_minor == 4500);
  CHECK(s1.units_returned == 1);
  const ProductCounts& s2 = Sku(p1, "S2");
  CHECK(s2.unique_visitors == 1);
  CHECK(s2.units_sold == 1);
  CHECK(s2.gmv_minor == 2000);
  CHECK(s2.units_returned == 0);

  // Without a range: the last 30 shop days up to the end of today, which hold all of it but the next day's refund.
  ProductMetrics recent = analytics.GetProduct({"P1", std::nullopt, std::nullopt, "CNY"}).value();
  CHECK(recent.query.end_time == kEnd + absl::Hours(24));
  CHECK(recent.query.end_time - recent.query.start_time == absl::Hours(24 * 30));
  CHECK(recent.product.units_sold == 5);  // o4's S1 too
  CHECK(recent.product.units_returned == 2);
  CHECK(analytics.GetProduct({"P1", kStart, std::nullopt, "CNY"}).status().code() ==
        absl::StatusCode::kInvalidArgument);
  CHECK(analytics.GetProduct({"", kStart, kEnd, "CNY"}).status().code() == absl::StatusCode::kInvalidArgument);

  // The daily job the day after, once: one event per product with activity, their figures as above.
  DailyJobResult run = analytics.RunDaily("CNY", 1, "me", kEnd + absl::Hours(2), absl::Minutes(30)).value();
  CHECK(run.ran);
  CHECK(run.day == "2026-12-03");
  CHECK(run.published == 2);
  CHECK_FALSE(analytics.RunDaily("CNY", 1, "other", kEnd + absl::Hours(3), absl::Minutes(30)).value().ran);
  auto events = f.Outbox("zhongtai.datahub.v1.ProductMetricsComputed");
  REQUIRE(events.size() == 2);
  v1::ProductMetricsComputed m;
  REQUIRE(m.ParseFromString(events[0].second));
  CHECK(events[0].first.rfind("pm:P1:2026-12-03:", 0) == 0);
  CHECK(m.product_id() == "P1");
  CHECK(m.window_start().seconds() == absl::ToUnixSeconds(kStart));
  CHECK(m.window_end().seconds() == absl::ToUnixSeconds(kEnd));
  CHECK(m.unique_visitors() == 3);
  CHECK(m.add_to_cart_visitors() == 2);
  CHECK(m.buyers() == 2);
  CHECK(m.units_sold() == 4);
  CHECK(m.gmv().amount_minor() == 6500);
  CHECK(m.gmv().currency() == "CNY");
  CHECK(m.units_returned() == 1);
  REQUIRE(m.skus_size() == 2);
  CHECK(m.skus(0).sku_id() == "S1");
  CHECK(m.skus(0).units_sold() == 3);
  CHECK(m.skus(0).gmv().amount_minor() == 4500);
  CHECK(m.skus(0).units_returned() == 1);
  CHECK(m.skus(0).add_to_cart_visitors() == 1);
  v1::ProductMetricsComputed p2;
  REQUIRE(p2.ParseFromString(events[1].second));
  CHECK(p2.product_id() == "P2");
  CHECK(p2.units_sold() == 1);
  CHECK(p2.gmv().amount_minor() == 5000);
  CHECK(p2.buyers() == 1);
}

TEST_CASE("daily report store: top products, coupons expiring, stored once with one published event", "[store]") {
  Fixture f;
  f.Seed();
  PgProductMetricsStore store(*f.pool);
  std::vector<ProductSales> top = store.TopProducts(kStart, kEnd, "CNY", 10).value();
  REQUIRE(top.size() == 2);
  CHECK(top[0].product_id == "P1");
  CHECK(top[0].units_sold == 4);
  CHECK(top[0].gmv_minor == 6500);
  CHECK(top[1].product_id == "P2");
  CHECK(top[1].gmv_minor == 5000);
  CHECK(store.TopProducts(kStart, kEnd, "CNY", 1).value().size() == 1);

  // c1 claimed, valid until within the horizon; c2 too but redeemed; c3 redeemed then returned (usable again);
  // c4 valid later; c5 of another template within the horizon.
  const absl::Time soon = kEnd + absl::Hours(30);
  f.Coupon("m1", "CouponClaimed", "c1", "T1", kStart, soon);
  f.Coupon("m2", "CouponClaimed", "c2", "T1", kStart, soon);
  f.Coupon("m3", "CouponRedeemed", "c2", "T1", kStart + absl::Hours(1), std::nullopt);
  f.Coupon("m4", "CouponClaimed", "c3", "T1", kStart, soon + absl::Hours(1));
  f.Coupon("m5", "CouponRedeemed", "c3", "T1", kStart + absl::Hours(1), std::nullopt);
  f.Coupon("m6", "CouponReturned", "c3", "T1", kStart + absl::Hours(2), std::nullopt);
  f.Coupon("m7", "CouponClaimed", "c4", "T1", kStart, kEnd + absl::Hours(100));
  f.Coupon("m8", "CouponExpiringSoon", "c5", "T2", kStart, kEnd + absl::Hours(10));
  std::vector<ExpiringCouponGroup> coupons = store.CouponsExpiring(kEnd, kEnd + absl::Hours(72)).value();
  REQUIRE(coupons.size() == 2);
  CHECK(coupons[0].template_id == "T2");  // the earliest expiry first
  CHECK(coupons[0].coupons == 1);
  CHECK(coupons[1].template_id == "T1");
  CHECK(coupons[1].coupons == 2);  // c1, c3
  CHECK(coupons[1].first_valid_until == soon);

  // The whole report through the domain, on the real dashboard store; generated twice, stored and published once.
  PgDashboardStore dashboard(*f.pool);
  PgDailyRunLease lease(*f.pool);
  DailyReports reports(store, dashboard, lease, absl::UTCTimeZone(), "UTC");
  const absl::Time now = kEnd + absl::Hours(8);
  CHECK(reports.Generate(kDay, "CNY", now).value());
  CHECK_FALSE(reports.Generate(kDay, "CNY", now + absl::Hours(1)).value());
  auto published = f.Outbox("zhongtai.datahub.v1.DailyReportPublished");
  REQUIRE(published.size() == 1);
  CHECK(published[0].first == "report:2026-12-03");
  v1::DailyReportPublished event;
  REQUIRE(event.ParseFromString(published[0].second));
  CHECK(event.report().date() == "2026-12-03");
  CHECK(event.report().day().gmv().amount_minor() == 3000 + 5000 + 1500 + 2000);  // o1 and o2 paid
  CHECK(event.report().day().orders_paid() == 2);
  CHECK(event.report().day().buyers() == 2);
  CHECK(event.report().day_before().gmv().amount_minor() == 1500);  // o4
  REQUIRE(event.report().top_products_size() == 2);
  CHECK(event.report().top_products(0).gmv_share() == Approx(6500.0 / 11500));
  CHECK(event.report().top_products_gmv_share() == Approx(1.0));
  CHECK(event.path() == "/v1/admin/analytics/reports/2026-12-03");

  StoredReport stored = reports.Get("2026-12-03").value();
  CHECK(stored.generated_at == now);
  CHECK(stored.gmv_minor == 11500);
  CHECK(stored.html.find("<svg") != std::string::npos);
  CHECK(stored.html.find("<script") == std::string::npos);
  v1::DailyReport decoded;
  REQUIRE(decoded.ParseFromString(stored.encoded));
  CHECK(decoded.SerializeAsString() == event.report().SerializeAsString());

  CHECK(reports.Generate(kDay - 1, "CNY", now).value());
  std::vector<StoredReport> listed = reports.List("", 10).value();
  REQUIRE(listed.size() == 2);
  CHECK(listed[0].date == "2026-12-03");
  CHECK(listed[1].date == "2026-12-02");
  CHECK(reports.List("2026-12-03", 10).value().size() == 1);
}

}  // namespace zhongtai::datahub

namespace zhongtai::datahub {

TEST_CASE("product margin: each unit at the cost in force when it was paid, absent while a sold SKU has none",
          "[store]") {
  Fixture f;
  f.Seed();
  PgProductMetricsStore store(*f.pool);
  PgDailyRunLease lease(*f.pool);
  FakeClock clock(kEnd + absl::Hours(2));
  ProductAnalytics analytics(store, lease, clock, absl::UTCTimeZone());
  ProductRangeQuery query{"P1", kStart, kEnd, "CNY"};

  // S1 has a cost, S2 none yet: the product has no margin, S1 has.
  f.Cost("P1", "S1", 1000, kStart - absl::Hours(48));
  ProductMetrics m = analytics.GetProduct(query).value();
  CHECK_FALSE(m.product.cost_minor.has_value());
  const ProductCounts& s1 = Sku(m, "S1");
  REQUIRE(s1.cost_minor.has_value());
  CHECK(*s1.cost_minor == 3 * 1000);
  CHECK(RatesOf(s1).margin_bps == 3333);  // (4500 - 3000) / 4500

  // S1's cost rises between o1 (paid t + 10 min) and o2 (t + 20 min); S2's is first known after its sale, so that
  // one counts; a cost in another currency does not.
  const absl::Time t = kStart + absl::Hours(2);
  f.Cost("P1", "S1", 1100, t + absl::Minutes(15));
  f.Cost("P1", "S2", 1500, kEnd + absl::Hours(1));
  f.Cost("P1", "S2", 1, kStart, "USD");
  m = analytics.GetProduct(query).value();
  REQUIRE(m.product.cost_minor.has_value());
  // o1: S1×2 at 10.00; o2: S1×1 at 11.00 and S2×1 at 15.00.
  CHECK(*m.product.cost_minor == 2 * 1000 + 1100 + 1500);
  const ProductRates rates = RatesOf(m.product);
  CHECK(*rates.margin_minor == 6500 - 4600);
  CHECK(rates.margin_bps == 2923);  // 1900 / 6500 = 29.23%
  CHECK(*Sku(m, "S2").cost_minor == 1500);
}

TEST_CASE("every product's metrics for a range, sorted and paged with a token", "[store]") {
  Fixture f;
  f.Seed();
  // P3: viewed only; P4: paid for more than P2 but nothing else.
  f.Behaviour("e20", BehaviourEventType::kView, kStart + absl::Hours(5), "dev5", "P3", "S5");
  f.Behaviour("e21", BehaviourEventType::kView, kStart + absl::Hours(5), "dev5", "P4", "S4");
  f.Order("o9", "u9", kStart + absl::Hours(6), {{"S4", 7, 5500}}, kStart + absl::Hours(7));
  f.Cost("P2", "S3", 4000, kStart - absl::Hours(1));
  PgProductMetricsStore store(*f.pool);
  PgDailyRunLease lease(*f.pool);
  FakeClock clock(kEnd + absl::Hours(2));
  ProductAnalytics analytics(store, lease, clock, absl::UTCTimeZone());

  ProductListQuery query;
  query.start_time = kStart;
  query.end_time = kEnd;
  query.page_size = 2;
  ProductListPage first = analytics.ListProducts(query).value();
  REQUIRE(first.products.size() == 2);
  CHECK(first.products[0].product_id == "P1");  // 65.00
  CHECK(first.products[0].counts.unique_visitors == 3);
  CHECK(first.products[0].counts.units_returned == 1);
  CHECK(first.products[1].product_id == "P4");  // 55.00
  CHECK(first.products[1].counts.units_sold == 7);
  REQUIRE_FALSE(first.next_page_token.empty());
  query.page_token = first.next_page_token;
  ProductListPage second = analytics.ListProducts(query).value();
  REQUIRE(second.products.size() == 2);
  CHECK(second.products[0].product_id == "P2");  // 50.00
  CHECK(RatesOf(second.products[0].counts).margin_bps == 2000);
  CHECK(second.products[1].product_id == "P3");  // no GMV, a visitor
  CHECK(second.products[1].counts.unique_visitors == 1);
  CHECK_FALSE(second.products[1].counts.cost_minor.has_value());
  CHECK(second.next_page_token.empty());

  // The token holds the range: without one in the request the next page is of the same range.
  ProductListQuery bare;
  bare.page_size = 2;
  bare.page_token = first.next_page_token;
  CHECK(analytics.ListProducts(bare).value().products.size() == 2);
  // Another sort, currency or range with the token: refused.
  ProductListQuery other = query;
  other.sort = ProductSort::kUnitsSold;
  CHECK(ReasonOf(analytics.ListProducts(other).status()) == "INVALID_PAGE_TOKEN");
  other = query;
  other.end_time = kEnd + absl::Hours(1);
  CHECK(ReasonOf(analytics.ListProducts(other).status()) == "INVALID_PAGE_TOKEN");
  other = query;
  other.page_token = "not-a-token";
  CHECK(ReasonOf(analytics.ListProducts(other).status()) == "INVALID_PAGE_TOKEN");
  other = query;
  other.page_token.clear();
  other.page_size = 101;
  CHECK(ReasonOf(analytics.ListProducts(other).status()) == "PAGE_SIZE_OUT_OF_RANGE");

  // By units sold: P4 (7), P1 (4), P2 (1), P3 (0); by visitors: P1 (3), then P2, P3, P4 (1 each) by id.
  ProductListQuery by_units;
  by_units.start_time = kStart;
  by_units.end_time = kEnd;
  by_units.sort = ProductSort::kUnitsSold;
  std::vector<std::string> ids;
  const ProductListPage units_page = analytics.ListProducts(by_units).value();
  for (const ProductSummary& p : units_page.products) ids.push_back(p.product_id);
  CHECK(ids == std::vector<std::string>{"P4", "P1", "P2", "P3"});
  by_units.sort = ProductSort::kUniqueVisitors;
  by_units.page_size = 3;
  ProductListPage visitors = analytics.ListProducts(by_units).value();
  ids.clear();
  for (const ProductSummary& p : visitors.products) ids.push_back(p.product_id);
  CHECK(ids == std::vector<std::string>{"P1", "P2", "P3"});
  by_units.page_token = visitors.next_page_token;
  ProductListPage rest = analytics.ListProducts(by_units).value();
  REQUIRE(rest.products.size() == 1);
  CHECK(rest.products[0].product_id == "P4");
}

TEST_CASE("the daily report's low-stock SKUs and member points, as JSON and on the page", "[store]") {
  Fixture f;
  f.Seed();  // S1 sold 3 units in the day (o1, o2) and 1 the day before (o4): 4 in the 30 days
  // S1 in wh1: 3 available against a fixed safety stock of 5: low. In wh2: 6 against 5: not low.
  f.Level("S1", "wh1", "P1", 4, 3, 10, 5, std::nullopt);
  f.Level("S1", "wh2", "P1", 6, 6, 11, 5, std::nullopt);
  // A later movement lowers wh2 to exactly its safety stock: low (at or below).
  f.Level("S1", "wh2", "P1", 5, 5, 12, 5, std::nullopt);
  // S3: 14 days of cover of 1 unit in 30 days -> ceil(14 / 30) = 1; 1 available: low. S2: 30 days of cover of
  // 1 unit paid (o2) -> 1; 2 available: not low.
  f.Level("S3", "wh1", "P2", 1, 1, 13, std::nullopt, 14);
  f.Level("S2", "wh1", "P1", 2, 2, 14, std::nullopt, 30);
  // No setting: the configured threshold (2): S7 with 2 is low, S8 with 3 is not.
  f.Level("S7", "wh1", "P7", 2, 2, 15, std::nullopt, std::nullopt);
  f.Level("S8", "wh1", "P8", 3, 3, 16, std::nullopt, std::nullopt);
  // Points: 500 earned, 200 held, 50 of it released, 30 returned, 40 reversed, 10 expired in the day; 70 earned
  // the day before; 1000 the day after.
  f.PointsEntry("pt1", "earn", 300, kStart + absl::Hours(1));
  f.PointsEntry("pt2", "earn", 200, kStart + absl::Hours(2));
  f.PointsEntry("pt3", "redeem", -200, kStart + absl::Hours(3));
  f.PointsEntry("pt4", "release", 50, kStart + absl::Hours(4));
  f.PointsEntry("pt5", "return", 30, kStart + absl::Hours(5));
  f.PointsEntry("pt6", "reverse", -40, kStart + absl::Hours(6));
  f.PointsEntry("pt7", "expire", -10, kStart + absl::Hours(7));
  f.PointsEntry("pt8", "earn", 70, kStart - absl::Hours(1));
  f.PointsEntry("pt9", "earn", 1000, kEnd);

  PgProductMetricsStore store(*f.pool);
  PgDashboardStore dashboard(*f.pool);
  PgDailyRunLease lease(*f.pool);
  DailyReports reports(store, dashboard, lease, absl::UTCTimeZone(), "UTC", 2);
  REQUIRE(reports.Generate(kDay, "CNY", kEnd + absl::Hours(8)).value());
  StoredReport stored = reports.Get("2026-12-03").value();
  v1::DailyReport report;
  REQUIRE(report.ParseFromString(stored.encoded));
  CHECK(report.low_stock_total() == 4);
  REQUIRE(report.low_stock_skus_size() == 4);
  // The furthest below first: S1@wh1 (3 - 5 = -2), then 0 below: S1@wh2, S3@wh1, S7@wh1 by SKU.
  CHECK(report.low_stock_skus(0).sku_id() == "S1");
  CHECK(report.low_stock_skus(0).warehouse_id() == "wh1");
  CHECK(report.low_stock_skus(0).available() == 3);
  CHECK(report.low_stock_skus(0).on_hand() == 4);
  CHECK(report.low_stock_skus(0).threshold() == 5);
  CHECK(report.low_stock_skus(0).basis() == "safety_stock");
  CHECK(report.low_stock_skus(0).product_id() == "P1");
  CHECK(report.low_stock_skus(1).warehouse_id() == "wh2");
  CHECK(report.low_stock_skus(1).available() == 5);
  CHECK(report.low_stock_skus(2).sku_id() == "S3");
  CHECK(report.low_stock_skus(2).threshold() == 1);
  CHECK(report.low_stock_skus(2).basis() == "days_of_cover");
  CHECK(report.low_stock_skus(3).sku_id() == "S7");
  CHECK(report.low_stock_skus(3).basis() == "threshold");
  CHECK(report.low_stock_note().empty());
  CHECK(report.points().issued() == 500);
  CHECK(report.points().redeemed() == 200 - 50 - 30);
  CHECK(report.points().reversed() == 40);
  CHECK(report.points().expired() == 10);
  CHECK(report.points_day_before().issued() == 70);
  // The page shows them.
  CHECK(stored.html.find("4 SKU and warehouse pairs at or below their safety stock") != std::string::npos);
  CHECK(
      stored.html.find("<tr><th>S3</th><td>P2</td><td>wh1</td><td>1</td><td>1</td><td>1</td><td>days_of_cover</td>") !=
      std::string::npos);
  CHECK(stored.html.find("<td>500</td><td>120</td><td>40</td><td>10</td>") != std::string::npos);
}

}  // namespace zhongtai::datahub
