// Composition root of the product service: store, domain, API, catalogue events' relay, sweeper on the common start
// (service_start.h).
#include <atomic>

#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/redis/channels.h"
#include "common/redis/redis.h"
#include "common/server/periodic_task.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/product/api/product_api.h"
#include "services/product/api/product_metrics.h"
#include "services/product/config.h"
#include "services/product/domain/ids.h"
#include "services/product/domain/listing_compliance.h"
#include "services/product/ingest/product_metrics_events.h"
#include "services/product/store/pg_catalogue_change_listener.h"
#include "services/product/store/pg_product_matrix_store.h"
#include "services/product/store/pg_product_search.h"
#include "services/product/store/pg_product_store.h"
#include "services/product/store/pg_returned_goods_store.h"
#include "services/product/store/pg_stock_store.h"

namespace zhongtai::product {
namespace {

int Compose(const ProductConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgProductStore store(*service.db);
  SystemClock clock;
  RandomIdGenerator ids(clock);
  PrometheusInventoryObserver observer(runner.registry());
  InventoryOptions inventory_options;
  inventory_options.default_ttl = config.reservation_default_ttl;
  inventory_options.max_ttl = absl::Seconds(kMaxReservationTtlSeconds);
  inventory_options.sweep_batch = config.reservation_sweep_batch;
  ProductCache cache(clock, config.product_cache_ttl);
  Catalog catalog(store, clock, ids, &cache);
  Inventory inventory(store, clock, observer, inventory_options, &cache);
  // Warehouses and stock: admin stock operations, and how many stock rows are below their safety stock,
  // counted every ZT_PRODUCT_STOCK_ALERT_INTERVAL for zt_product_stock_below_safety.
  PgStockStore stock_store(*service.db);
  StockCenter stock(stock_store, clock, &cache, AbcThresholds{config.abc_a_percent, config.abc_b_percent});
  std::atomic<int64_t> below_safety{0};
  runner.gauges().Add("zt_product_stock_below_safety",
                      "Stock rows (SKU x warehouse) whose available stock is below their safety stock.", {},
                      [&below_safety] { return static_cast<double>(below_safety.load()); });
  server::PeriodicTask stock_alerts(config.stock_alert_interval, [&stock, &below_safety] {
    absl::StatusOr<int64_t> below = stock.CountBelowSafety();
    if (below.ok()) {
      below_safety = *below;
    } else {
      log::Warn("stock alert count failed", {{"error", below.status().ToString()}});
    }
  });
  // Runs at start, then every ZT_PRODUCT_ABC_INTERVAL (a day by default).
  server::PeriodicTask abc_classification(config.abc_interval, [&stock] {
    absl::StatusOr<int> a_skus = stock.ClassifyAbc();
    if (!a_skus.ok()) log::Warn("ABC classification failed", {{"error", a_skus.status().ToString()}});
  });
  // End of warehouses and stock
  // Catalogue
  ListingCompliance compliance(store, clock);
  ProductEditor editor(store, compliance, clock, ids, &cache);
  Brands brands(store, clock, ids);
  CategoryTree categories(store);
  Pricing pricing(store, clock);
  // Product matrix: roles, suggestions and stages from the data hub's metrics (else the ledger's sales).
  PgProductMatrixStore matrix_store(*service.db);
  ProductRoles roles(matrix_store, clock, config.matrix);
  // Search and listing, with the listing cache; every replica hears the catalogue's commits (PostgreSQL notifies
  // them) and drops cached listings and the changed product's page at once.
  ListingCache listing_cache(clock, config.listing_cache_ttl);
  PgProductSearchStore search_store(*service.db);
  ProductSearch search(search_store, &listing_cache, EncodeListing);
  // Each change heard is also published on Redis for the gateway, which keeps listing answers too
  // (services/gateway/catalogue_reply_cache.h); so is hearing again after a gap, when changes may have gone unheard.
  // Published after this replica dropped its own pages, so a gateway asking again gets the new page. If Redis fails,
  // the gateway's answers live out their TTL (ZT_GATEWAY_CATALOGUE_CACHE_TTL, 2 s).
  auto tell_gateways = [&service](const std::string& product_id) {
    if (service.redis == nullptr) return;
    absl::StatusOr<redis::Reply> published =
        service.redis->Command({"PUBLISH", redis::kCatalogueChangedChannel, product_id});
    if (!published.ok()) {
      log::Warn("cannot publish a catalogue change", {{"error", std::string(published.status().message())}});
    }
  };
  PgCatalogueChangeListener catalogue_changes(config.service.pg_dsn, {[&](const std::string& product_id) {
                                                                        listing_cache.Invalidate();
                                                                        if (product_id.empty()) {
                                                                          cache.Clear();
                                                                        } else {
                                                                          cache.InvalidateProduct(product_id);
                                                                        }
                                                                        tell_gateways(product_id);
                                                                      },
                                                                      [&](bool live) {
                                                                        listing_cache.SetLive(live);
                                                                        if (live) tell_gateways("");
                                                                      }});
  catalogue_changes.Start();
  runner.gauges().Add("zt_product_listing_cache_hits", "Search and listing pages answered from memory.", {},
                      [&listing_cache] { return static_cast<double>(listing_cache.hits()); });
  runner.gauges().Add("zt_product_listing_cache_stale_hits",
                      "Search and listing pages answered from memory past their TTL while one caller refreshed them.",
                      {}, [&listing_cache] { return static_cast<double>(listing_cache.stale_hits()); });
  runner.gauges().Add("zt_product_listing_cache_misses", "Search and listing pages asked of the database.", {},
                      [&listing_cache] { return static_cast<double>(listing_cache.misses()); });
  // Goods buyers returned, booked for the order center's after-sales.
  PgReturnedGoodsStore returned_goods_store(*service.db);
  ReturnedGoodsIntake returned_goods(returned_goods_store, clock);
  ProductApi api(catalog, inventory, {brands, categories, editor, compliance, pricing, roles}, stock, runner.workers(),
                 &search, &returned_goods);
  runner.AddService(&api);

  // Catalogue events (ProductUpdated, PriceChanged, ProductPublished, ...) wait in the outbox until the relay
  // publishes them to zt.events.product.
  events::OutboxRelay relay(*service.db, *service.redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest product event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  relay.Start();
  // The data hub's ProductMetricsComputed events, stored once each (inbox) for the matrix and the sales rates.
  events::ConsumerOptions metrics_options;
  metrics_options.stream = kDatahubEventStream;
  metrics_options.group = kProductMetricsConsumerGroup;
  metrics_options.claim_idle = config.metrics_events_claim_idle;
  metrics_options.types = ProductMetricsHandlerTypes();
  events::StreamConsumer metrics_events(*service.db, *service.redis, metrics_options, MakeProductMetricsHandler());
  metrics_events.Start();

  server::PeriodicTask sweeper(config.reservation_sweep_interval, [&inventory] {
    absl::StatusOr<int> expired = inventory.SweepExpired();
    if (!expired.ok()) {
      log::Warn("reservation sweep failed", {{"error", expired.status().ToString()}});
    } else if (*expired > 0) {
      log::Info("expired reservations released", {{"count", std::to_string(*expired)}});
    }
  });
  runner.OnShutdown([&] {
    sweeper.Stop();
    metrics_events.Stop();
    relay.Stop();
    stock_alerts.Stop();
    abc_classification.Stop();
    catalogue_changes.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::product

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"product", product::Migrations()};
  spec.events = true;  // the outbox of the catalogue events
  return server::RunService<product::ProductConfig>(argc, argv, spec, product::LoadConfig, product::Compose);
}
