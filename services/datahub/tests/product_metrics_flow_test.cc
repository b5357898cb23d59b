// Data hub -> product center, across the two services' real databases (label store): behaviour events and the order
// center's OrderPlaced/OrderPaid/OrderRefunded payloads (with their lines) go into the data hub, its daily job writes
// ProductMetricsComputed to its outbox, and the product center's consumer handler stores what the relay would carry,
// so that the product matrix's figures (suggestions, margin weights) and the SKUs' sales rate (safety stock, ABC input)
// are the data hub's.
#include <catch2/catch.hpp>
#include <map>

#include "common/events/outbox.h"
#include "common/proto/convert.h"
#include "common/testing/stores.h"
#include "services/datahub/domain/shop_time.h"
#include "services/datahub/domain/webhooks.h"
#include "services/datahub/ingest/domain_events.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/ingest/webhook_events.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_dashboard_store.h"
#include "services/datahub/store/pg_product_metrics_store.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/safety_stock.h"
#include "services/product/ingest/product_metrics_events.h"
#include "services/product/store/pg_product_matrix_store.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"  // the product schema ("migrations.h" is the product's here)
#include "zhongtai/datahub/v1/product_analytics.pb.h"
#include "zhongtai/order/v1/events.pb.h"

// The data hub's embedded migrations (its generated header has the same name as the product's).
namespace zhongtai::datahub {
const std::vector<pg::Migration>& Migrations();
}

