// Composition root of the marketing service: stores, domain, API, the outbox relay, the flash sales' consumers and
// sweeper on the common start (service_start.h).
#include "common/clock/service_clock.h"
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/server/client.h"
#include "common/server/periodic_task.h"
#include "common/server/pool_executor.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/marketing/api/campaign_api.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/api/marketing_privacy_api.h"
#include "services/marketing/clients/grpc_flash_sale_stock.h"
#include "services/marketing/clients/grpc_product_skus.h"
#include "services/marketing/clients/grpc_segment_directory.h"
#include "services/marketing/config.h"
#include "services/marketing/ingest/birthday_coupons.h"
#include "services/marketing/ingest/flash_sale_events.h"
#include "services/marketing/ingest/order_events.h"
#include "services/marketing/ingest/user_erasure.h"
#include "services/marketing/store/pg_budget_store.h"
#include "services/marketing/store/pg_calendar_sources.h"
#include "services/marketing/store/pg_campaign_change_lock.h"
#include "services/marketing/store/pg_coupon_issue_store.h"
#include "services/marketing/store/pg_coupon_lifecycle_store.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/store/pg_experiment_store.h"
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
  std::string NewCouponIssueId() override { return ids::NewId("ci_"); }
  std::string NewExperimentId() override { return ids::NewId("ex_"); }
  std::string NewSaleId() override { return ids::NewId("fs_"); }
  std::string NewPurchaseId() override { return ids::NewId(kFlashPurchaseIdPrefix); }
};

