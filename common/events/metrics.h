// Domain events, operations: the process-wide Prometheus series of the consumers (dead letters, lag) and the relays
// (trimming, replays after Redis lost data). server::StartService exports them once per service with events; in a
// process that never exports them (unit and store tests) the consumers and relays keep only their own counters.
#pragma once

#include <string>

namespace prometheus {
class Counter;
class Gauge;
class Registry;
}  // namespace prometheus

namespace zhongtai::events {

// Registers the families below in `registry` (call once, before consumers and relays are made):
//   zt_events_dead_lettered_total{stream,group}        entries moved to the stream's dead-letter stream
//   zt_events_handler_failures_total{stream,group}     handler or store failures (each retried or dead-lettered)
//   zt_events_dead_letters{stream}                     entries waiting in <stream>.dlq (not replayed)
//   zt_events_group_lag{stream,group}                  entries not yet delivered to the group
//   zt_events_group_pending{stream,group}              entries delivered and not acknowledged
//   zt_events_group_oldest_unacked_seconds{stream,group} age of the oldest entry the group has not acknowledged
//   zt_events_trimmed_total{stream}                    entries the relay trimmed (acknowledged by every group)
//   zt_events_redis_loss_detected_total                times the relay found Redis had lost its data
//   zt_events_replayed_total                           outbox rows queued again for publishing (loss or command)
void ExportMetrics(prometheus::Registry& registry);

// The series of one consumer group; every pointer is null when ExportMetrics was not called.
struct GroupMetrics {
  prometheus::Counter* dead_lettered = nullptr;
  prometheus::Counter* failures = nullptr;
  prometheus::Gauge* dead_letters = nullptr;
  prometheus::Gauge* lag = nullptr;
  prometheus::Gauge* pending = nullptr;
  prometheus::Gauge* oldest_unacked_seconds = nullptr;
};
GroupMetrics MetricsForGroup(const std::string& stream, const std::string& group);

struct RelayMetrics {
  prometheus::Counter* redis_loss_detected = nullptr;
  prometheus::Counter* replayed = nullptr;
};
RelayMetrics MetricsForRelay();
prometheus::Counter* TrimmedCounter(const std::string& stream);  // null when not exported

}  // namespace zhongtai::events