namespace zhongtai {
namespace {

const absl::Time kDay = absl::FromUnixSeconds(1699833600);  // 2023-11-13 00:00 UTC, the product clock's day before

events::Event OrderEventOf(const std::string& id, const google::protobuf::Message& message, const std::string& key,
                           absl::Time at) {
  events::Event e;
  e.id = id;
  e.type = message.GetDescriptor()->full_name();
  e.key = key;
  e.payload = message.SerializeAsString();
  e.occurred_at = at;
  return e;
}

void Line(order::v1::LineAmount* line, const std::string& sku, int64_t quantity, int64_t amount) {
  line->set_sku_id(sku);
  line->set_quantity(quantity);
  proto::SetMoney(line->mutable_amount(), "CNY", amount);
}

}  // namespace

TEST_CASE("product metrics flow: events in, the data hub's daily metrics, the product matrix reflects them",
          "[store]") {
  // The product center with one published product of two SKUs.
  product::PgFixture product_db;
  product::Product tea = product_db.AddProduct("Flow tea", {{"FLOW-1", 100}, {"FLOW-2", 100}});
  const std::string sku1 = tea.skus[0].sku_id, sku2 = tea.skus[1].sku_id;

  // The data hub's database.
  testing::TestDatabase hub_db;
  std::unique_ptr<pg::Pool> hub = std::move(pg::Pool::Open({hub_db.dsn(), 4, absl::Seconds(5), "datahub"}).value());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), datahub::Migrations().begin(), datahub::Migrations().end());
  REQUIRE(pg::Migrate(*hub, migrations).ok());

  // Behaviour: three devices view the product (two on sku1, one on sku2), two add to cart.
  datahub::BehaviourPartitions partitions(*hub);
  datahub::PgBehaviourEventStore behaviour(*hub, partitions, absl::Hours(24));
  std::vector<datahub::BehaviourEvent> batch;
  auto add = [&](const std::string& id, datahub::BehaviourEventType type, const std::string& device,
                 const std::string& sku, absl::Duration offset) {
    datahub::BehaviourEvent e;
    e.event_id = id;
    e.type = type;
    e.occurred_at = kDay + offset;
    e.received_at = e.occurred_at;
    e.device_id = device;
    e.channel = "app";
    e.product_id = tea.product_id;
    e.sku_id = sku;
    batch.push_back(e);
  };
  add("b1", datahub::BehaviourEventType::kView, "d1", sku1, absl::Hours(1));
  add("b2", datahub::BehaviourEventType::kView, "d2", sku1, absl::Hours(2));
  add("b3", datahub::BehaviourEventType::kView, "d3", sku2, absl::Hours(3));
  add("b4", datahub::BehaviourEventType::kAddToCart, "d1", sku1, absl::Hours(4));
  add("b5", datahub::BehaviourEventType::kAddToCart, "d3", sku2, absl::Hours(5));
  REQUIRE(behaviour.Insert(batch).ok());

  // Orders as the order center publishes them: o1 (u1) 3 × sku1 for 50.00 and 1 × sku2 for 25.00, paid; o2 (u2)
  // 2 × sku2 for 40.00, paid; one sku1 of o1 refunded the same day.
  order::v1::OrderPlaced o1;
  o1.set_order_id("o1");
  o1.set_user_id("u1");
  o1.set_channel("app");
  proto::SetMoney(o1.mutable_total(), "CNY", 7500);
  Line(o1.add_lines(), sku1, 3, 5000);
  Line(o1.add_lines(), sku2, 1, 2500);
  order::v1::OrderPaid p1;
  p1.set_order_id("o1");
  p1.set_user_id("u1");
  proto::SetMoney(p1.mutable_total(), "CNY", 7500);
  order::v1::OrderPlaced o2;
  o2.set_order_id("o2");
  o2.set_user_id("u2");
  o2.set_channel("web");
  proto::SetMoney(o2.mutable_total(), "CNY", 4000);
  Line(o2.add_lines(), sku2, 2, 4000);
  order::v1::OrderPaid p2;
  p2.set_order_id("o2");
  p2.set_user_id("u2");
  proto::SetMoney(p2.mutable_total(), "CNY", 4000);
  order::v1::OrderRefunded r1;
  r1.set_order_id("o1");
  r1.set_user_id("u1");
  r1.set_return_id("ret1");
  proto::SetMoney(r1.mutable_amount(), "CNY", 1666);
  Line(r1.add_lines(), sku1, 1, 1666);
  *o1.mutable_occur_time() = proto::ToTimestamp(kDay + absl::Hours(6));
  *p1.mutable_occur_time() = proto::ToTimestamp(kDay + absl::Hours(7));
  *o2.mutable_occur_time() = proto::ToTimestamp(kDay + absl::Hours(8));
  *p2.mutable_occur_time() = proto::ToTimestamp(kDay + absl::Hours(9));
  *r1.mutable_occur_time() = proto::ToTimestamp(kDay + absl::Hours(20));
  events::Handler order_handler = datahub::MakeOrderEventHandler(nullptr, absl::Hours(24));
  for (const events::Event& e : {OrderEventOf("o1:placed", o1, "o1", kDay), OrderEventOf("o1:paid", p1, "o1", kDay),
                                 OrderEventOf("o2:placed", o2, "o2", kDay), OrderEventOf("o2:paid", p2, "o2", kDay),
                                 OrderEventOf("ret1:order-refunded", r1, "o1", kDay)}) {
    REQUIRE(hub->Transact([&](pqxx::work& tx) { return order_handler(tx, e); }).ok());
  }

  // The data hub's daily job the next morning (UTC).
  datahub::PgProductMetricsStore metrics_store(*hub);
  datahub::PgDailyRunLease lease(*hub);
  FakeClock hub_clock(kDay + absl::Hours(26));
  datahub::ProductAnalytics analytics(metrics_store, lease, hub_clock, absl::UTCTimeZone());
  datahub::DailyJobResult run = analytics.RunDaily("CNY", 1, "flow", kDay + absl::Hours(26), absl::Minutes(30)).value();
  REQUIRE(run.ran);
  REQUIRE(run.published == 1);

  // What the relay would carry from the data hub's outbox, handed to the product center's consumer handler.
  std::vector<events::Event> published;
  REQUIRE(hub->Transact([&](pqxx::work& tx) {
               for (const pqxx::row& row : tx.exec("SELECT id, type, key, payload FROM outbox WHERE stream = "
                                                   "'zt.events.datahub' ORDER BY id")) {
                 events::Event e;
                 e.id = row[0].as<std::string>();
                 e.type = row[1].as<std::string>();
                 e.key = row[2].as<std::string>();
                 e.payload = pqxx::binarystring(row[3]).str();
                 e.occurred_at = kDay + absl::Hours(26);
                 published.push_back(e);
               }
               return absl::OkStatus();
             })
              .ok());
  REQUIRE(published.size() == 1);
  events::Handler product_handler = product::MakeProductMetricsHandler();
  REQUIRE(product_db.pool->Transact([&](pqxx::work& tx) { return product_handler(tx, published[0]); }).ok());

  // The product matrix's figures are the data hub's: 3 visitors, 2 carts, 2 buyers, 6 units for 115.00, 1 returned.
  product::PgProductMatrixStore matrix(*product_db.pool);
  std::vector<product::ProductFigures> figures =
      matrix.PublishedProductFigures(product_db.clock.Now() + absl::Hours(1)).value();
  REQUIRE(figures.size() == 1);
  const product::ProductFigures& f = figures[0];
  CHECK(f.product_id == tea.product_id);
  CHECK(f.from_datahub);
  CHECK(f.unique_visitors == 3);
  CHECK(f.add_to_cart_visitors == 2);
  CHECK(f.buyers == 2);
  CHECK(f.units_sold == 6);
  CHECK(f.units_returned == 1);
  CHECK(f.gmv.amount_minor == 11500);
  CHECK(f.recent_units == 6);
  REQUIRE(f.skus.size() == 2);
  for (const product::SkuFigures& sku : f.skus) CHECK(sku.units_sold == 3);  // sku1: 3; sku2: 1 + 2

  // ABC classes rank the SKUs by the data hub's GMV (what buyers paid; the product center's ledger has no sale):
  // sku1 50.00, sku2 25.00 + 40.00.
  std::map<std::string, int64_t> revenue;
  const std::vector<product::SkuRevenue> revenues = product_db.stock_store->SkuRevenues(kDay - absl::Hours(1)).value();
  for (const product::SkuRevenue& r : revenues) {
    revenue[r.sku_id] = r.revenue_minor;
  }
  CHECK(revenue[sku1] == 5000);
  CHECK(revenue[sku2] == 6500);

  // The SKUs' sales rate (safety stock, days of cover) comes from the data hub's units too.
  for (const std::string& sku : {sku1, sku2}) {
    product::SafetyStockSetting cover{sku, product::kDefaultWarehouse, product::SafetyStockMode::kDaysOfCover, 0, 10};
    REQUIRE(product_db.stock_store->PutSafetyStock(cover, product_db.clock.Now()).ok());
  }
  std::vector<product::StockPosition> positions =
      product_db.stock_store->StockPositions("", false, product_db.clock.Now() - absl::Hours(24 * 30)).value();
  REQUIRE(positions.size() == 2);
  for (const product::StockPosition& p : positions) {
    REQUIRE(p.datahub.has_value());
    CHECK(p.datahub->units == 3);
    CHECK(product::SalesRateOf(p).source == product::SalesSource::kDatahub);
  }
}

}  // namespace zhongtai