int Compose(const MarketingConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgPromotionStore store(*service.db);
  ServiceClock clock;  // the system clock; a test may move it (ZT_TEST_CLOCK_OFFSET_FILE)
  TimeOrderedIds ids;
  // The calendar's sources, one per kind of campaign.
  PgPromotionCalendar promotion_calendar(*service.db);
  PgCouponTemplateCalendar coupon_template_calendar(*service.db);
  PgFlashSaleCalendar flash_sale_calendar(*service.db);
  PgCampaignChangeLock campaign_lock(*service.db);
  CampaignCalendar calendar({&promotion_calendar, &coupon_template_calendar, &flash_sale_calendar}, &campaign_lock);
  // One channel to the product service: flash sales' reservations, arm prices' list prices and gifts' stock.
  std::shared_ptr<grpc::Channel> product_channel =
      server::MakeChannel(config.product_address, product::v1::ProductService::service_full_name());
  GrpcProductSkus product_skus(product_channel, config.product_skus_timeout);
  PgExperimentStore experiment_store(*service.db);
  Experiments experiments(experiment_store, clock, ids, &product_skus);
  Promotions promotions(store, clock, ids, &calendar, &experiments, &product_skus);
  PgCouponStore coupon_store(*service.db);
  ClaimSettings claim_settings;
  claim_settings.claims_per_device = config.claims_per_device;
  claim_settings.requires_device = config.claim_requires_device;
  Coupons coupons(coupon_store, clock, ids, claim_settings);

  PgFlashSaleStore flash_store(*service.db);
  // Admissions go on pipelined connections of their own: a purchase holds no worker while Redis decides.
  RedisPipeline::Options pipeline_options;
  pipeline_options.address = config.service.redis_address;
  pipeline_options.timeout = service.redis->timeout();
  RedisPipeline admission_pipeline(pipeline_options);
  RedisFlashAdmission admission(*service.redis, "zt:fs:", kFlashWinnerStream, &admission_pipeline);
  GrpcFlashSaleStock flash_stock(product_channel);
  server::PoolExecutor blocking(runner.workers());
  FlashSaleSettings flash_settings;
  flash_settings.settle_after = config.flash_settle_after;
  FlashSales flash_sales(flash_store, admission, flash_stock, clock, ids, blocking, flash_settings, &calendar);

  MarketingApi api(promotions, coupons, runner.workers(), &flash_sales);
  PgBudgetStore budget_store(*service.db);
  Budgets budgets(budget_store, clock);
  PgCouponIssueStore issue_store(*service.db);
  GrpcSegmentDirectory directory(server::MakeChannel(config.user_address, user::v1::UserSegments::service_full_name()));
  CouponIssueSettings issue_settings;
  issue_settings.page_size = config.coupon_issue_page_size;
  CouponIssuer issuer(issue_store, directory, clock, ids, issue_settings);
  CampaignApi campaign_api(budgets, calendar, issuer, experiments, runner.workers());
  MarketingPrivacyApi privacy_api(coupons, runner.workers());
  runner.AddService(&api);
  runner.AddService(&campaign_api);
  runner.AddService(&privacy_api);

  events::OutboxRelay relay(*service.db, *service.redis);
  // The winners' stream has no outbox (the admission script appends to it); trimmed like the others.
  relay.AlsoTrim(kFlashWinnerStream);
  runner.gauges().Add("zt_outbox_lag_seconds", "Age of the oldest coupon event not yet published.", {},
                      [&relay] { return relay.lag_seconds(); });
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  erasure_options.types = UserErasureHandlerTypes();
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  // The user service's BirthdayCouponDue: the tier's birthday coupon to the customer's wallet, once a year.
  events::ConsumerOptions birthday_options;
  birthday_options.stream = kUserEventStream;
  birthday_options.group = kBirthdayCouponConsumerGroup;
  birthday_options.claim_idle = config.events_claim_idle;
  birthday_options.types = BirthdayCouponHandlerTypes();
  events::StreamConsumer birthday_coupons(*service.db, *service.redis, birthday_options,
                                          MakeBirthdayCouponHandler(clock, ids));
  PgCouponLifecycleStore lifecycle_store(*service.db);
  CouponLifecycleSettings lifecycle_settings;
  lifecycle_settings.expiry_reminder_lead = config.expiry_reminder_lead;
  CouponLifecycle lifecycle(lifecycle_store, coupon_store, budget_store, clock, lifecycle_settings);
  events::ConsumerOptions coupon_options;
  coupon_options.stream = kOrderEventStream;
  coupon_options.group = kCouponConsumerGroup;
  coupon_options.claim_idle = config.events_claim_idle;
  coupon_options.types = OrderEventHandlerTypes();
  events::StreamConsumer coupon_order_events(*service.db, *service.redis, coupon_options,
                                             MakeOrderEventHandler(lifecycle));
  events::ConsumerOptions winners_options;
  winners_options.stream = kFlashWinnerStream;
  winners_options.group = kFlashWinnerConsumerGroup;
  events::StreamConsumer winners(*service.db, *service.redis, winners_options, MakeFlashWinnerHandler(clock));
  events::ConsumerOptions flash_orders_options;
  flash_orders_options.stream = kOrderEventStream;
  flash_orders_options.group = kFlashOrderConsumerGroup;
  flash_orders_options.types = FlashOrderEventHandlerTypes();
  events::StreamConsumer flash_order_events(*service.db, *service.redis, flash_orders_options,
                                            MakeFlashOrderEventHandler(admission, clock));
  relay.Start();
  user_erasures.Start();
  birthday_coupons.Start();
  coupon_order_events.Start();
  winners.Start();
  flash_order_events.Start();
  server::PeriodicTask expiry_sweep(config.expiry_sweep_interval, [&lifecycle] {
    if (absl::StatusOr<int> reminded = lifecycle.SweepExpiring(); !reminded.ok()) {
      log::Error("coupon expiry sweep failed", {{"error", reminded.status().ToString()}});
    }
  });
  server::PeriodicTask issue_runner(config.coupon_issue_interval, [&issuer] {
    if (absl::StatusOr<int> pages = issuer.RunPending(); !pages.ok()) {
      log::Error("coupon issue paused, it resumes on the next round", {{"error", pages.status().ToString()}});
    }
  });
  // Its own thread: settling waits for the product service.
  server::PeriodicTask flash_sweeper(config.flash_sweep_interval, [&flash_sales] { flash_sales.SweepOnce(); });
  runner.OnShutdown([&] {
    flash_sweeper.Stop();
    issue_runner.Stop();
    expiry_sweep.Stop();
    flash_order_events.Stop();
    winners.Stop();
    coupon_order_events.Stop();
    birthday_coupons.Stop();
    user_erasures.Stop();
    relay.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::marketing

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"marketing", marketing::Migrations()};
  spec.events = true;           // the outbox (coupon events) and the inbox (order events, UserErased)
  spec.redis_connections = 12;  // four consumers' blocking reads, the relay, the rest (admissions have a pipeline)
  return server::RunService<marketing::MarketingConfig>(argc, argv, spec, marketing::LoadConfig, marketing::Compose);
}
