// Composition root of the order service: store, clients, domain, API, outbox relay and sweeper on the common start
// (service_start.h).
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "common/clock/service_clock.h"
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/http/http_client.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/server/client.h"
#include "common/server/periodic_task.h"
#include "common/server/pool_executor.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/order/api/admin_order_api.h"
#include "services/order/api/after_sales_api.h"
#include "services/order/api/cart_api.h"
#include "services/order/api/fulfilment_api.h"
#include "services/order/api/order_api.h"
#include "services/order/api/order_privacy_api.h"
#include "services/order/clients/after_sales_clients.h"
#include "services/order/clients/grpc_clients.h"
#include "services/order/clients/payment_provider_http.h"
#include "services/order/config.h"
#include "services/order/domain/flash_order.h"
#include "services/order/domain/returns.h"
#include "services/order/ingest/flash_orders.h"
#include "services/order/ingest/user_erasure.h"
#include "services/order/order_metrics.h"
#include "services/order/store/pg_admin_order_queries.h"
#include "services/order/store/pg_cart_store.h"
#include "services/order/store/pg_order_import_store.h"
#include "services/order/store/pg_order_store.h"
#include "services/order/store/pg_payment_store.h"
#include "services/order/store/pg_return_store.h"
#include "services/order/store/pg_shipment_store.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"
#include "zhongtai/product/v1/product.grpc.pb.h"
#include "zhongtai/user/v1/membership.grpc.pb.h"
#include "zhongtai/user/v1/user.grpc.pb.h"

namespace zhongtai::order {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewOrderId() override { return ids::NewId("o_"); }
  std::string NewPaymentId() override { return ids::NewId("pay_"); }
};

class TimeOrderedShipmentIds : public ShipmentIds {
 public:
  std::string NewShipmentId() override { return ids::NewId("shp_"); }
};

class TimeOrderedReturnIds : public ReturnIds {
 public:
  std::string NewReturnId() override { return ids::NewId("ret_"); }
};