namespace zhongtai {

TEST_CASE("product center -> data hub: stock movements, safety stock and costs through the product outbox", "[store]") {
  // The product center: a product whose SKU costs 8.00 and sells at 19.99, 10 units in the default warehouse, a
  // safety stock of 8 there; an order of 3 reserved and paid (confirmed); 20 units received in another warehouse.
  product::PgFixture product_db;
  product::NewProduct request;
  request.title = "Stock flow tea";
  request.category_id = product_db.category_id;
  product::NewSku new_sku;
  new_sku.sku_code = "STOCK-FLOW-1";
  new_sku.price = {"CNY", 1999};
  new_sku.cost_price = product::Money{"CNY", 800};
  new_sku.initial_stock = 10;
  new_sku.attributes = {{"size", "100g"}};
  request.skus.push_back(new_sku);
  product::Product tea = product_db.catalog->CreateProduct(request).value();
  const std::string sku = tea.skus[0].sku_id;
  REQUIRE(product_db.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec_params("UPDATE products SET status = 'published' WHERE product_id = $1", tea.product_id);
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(
      product_db.stock->SetSafetyStock({sku, product::kDefaultWarehouse, product::SafetyStockMode::kFixed, 8, 0}).ok());
  REQUIRE(product_db.inventory->Reserve("so1", {{sku, 3}}, absl::Minutes(5)).ok());
  REQUIRE(product_db.inventory->Confirm("so1").ok());
  product_db.AddWarehouse("east");
  product_db.Inbound(sku, "east", 20);
  const absl::Time paid_at = product_db.clock.Now();

  // The data hub's database.
  testing::TestDatabase hub_db;
  std::unique_ptr<pg::Pool> hub = std::move(pg::Pool::Open({hub_db.dsn(), 4, absl::Seconds(5), "datahub"}).value());
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), datahub::Migrations().begin(), datahub::Migrations().end());
  REQUIRE(pg::Migrate(*hub, migrations).ok());

