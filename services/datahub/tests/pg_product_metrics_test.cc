// PgProductMetricsStore on a real PostgreSQL (label store): one product's and its SKUs' metrics from behaviour
// events and paid order lines against hand-counted figures, the day's ProductMetricsComputed events in the outbox, the
// report's top products and expiring coupons, a report stored once with one DailyReportPublished.
#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_dashboard_store.h"
#include "services/datahub/store/pg_domain_event_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "services/datahub/store/pg_product_metrics_store.h"
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
