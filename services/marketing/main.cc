// Composition root of the marketing service: stores, domain, API, the outbox relay, the flash sales' consumers and
// sweeper on the common start (service_start.h).
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/metrics/collectors.h"
#include "common/server/client.h"
#include "common/server/periodic_task.h"
#include "common/server/pool_executor.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/clients/grpc_flash_sale_stock.h"
#include "services/marketing/config.h"
#include "services/marketing/ingest/flash_sale_events.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/store/pg_flash_sale_store.h"
#include "services/marketing/store/pg_promotion_store.h"
#include "services/marketing/store/redis_flash_admission.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::marketing {
namespace {

class TimeOrderedIds : public IdGenerator, public FlashSaleIds {
 public:
  std::string NewPromotionId() override { return ids::NewId("pr_"); }
  std::string NewCouponTemplateId() override { return ids::NewId("ct_"); }
  std::string NewCouponId() override { return ids::NewId("cp_"); }
  std::string NewSaleId() override { return ids::NewId("fs_"); }
  std::string NewPurchaseId() override { return ids::NewId(kFlashPurchaseIdPrefix); }
};

int Compose(const MarketingConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgPromotionStore store(*service.db);
  SystemClock clock;
  TimeOrderedIds ids;
  Promotions promotions(store, clock, ids);
  PgCouponStore coupon_store(*service.db);
  Coupons coupons(coupon_store, clock, ids);

  PgFlashSaleStore flash_store(*service.db);
  RedisFlashAdmission admission(*service.redis);
  GrpcFlashSaleStock flash_stock(
      server::MakeChannel(config.product_address, product::v1::ProductService::service_full_name()));
  server::PoolExecutor blocking(runner.workers());
  FlashSaleSettings flash_settings;
  flash_settings.settle_after = config.flash_settle_after;
  FlashSales flash_sales(flash_store, admission, flash_stock, clock, ids, blocking, flash_settings);

  MarketingApi api(promotions, coupons, runner.workers(), &flash_sales);
  events::OutboxRelay relay(*service.db, *service.redis);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest coupon event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  events::ConsumerOptions winners_options;
  winners_options.stream = kFlashWinnerStream;
  winners_options.group = kFlashWinnerConsumerGroup;
  events::StreamConsumer winners(*service.db, *service.redis, winners_options, MakeFlashWinnerHandler(clock));
  events::ConsumerOptions orders_options;
  orders_options.stream = kOrderEventStream;
  orders_options.group = kFlashOrderConsumerGroup;
  events::StreamConsumer order_events(*service.db, *service.redis, orders_options,
                                      MakeFlashOrderEventHandler(admission, clock));
  runner.AddService(&api);
  relay.Start();
  winners.Start();
  order_events.Start();
  // Its own thread: settling waits for the product service.
  server::PeriodicTask sweeper(config.flash_sweep_interval, [&flash_sales] { flash_sales.SweepOnce(); });
  runner.OnShutdown([&] {
    sweeper.Stop();
    order_events.Stop();
    winners.Stop();
    relay.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::marketing

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"marketing", marketing::Migrations()};
  spec.events = true;
  return server::RunService<marketing::MarketingConfig>(argc, argv, spec, marketing::LoadConfig, marketing::Compose);
}