  // What the relay carries from the product center's outbox, in its order, to the data hub's domain event handler.
  std::vector<events::Event> relayed;
  REQUIRE(product_db.pool
              ->Transact([&](pqxx::work& tx) {
                for (const pqxx::row& row :
                     tx.exec("SELECT id, type, key, payload, (extract(epoch FROM occurred_at) * 1000000)::bigint "
                             "FROM outbox WHERE stream = 'zt.events.product' ORDER BY seq")) {
                  events::Event e;
                  e.id = row[0].as<std::string>();
                  e.type = row[1].as<std::string>();
                  e.key = row[2].as<std::string>();
                  e.payload = pqxx::binarystring(row[3]).str();
                  e.occurred_at = absl::FromUnixMicros(row[4].as<int64_t>());
                  relayed.push_back(e);
                }
                return absl::OkStatus();
              })
              .ok());
  std::map<std::string, int> types;
  for (const events::Event& e : relayed) ++types[std::string(datahub::ShortEventType(e.type))];
  CHECK(types["StockChanged"] == 3);  // initial, confirm, inbound
  CHECK(types["SafetyStockChanged"] == 1);
  CHECK(types["SkuCostChanged"] == 1);
  events::BatchHandler handler = datahub::MakeDomainEventHandler(datahub::kProductEventStream);
  for (const events::Event& e : relayed) {
    REQUIRE(hub->Transact([&](pqxx::work& tx) { return handler(tx, {e}); }).ok());
  }

  // The hub's levels are the product center's.
  std::map<std::string, std::pair<int64_t, int64_t>> product_levels, hub_levels;
  auto levels = [&](pg::Pool& pool, const std::string& sql, std::map<std::string, std::pair<int64_t, int64_t>>& out) {
    REQUIRE(pool.Transact([&](pqxx::work& tx) {
                  for (const pqxx::row& row : tx.exec_params(sql, sku)) {
                    out[row[0].as<std::string>()] = {row[1].as<int64_t>(), row[2].as<int64_t>()};
                  }
                  return absl::OkStatus();
                })
                .ok());
  };
  levels(*product_db.pool, "SELECT warehouse_id, on_hand, on_hand - reserved FROM stock WHERE sku_id = $1",
         product_levels);
  levels(*hub, "SELECT warehouse_id, on_hand, available FROM stock_levels WHERE sku_id = $1", hub_levels);
  CHECK(hub_levels == product_levels);
  CHECK(hub_levels["default"] == std::make_pair<int64_t, int64_t>(7, 7));
  CHECK(hub_levels["east"] == std::make_pair<int64_t, int64_t>(20, 20));

