// The product matrix on real PostgreSQL and Redis (label store): the data hub's metrics events through the inbox (a
// redelivery counted once, a recomputation replacing its day, a late older one ignored, bad ones skipped), the matrix
// figures from them or, without them, from the stock ledger, the sales rate of safety stock preferring them, roles,
// and cost prices that only the admin reads carry.
#include "services/product/store/pg_product_matrix_store.h"

#include <catch2/catch.hpp>

#include "common/proto/convert.h"
#include "common/redis/redis.h"
#include "common/testing/stores.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/inventory.h"
#include "services/product/ingest/product_metrics_events.h"
#include "services/product/tests/in_memory_store.h"
#include "services/product/tests/pg_fixture.h"
#include "zhongtai/datahub/v1/product_metrics_events.pb.h"

namespace zhongtai::product {
namespace {

const absl::Time kDay1 = absl::FromUnixSeconds(1699833600);  // 2023-11-13 00:00 UTC, the day before the clock's
const absl::Time kDay2 = kDay1 + absl::Hours(24);

struct Published {
  std::string id;
  std::string type;
  std::string key;
  std::string payload;
};

const char kMetricsType[] = "zhongtai.datahub.v1.ProductMetricsComputed";

Published Metrics(const std::string& event_id, const std::string& product_id, const std::string& sku_id, absl::Time day,
                  int64_t units, int64_t visitors, absl::Time computed, absl::Duration window = absl::Hours(24)) {
  datahub::v1::ProductMetricsComputed m;
  m.set_product_id(product_id);
  *m.mutable_window_start() = proto::ToTimestamp(day);
  *m.mutable_window_end() = proto::ToTimestamp(day + window);
  m.set_unique_visitors(visitors);
  m.set_add_to_cart_visitors(visitors / 10);
  m.set_buyers(units / 2);
  m.set_units_sold(units);
  m.mutable_gmv()->set_currency("CNY");
  m.mutable_gmv()->set_amount_minor(units * 1999);
  m.set_units_returned(1);
  datahub::v1::SkuMetrics* sku = m.add_skus();
  sku->set_sku_id(sku_id);
  sku->set_units_sold(units);
  sku->mutable_gmv()->set_currency("CNY");
  sku->mutable_gmv()->set_amount_minor(units * 1999);
  *m.mutable_compute_time() = proto::ToTimestamp(computed);
  return {event_id, kMetricsType, product_id, m.SerializeAsString()};
}

using zhongtai::testing::Count;

void Outbound(PgFixture& f, const std::string& sku_id, int64_t quantity) {
  StockOperation op;
  op.kind = StockOperationKind::kOutbound;
  op.sku_id = sku_id;
  op.warehouse_id = kDefaultWarehouse;
  op.quantity = quantity;
  op.reason = "sold at the fair";
  REQUIRE(f.stock->Apply(op).ok());
}

}  // namespace

TEST_CASE("data hub metrics: stored once per event, a day recomputed replaces it, the matrix prefers them", "[store]") {
  PgFixture f;
  auto redis = redis::Pool::Open({zhongtai::testing::RedisAddress(), 2, absl::Seconds(1)});
  REQUIRE(redis.ok());
  const std::string stream = zhongtai::testing::UniqueName("zt.test.events.datahub");
  events::StreamConsumer consumer(*f.pool, **redis,
                                  {stream, kProductMetricsConsumerGroup, "product-test", absl::Milliseconds(50)},
                                  MakeProductMetricsHandler());

  Product hub = f.AddProduct("Hub tea", {{"HUB-1", 100}});
  Product quiet = f.AddProduct("Quiet tea", {{"QUIET-1", 100}});
  const std::string sku = hub.skus[0].sku_id;
  Outbound(f, sku, 7);                   // the ledger sees 7; the data hub's figures win for this product
  Outbound(f, quiet.skus[0].sku_id, 4);  // no data hub figures: the ledger's 4
  const absl::Time t = f.clock.Now();
  const std::vector<Published> published = {
      Metrics("pm:1:d1:a", hub.product_id, sku, kDay1, 10, 100, t - absl::Hours(3)),
      Metrics("pm:1:d1:a", hub.product_id, sku, kDay1, 10, 100, t - absl::Hours(3)),    // the stream delivers it again
      Metrics("pm:1:d1:b", hub.product_id, sku, kDay1, 12, 120, t - absl::Hours(2)),    // the day recomputed
      Metrics("pm:1:d1:old", hub.product_id, sku, kDay1, 99, 990, t - absl::Hours(9)),  // an older computation, late
      Metrics("pm:1:d2:a", hub.product_id, sku, kDay2, 5, 50, t - absl::Hours(1)),
      Metrics("pm:1:bad", hub.product_id, sku, kDay2, 5, 50, t, absl::Hours(48)),  // not one day: skipped
      {"pm:x", kMetricsType, hub.product_id, "not a protobuf"},
      {"other", "zhongtai.datahub.v1.SomethingElse", hub.product_id, ""},
  };
  for (const Published& event : published) {
    REQUIRE((*redis)
                ->Command({"XADD", stream, "*", "id", event.id, "type", event.type, "key", event.key, "payload",
                           event.payload, "occurred_at", "2023-11-14T22:13:20Z"})
                .ok());
  }
  int processed = 0;
  for (int round = 0; round < 20 && processed < static_cast<int>(published.size()); ++round) {
    auto polled = consumer.PollOnce();
    REQUIRE(polled.ok());
    processed += *polled;
  }
  CHECK(processed == static_cast<int>(published.size()));
  CHECK(consumer.duplicates() == 1);
  CHECK(consumer.failures() == 0);

  CHECK(Count(*f.pool, "SELECT count(*) FROM datahub_product_daily") == 2);
  CHECK(Count(*f.pool, "SELECT sum(units_sold)::bigint FROM datahub_product_daily") == 17);
  CHECK(Count(*f.pool, "SELECT sum(unique_visitors)::bigint FROM datahub_product_daily") == 170);
  CHECK(Count(*f.pool, "SELECT sum(units_sold)::bigint FROM datahub_sku_daily") == 17);

  PgProductMatrixStore matrix(*f.pool);
  std::vector<ProductFigures> figures = matrix.PublishedProductFigures(t + absl::Hours(1)).value();
  REQUIRE(figures.size() == 2);
  const ProductFigures& from_hub = figures[0].product_id == hub.product_id ? figures[0] : figures[1];
  const ProductFigures& from_ledger = figures[0].product_id == hub.product_id ? figures[1] : figures[0];
  CHECK(from_hub.from_datahub);
  CHECK(from_hub.units_sold == 17);
  CHECK(from_hub.unique_visitors == 170);
  CHECK(from_hub.buyers == 6 + 2);
  CHECK(from_hub.units_returned == 2);
  CHECK(from_hub.gmv.amount_minor == 17 * 1999);
  CHECK(from_hub.recent_units == 17);
  REQUIRE(from_hub.skus.size() == 1);
  CHECK(from_hub.skus[0].units_sold == 17);
  CHECK_FALSE(from_ledger.from_datahub);
  CHECK(from_ledger.units_sold == 4);
  CHECK(from_ledger.recent_units == 4);
  CHECK(from_ledger.previous_units == 0);
  CHECK(from_ledger.gmv.amount_minor == 4 * 1999);
  CHECK(from_ledger.unique_visitors == 0);

  // Safety stock's sales rate: the data hub's 17 units over its 2 days for the hub SKU, the ledger's 4 over 30 days.
  SafetyStockSetting cover{sku, kDefaultWarehouse, SafetyStockMode::kDaysOfCover, 0, 10};
  REQUIRE(f.stock_store->PutSafetyStock(cover, t).ok());
  cover.sku_id = quiet.skus[0].sku_id;
  REQUIRE(f.stock_store->PutSafetyStock(cover, t).ok());
  std::vector<StockPosition> positions = f.stock_store->StockPositions("", false, t - absl::Hours(24 * 30)).value();
  REQUIRE(positions.size() == 2);
  for (const StockPosition& p : positions) {
    if (p.level.sku_id == sku) {
      REQUIRE(p.datahub.has_value());
      CHECK(p.datahub->units == 17);
      CHECK(p.datahub->days == 2);
      CHECK(SalesRateOf(p).source == SalesSource::kDatahub);
      CHECK(SafetyStockOf(p) == 85);  // 10 days × 8.5 a day
    } else {
      CHECK_FALSE(p.datahub.has_value());
      CHECK(SalesRateOf(p) == SalesRate{4, 30, SalesSource::kLedger});
      CHECK(SafetyStockOf(p) == 2);  // ceil(10 × 4 / 30)
    }
  }
  (void)(*redis)->Command({"DEL", stream});
}

TEST_CASE("roles and cost prices: admins read them, shoppers and other services never", "[store]") {
  PgFixture f;
  PgProductMatrixStore matrix(*f.pool);
  NewProduct request;
  request.title = "Oolong";
  request.category_id = f.category_id;
  NewSku sku;
  sku.sku_code = "OO-1";
  sku.price = {"CNY", 10000};
  sku.cost_price = Money{"CNY", 8500};
  request.skus = {sku};
  Product created = f.catalog->CreateProduct(request).value();
  REQUIRE(created.skus[0].cost_price.has_value());
  CHECK(created.skus[0].cost_price->amount_minor == 8500);

  // Changed by an edit; the admin read and the edit's answer carry it, and the ABC class once classified.
  ProductEdit edit;
  edit.product_id = created.product_id;
  edit.expected_version = created.version;
  edit.cost_changes = {{created.skus[0].sku_id, {"CNY", 9000}}};
  Product edited = f.editor->Update(edit).value();
  CHECK(edited.skus[0].cost_price->amount_minor == 9000);
  REQUIRE(f.stock_store->SaveAbcClasses({{created.skus[0].sku_id, 'A'}}, f.clock.Now()).ok());
  Product admin = f.store->GetProductForAdmin(created.product_id).value();
  CHECK(admin.skus[0].cost_price->amount_minor == 9000);
  CHECK(admin.skus[0].abc_class == 'A');

  REQUIRE(f.editor->ChangeStatus(created.product_id, LifecycleAction::kPublish, 0).ok());
  Product shown = f.catalog->GetProduct(created.product_id).value();
  CHECK_FALSE(shown.skus[0].cost_price.has_value());
  CHECK(shown.skus[0].abc_class == 0);
  std::vector<Sku> for_order = f.store->GetSkus({created.skus[0].sku_id}, {}).value();
  REQUIRE(for_order.size() == 1);
  CHECK_FALSE(for_order[0].cost_price.has_value());

  CHECK(matrix.GetRole(created.product_id).value() == ProductRole::kUnspecified);
  CHECK(ReasonOf(matrix.SetRole("prd_missing", ProductRole::kImage, f.clock.Now())) == "PRODUCT_NOT_FOUND");
  REQUIRE(matrix.SetRole(created.product_id, ProductRole::kTraffic, f.clock.Now()).ok());
  REQUIRE(matrix.SetRole(created.product_id, ProductRole::kProfit, f.clock.Now()).ok());
  CHECK(matrix.GetRole(created.product_id).value() == ProductRole::kProfit);
  std::vector<ProductFigures> figures = matrix.PublishedProductFigures(f.clock.Now() + absl::Hours(1)).value();
  REQUIRE(figures.size() == 1);
  CHECK(figures[0].role == ProductRole::kProfit);
  CHECK(figures[0].listed_at == f.clock.Now());  // published by the editor at the clock's time
  REQUIRE(figures[0].skus.size() == 1);
  CHECK(ProductMarginBasisPoints(figures[0].skus) == 1000);  // (10000 - 9000) / 10000

  REQUIRE(f.editor->ChangeStatus(created.product_id, LifecycleAction::kUnpublish, 0).ok());
  CHECK(matrix.PublishedProductFigures(f.clock.Now()).value().empty());
  CHECK(ReasonOf(f.catalog->GetProduct(created.product_id).status()) == "PRODUCT_NOT_FOUND");
}

}  // namespace zhongtai::product
