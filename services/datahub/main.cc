// Composition root of the data hub: store, event consumer, domain, API on the common start (service_start.h).
#include "common/events/consumer.h"
#include "common/server/service_start.h"
#include "migrations.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/registry.h"
#include "services/datahub/api/datahub_api.h"
#include "services/datahub/api/datahub_privacy_api.h"
#include "services/datahub/config.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/ingest/user_erasure.h"
#include "services/datahub/store/pg_order_fact_store.h"

namespace zhongtai::datahub {
namespace {

int Compose(const DatahubConfig& config, server::StartedService& service) {
  server::ServiceRunner& runner = *service.runner;
  PgOrderFactStore facts(*service.db);
  Analytics analytics(facts);
  DatahubApi api(analytics, runner.workers());

  auto& ingested = prometheus::BuildCounter()
                       .Name("zt_events_ingested_total")
                       .Help("Domain events applied by the data hub, by event type.")
                       .Register(runner.registry());
  events::ConsumerOptions consumer_options;
  consumer_options.stream = kOrderEventStream;
  consumer_options.group = kConsumerGroup;
  consumer_options.consumer = config.consumer_name;
  consumer_options.claim_idle = config.claim_idle;
  events::StreamConsumer consumer(*service.db, *service.redis, consumer_options,
                                  MakeOrderEventHandler([&ingested](const std::string& type) {
                                    ingested.Add({{"type", type}}).Increment();
                                  }));
  PgUserDataStore user_data(*service.db);
  DatahubPrivacyApi privacy_api(user_data, runner.workers());
  events::ConsumerOptions erasure_options;
  erasure_options.stream = kUserEventStream;
  erasure_options.group = kUserErasureConsumerGroup;
  erasure_options.consumer = config.consumer_name;
  erasure_options.claim_idle = config.claim_idle;
  events::StreamConsumer user_erasures(*service.db, *service.redis, erasure_options, MakeUserErasureHandler());
  runner.AddService(&api);
  runner.AddService(&privacy_api);

  consumer.Start();
  user_erasures.Start();
  runner.OnShutdown([&] {
    user_erasures.Stop();
    consumer.Stop();
  });
  return runner.Run();
}

}  // namespace
}  // namespace zhongtai::datahub

int main(int argc, char** argv) {
  using namespace zhongtai;
  server::ServiceSpec spec{"datahub", datahub::Migrations()};
  spec.events = true;
  spec.redis_connections = 4;  // reads and acknowledgements of both consumers (order events, user erasures)
  return server::RunService<datahub::DatahubConfig>(argc, argv, spec, datahub::LoadConfig, datahub::Compose);
}
