// Composition root of the marketing service: store, domain, API on the common start (service_start.h).
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/metrics/collectors.h"
#include "common/server/client.h"
#include "common/server/periodic_task.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/marketing/api/campaign_api.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/api/marketing_privacy_api.h"
#include "services/marketing/clients/grpc_segment_directory.h"
#include "services/marketing/config.h"
#include "services/marketing/ingest/order_events.h"
#include "services/marketing/ingest/user_erasure.h"
#include "services/marketing/store/pg_budget_store.h"
#include "services/marketing/store/pg_calendar_sources.h"
#include "services/marketing/store/pg_campaign_change_lock.h"
#include "services/marketing/store/pg_coupon_issue_store.h"
#include "services/marketing/store/pg_coupon_lifecycle_store.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/store/pg_experiment_store.h"
#include "services/marketing/store/pg_promotion_store.h"

namespace zhongtai::marketing {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewPromotionId() override { return ids::NewId("pr_"); }
  std::string NewCouponTemplateId() override { return ids::NewId("ct_"); }
  std::string NewCouponId() override { return ids::NewId("cp_"); }
  std::string NewCouponIssueId() override { return ids::NewId("ci_"); }
  std::string NewExperimentId() override { return ids::NewId("ex_"); }
};

int Compose(const MarketingConfig& config, server::StartedService& service) {
  PgPromotionStore store(*service.db);
  SystemClock clock;
  TimeOrderedIds ids;
  // The calendar's sources, one per kind of campaign.
  PgPromotionCalendar promotion_calendar(*service.db);
  PgCouponTemplateCalendar coupon_template_calendar(*service.db);
  PgCampaignChangeLock campaign_lock(*service.db);
  CampaignCalendar calendar({&promotion_calendar, &coupon_template_calendar}, &campaign_lock);
  PgExperimentStore experiment_store(*service.db);
  Experiments experiments(experiment_store, clock, ids);
  Promotions promotions(store, clock, ids, &calendar, &experiments);
  PgCouponStore coupon_store(*service.db);
  Coupons coupons(coupon_store, clock, ids);
  MarketingApi api(promotions, coupons, service.runner->workers());
  PgBudgetStore budget_store(*service.db);
  Budgets budgets(budget_store, clock);
  PgCouponIssueStore issue_store(*service.db);
  GrpcSegmentDirectory directory(server::MakeChannel(config.user_address, user::v1::UserSegments::service_full_name()));
  CouponIssueSettings issue_settings;
  issue_settings.page_size = config.coupon_issue_page_size;
  CouponIssuer issuer(issue_store, directory, clock, ids, issue_settings);
  CampaignApi campaign_api(budgets, calendar, issuer, experiments, service.runner->workers());
  events::OutboxRelay relay(*service.db, *service.redis);
  service.runner->gauges().Add("zt_outbox_lag_seconds", "Age of the oldest coupon event not yet published.", {},
                               [&relay] { return relay.lag_seconds(); });
  MarketingPrivacyApi privacy_api(coupons, service.runner->workers());
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  service.runner->AddService(&api);
  service.runner->AddService(&campaign_api);
  service.runner->AddService(&privacy_api);
  relay.Start();
  user_erasures.Start();
  PgCouponLifecycleStore lifecycle_store(*service.db);
  CouponLifecycleSettings lifecycle_settings;
  lifecycle_settings.expiry_reminder_lead = config.expiry_reminder_lead;
  CouponLifecycle lifecycle(lifecycle_store, coupon_store, budget_store, clock, lifecycle_settings);
  events::ConsumerOptions consumer_options;
  consumer_options.stream = kOrderEventStream;
  consumer_options.group = kCouponConsumerGroup;
  consumer_options.claim_idle = config.events_claim_idle;
  events::StreamConsumer order_events(*service.db, *service.redis, consumer_options, MakeOrderEventHandler(lifecycle));
  order_events.Start();
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
  service.runner->OnShutdown([&] {
    issue_runner.Stop();
    expiry_sweep.Stop();
    order_events.Stop();
    user_erasures.Stop();
    relay.Stop();
  });
  return service.runner->Run();
}

}  // namespace
}  // namespace zhongtai::marketing

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"marketing", marketing::Migrations()};
  spec.events = true;          // the outbox (coupon events) and the inbox (order events, UserErased)
  spec.redis_connections = 5;  // each consumer's reads and acknowledgements, the relay's publishing
  return server::RunService<marketing::MarketingConfig>(argc, argv, spec, marketing::LoadConfig, marketing::Compose);
}