int Compose(const OrderConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgOrderStore store(*service.db);
  GrpcProductCatalog products(
      server::MakeChannel(config.product_address, product::v1::ProductService::service_full_name()));
  std::shared_ptr<grpc::Channel> marketing_channel =
      server::MakeChannel(config.marketing_address, marketing::v1::MarketingService::service_full_name());
  // Flash orders take their unit from the sale's reservation, not one of their own.
  FlashOrderStock catalog(products);
  GrpcPriceQuoter quoter(marketing_channel);
  GrpcCouponWallet coupons(marketing_channel);
  GrpcPromotionBudgets budgets(
      server::MakeChannel(config.marketing_address, marketing::v1::CampaignService::service_full_name()));
  GrpcUserDirectory users(server::MakeChannel(config.user_address, user::v1::UserService::service_full_name()),
                          server::MakeChannel(config.user_address, user::v1::MembershipService::service_full_name()));
  http::HttpClientOptions provider_options;
  provider_options.timeout = config.payment_provider_timeout;
  absl::StatusOr<http::HttpClient> provider_client =
      http::HttpClient::Create(config.payment_provider_url, provider_options);
  if (!provider_client.ok()) {
    log::Error("ZT_ORDER_PAYMENT_PROVIDER_URL is not usable", {{"error", provider_client.status().ToString()}});
    return 2;
  }
  HttpPaymentProvider provider(config.payment_provider, *std::move(provider_client));
  PgPaymentStore payment_store(*service.db);
  ServiceClock clock;  // the system clock; a test may move it (ZT_TEST_CLOCK_OFFSET_FILE)
  TimeOrderedIds ids;
  PrometheusOrderObserver observer(runner.registry());
  OrderSettings settings;
  settings.payment_timeout = config.payment_timeout;
  settings.reservation_grace = config.reservation_grace;
  settings.max_open_orders = config.max_open_orders;
  settings.max_quantity = config.max_quantity_per_sku;
  settings.pricing.shipping_fee = config.shipping_fee;
  settings.pricing.points_max_share_percent = config.points_max_share_percent;
  // The saga's store steps after a call to another service continue on the same worker pool as the calls themselves.
  server::PoolExecutor blocking(runner.workers());
  PgShipmentStore shipment_store(*service.db, store);
  TimeOrderedShipmentIds shipment_ids;
  FulfilmentSettings fulfilment_settings;
  fulfilment_settings.merge_window = config.merge_window;
  fulfilment_settings.auto_confirm_after = config.auto_confirm_after;
  fulfilment_settings.after_sales_window = config.after_sales_window;
  fulfilment_settings.after_sales_window_by_category = config.after_sales_window_by_category;
  fulfilment_settings.handling_days = config.handling_days;
  Fulfilment fulfilment(store, shipment_store, catalog, clock, shipment_ids, blocking, fulfilment_settings);
  // Checkout charges the shipping fee of the carrier rule the parcel would go by.
  Orders orders(store, catalog, quoter, coupons, budgets, users, clock, ids, observer, blocking, settings, &fulfilment);
  PaymentSettings payment_settings;
  payment_settings.query_after = config.payment_query_after;
  payment_settings.lease = config.payment_lease;
  char host[256] = {};
  gethostname(host, sizeof(host) - 1);
  payment_settings.sweeper_id = absl::StrCat(host, ":", getpid());
  Payments payments(store, payment_store, provider, catalog, orders, clock, ids, observer, blocking, payment_settings);
  // The cart checks out through Orders; placements with given lines never touch it.
  PgCartStore cart_store(*service.db);
  CartRules cart_rules;
  cart_rules.max_lines = config.cart_max_lines;
  Carts carts(cart_store, products, quoter, users, orders, clock, blocking, cart_rules);
  CartApi cart_api(carts, runner.workers());
  PgAdminOrderQueries admin_queries(*service.db);
  OrderAdmin order_admin(admin_queries, config.export_max_rows);
  PgOrderImportStore import_store(*service.db);
  ImportSettings import_settings;
  import_settings.reservation_ttl = config.payment_timeout + config.reservation_grace;
  OrderImports order_imports(store, import_store, products, clock, ids, blocking, import_settings);
  AdminOrderApi admin_api(order_admin, order_imports, runner.workers());
  FulfilmentApi fulfilment_api(fulfilment, runner.workers());
  OrderApi api(orders, payments, runner.workers(), &fulfilment);
  api.set_carts(&carts);

  PgReturnStore return_store(*service.db, store);
  GrpcPointsRefunds points_refunds(
      server::MakeChannel(config.user_address, user::v1::MembershipService::service_full_name()));
  GrpcReturnedStock returned_stock(
      server::MakeChannel(config.product_address, product::v1::ProductService::service_full_name()));
  TimeOrderedReturnIds return_ids;
  AfterSalesRules after_sales_rules;
  after_sales_rules.return_window = config.after_sales_window;
  Returns returns(return_store, provider, points_refunds, returned_stock, clock, return_ids, blocking,
                  after_sales_rules);
  // Exchanges: the replacement's SKU checked and its stock held through the product center.
  CatalogReplacementStock replacement_stock(catalog, store, blocking);
  returns.SetReplacementStock(&replacement_stock);
  AfterSalesApi after_sales_api(returns, runner.workers());

  events::OutboxRelay relay(*service.db, *service.redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest order event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  OrderPrivacyApi privacy_api(orders, runner.workers());
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  erasure_options.types = UserErasureHandlerTypes();
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  runner.AddService(&api);
  runner.AddService(&privacy_api);
  runner.AddService(&cart_api);
  runner.AddService(&admin_api);
  runner.AddService(&fulfilment_api);
  runner.AddService(&after_sales_api);
  events::ConsumerOptions winners_options;
  winners_options.stream = kFlashWinnerStream;
  winners_options.group = kFlashWinnerConsumerGroup;
  events::StreamConsumer flash_winners(*service.db, *service.redis, winners_options,
                                       MakeFlashWinnerHandler(clock, config.payment_timeout, observer));

  relay.Start();
  user_erasures.Start();
  flash_winners.Start();
  // Its own thread: SweepOnce waits for each order's steps, which continue on the worker pool.
  server::PeriodicTask sweeper(config.sweep_interval, [&orders] { orders.SweepOnce(); });
  // Payments that did not hear from the provider; its own thread, as a slow provider must not hold up the other.
  server::PeriodicTask payment_sweeper(config.sweep_interval, [&payments] { payments.SweepOnce(); });
  // Completes delivered orders nobody confirmed; row locks let several instances sweep at once.
  server::PeriodicTask fulfilment_sweeper(config.sweep_interval, [&fulfilment] { fulfilment.SweepOnce(); });
  // Refunds and restocks a failed call left owed; its own thread, as it waits for each.
  server::PeriodicTask after_sales_sweeper(config.sweep_interval, [&returns] { returns.SweepOnce(); });
  runner.OnShutdown([&] {
    fulfilment_sweeper.Stop();
    after_sales_sweeper.Stop();
    payment_sweeper.Stop();
    sweeper.Stop();
    flash_winners.Stop();
    user_erasures.Stop();
    relay.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::order

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"order", order::Migrations()};
  spec.events = true;  // the outbox (order events) and the inbox (UserErased)
  return server::RunService<order::OrderConfig>(argc, argv, spec, order::LoadConfig, order::Compose);
}