  // The order as the order center publishes it: 3 units for 59.97, paid.
  order::v1::OrderPlaced placed;
  placed.set_order_id("so1");
  placed.set_user_id("u1");
  placed.set_channel("app");
  proto::SetMoney(placed.mutable_total(), "CNY", 5997);
  Line(placed.add_lines(), sku, 3, 5997);
  *placed.mutable_occur_time() = proto::ToTimestamp(paid_at - absl::Minutes(1));
  order::v1::OrderPaid paid;
  paid.set_order_id("so1");
  paid.set_user_id("u1");
  proto::SetMoney(paid.mutable_total(), "CNY", 5997);
  *paid.mutable_occur_time() = proto::ToTimestamp(paid_at);
  events::Handler order_handler = datahub::MakeOrderEventHandler(nullptr, absl::Hours(24));
  for (const events::Event& e : {OrderEventOf("so1:placed", placed, "so1", paid_at - absl::Minutes(1)),
                                 OrderEventOf("so1:paid", paid, "so1", paid_at)}) {
    REQUIRE(hub->Transact([&](pqxx::work& tx) { return order_handler(tx, e); }).ok());
  }

  // The product's margin from the cost the product center published: (59.97 - 3 x 8.00) / 59.97 = 59.98%.
  datahub::PgProductMetricsStore metrics_store(*hub);
  datahub::PgDailyRunLease lease(*hub);
  FakeClock hub_clock(paid_at + absl::Hours(1));
  datahub::ProductAnalytics analytics(metrics_store, lease, hub_clock, absl::UTCTimeZone());
  datahub::ProductMetrics metrics =
      analytics.GetProduct({tea.product_id, paid_at - absl::Hours(1), paid_at + absl::Hours(1), "CNY"}).value();
  REQUIRE(metrics.product.cost_minor.has_value());
  CHECK(*metrics.product.cost_minor == 2400);
  CHECK(datahub::RatesOf(metrics.product).margin_bps == 5998);

  // The daily report lists the SKU in the default warehouse (7 available, safety stock 8), not in east.
  datahub::PgDashboardStore dashboard(*hub);
  datahub::DailyReports reports(metrics_store, dashboard, lease, absl::UTCTimeZone(), "UTC");
  const absl::CivilDay day = absl::ToCivilDay(paid_at, absl::UTCTimeZone());
  REQUIRE(reports.Generate(day, "CNY", paid_at + absl::Hours(30)).value());
  datahub::v1::DailyReport report;
  REQUIRE(report.ParseFromString(reports.Get(datahub::DayLabel(day)).value().encoded));
  REQUIRE(report.low_stock_skus_size() == 1);
  CHECK(report.low_stock_skus(0).sku_id() == sku);
  CHECK(report.low_stock_skus(0).product_id() == tea.product_id);
  CHECK(report.low_stock_skus(0).warehouse_id() == product::kDefaultWarehouse);
  CHECK(report.low_stock_skus(0).available() == 7);
  CHECK(report.low_stock_skus(0).threshold() == 8);
  CHECK(report.low_stock_skus(0).basis() == "safety_stock");

  // "Stock changed" for WMS and ERP: a subscription names the type, and the delivery body carries the movement.
  const events::Event* confirm = nullptr;
  for (const events::Event& e : relayed) {
    if (e.type == "zhongtai.product.v1.StockChanged" && e.payload.find("so1") != std::string::npos) confirm = &e;
  }
  REQUIRE(confirm != nullptr);
  CHECK(datahub::EventTypeMatches({"StockChanged"}, confirm->type));
  const std::string body = datahub::WebhookEventBody(*confirm);
  CHECK(body.find("\"reason\":\"confirm\"") != std::string::npos);
  CHECK(body.find("\"onHandDelta\":\"-3\"") != std::string::npos);
  CHECK(body.find("\"availableAfter\":\"7\"") != std::string::npos);
  CHECK(body.find("\"safetyStock\":\"8\"") != std::string::npos);
}

}  // namespace zhongtai
