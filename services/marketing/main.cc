// Composition root of the marketing service: store, domain, API on the common start (service_start.h).
#include "common/events/consumer.h"
#include "common/events/relay.h"
#include "common/ids/ids.h"
#include "common/metrics/collectors.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "services/marketing/api/marketing_api.h"
#include "services/marketing/api/marketing_privacy_api.h"
#include "services/marketing/config.h"
#include "services/marketing/ingest/user_erasure.h"
#include "services/marketing/store/pg_coupon_store.h"
#include "services/marketing/store/pg_promotion_store.h"

namespace zhongtai::marketing {
namespace {

class TimeOrderedIds : public IdGenerator {
 public:
  std::string NewPromotionId() override { return ids::NewId("pr_"); }
  std::string NewCouponTemplateId() override { return ids::NewId("ct_"); }
  std::string NewCouponId() override { return ids::NewId("cp_"); }
};

int Compose(const MarketingConfig&, server::StartedService& service) {
  PgPromotionStore store(*service.db);
  SystemClock clock;
  TimeOrderedIds ids;
  Promotions promotions(store, clock, ids);
  PgCouponStore coupon_store(*service.db);
  Coupons coupons(coupon_store, clock, ids);
  MarketingApi api(promotions, coupons, service.runner->workers());
  events::OutboxRelay relay(*service.db, *service.redis);
  service.runner->gauges().Add("zt_outbox_lag_seconds", "Age of the oldest coupon event not yet published.", {},
                               [&relay] { return relay.lag_seconds(); });
  MarketingPrivacyApi privacy_api(coupons, service.runner->workers());
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  service.runner->AddService(&api);
  service.runner->AddService(&privacy_api);
  relay.Start();
  user_erasures.Start();
  service.runner->OnShutdown([&] {
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
  spec.events = true;  // the outbox (coupon events) and the inbox (UserErased)
  return server::RunService<marketing::MarketingConfig>(argc, argv, spec, marketing::LoadConfig, marketing::Compose);
}
