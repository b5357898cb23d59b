// Data hub -> product center, across the two services' real databases (label store): behaviour events and the order
// center's OrderPlaced/OrderPaid/OrderRefunded payloads (with their lines) go into the data hub, its daily job writes
// ProductMetricsComputed to its outbox, and the product center's consumer handler stores what the relay would carry,
// so that the product matrix's figures (suggestions, margin weights) and the SKUs' sales rate (safety stock, ABC input)
// are the data hub's.
#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/proto/convert.h"
#include "common/testing/stores.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_customer_analytics_store.h"
#include "services/datahub/store/pg_product_metrics_store.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/domain/safety_stock.h"
#include "services/product/ingest/product_metrics_events.h"
#include "services/product/store/pg_product_matrix_store.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"  // the product schema ("migrations.h" is the product's here)
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
