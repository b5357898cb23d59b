#include "common/events/metrics.h"

#include <atomic>
#include <map>

#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace zhongtai::events {
namespace {

struct Families {
  prometheus::Family<prometheus::Counter>* dead_lettered;
  prometheus::Family<prometheus::Counter>* failures;
  prometheus::Family<prometheus::Gauge>* dead_letters;
  prometheus::Family<prometheus::Gauge>* lag;
  prometheus::Family<prometheus::Gauge>* pending;
  prometheus::Family<prometheus::Gauge>* oldest;
  prometheus::Family<prometheus::Counter>* trimmed;
  prometheus::Counter* loss;
  prometheus::Counter* replayed;
};

std::atomic<Families*> g_families{nullptr};

}  // namespace

void ExportMetrics(prometheus::Registry& registry) {
  auto* f = new Families;  // lives as long as the process, like the registry's families
  f->dead_lettered = &prometheus::BuildCounter()
                          .Name("zt_events_dead_lettered_total")
                          .Help(
                              "Stream entries moved to the stream's dead-letter stream (<stream>.dlq) after failing "
                              "their deliveries, by stream and consumer group.")
                          .Register(registry);
  f->failures = &prometheus::BuildCounter()
                     .Name("zt_events_handler_failures_total")
                     .Help("Event handler or store failures of a consumer group (each retried or dead-lettered).")
                     .Register(registry);
  f->dead_letters = &prometheus::BuildGauge()
                         .Name("zt_events_dead_letters")
                         .Help("Entries waiting in the stream's dead-letter stream (<stream>.dlq), not replayed.")
                         .Register(registry);
  f->lag = &prometheus::BuildGauge()
                .Name("zt_events_group_lag")
                .Help("Stream entries not yet delivered to the consumer group.")
                .Register(registry);
  f->pending = &prometheus::BuildGauge()
                    .Name("zt_events_group_pending")
                    .Help("Stream entries delivered to the consumer group and not yet acknowledged.")
                    .Register(registry);
  f->oldest = &prometheus::BuildGauge()
                   .Name("zt_events_group_oldest_unacked_seconds")
                   .Help(
                       "Age of the oldest stream entry the consumer group has not acknowledged (pending or not "
                       "yet delivered); 0 when it is caught up.")
                   .Register(registry);
  f->trimmed = &prometheus::BuildCounter()
                    .Name("zt_events_trimmed_total")
                    .Help("Stream entries trimmed by the outbox relay: only entries every consumer group acknowledged.")
                    .Register(registry);
  f->loss = &prometheus::BuildCounter()
                 .Name("zt_events_redis_loss_detected_total")
                 .Help(
                     "Times the outbox relay found that Redis had lost its data (its epoch key changed) and queued "
                     "the outbox's recent events for publishing again.")
                 .Register(registry)
                 .Add({});
  f->replayed = &prometheus::BuildCounter()
                     .Name("zt_events_replayed_total")
                     .Help("Outbox rows queued for publishing again, after a Redis data loss or by zt-events.")
                     .Register(registry)
                     .Add({});
  g_families.store(f);
}

GroupMetrics MetricsForGroup(const std::string& stream, const std::string& group) {
  GroupMetrics m;
  Families* f = g_families.load();
  if (f == nullptr) return m;
  std::map<std::string, std::string> labels = {{"stream", stream}, {"group", group}};
  m.dead_lettered = &f->dead_lettered->Add(labels);
  m.failures = &f->failures->Add(labels);
  m.dead_letters = &f->dead_letters->Add({{"stream", stream}});
  m.lag = &f->lag->Add(labels);
  m.pending = &f->pending->Add(labels);
  m.oldest_unacked_seconds = &f->oldest->Add(labels);
  return m;
}

RelayMetrics MetricsForRelay() {
  Families* f = g_families.load();
  if (f == nullptr) return {};
  return {f->loss, f->replayed};
}

prometheus::Counter* TrimmedCounter(const std::string& stream) {
  Families* f = g_families.load();
  return f == nullptr ? nullptr : &f->trimmed->Add({{"stream", stream}});
}

}  // namespace zhongtai::events
