// Ingestion of the order service's events (stream zt.events.order) into order facts.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/events/consumer.h"
#include "services/datahub/domain/dashboard.h"
#include "services/datahub/domain/funnel.h"

namespace zhongtai::datahub {

inline constexpr char kOrderEventStream[] = "zt.events.order";
inline constexpr char kConsumerGroup[] = "datahub";

// The event as an OrderEvent; nullopt for types the data hub does not use; INVALID_ARGUMENT for a
// payload that does not parse. The event's own time (occur_time) wins over the envelope's.
absl::StatusOr<std::optional<OrderEvent>> DecodeOrderEvent(const events::Event& event);

// Called once per event type newly ingested (not for duplicates), for zt_events_ingested_total.
using IngestObserver = std::function<void(const std::string& type)>;

// The StreamConsumer handler: records the fact in the consumer's transaction, and for a placed or paid order the
// funnel step in the buyer's journey (journeys of `funnel_window`). Unknown types and unparsable payloads are logged
// and skipped (acknowledged): retrying cannot fix them.
events::Handler MakeOrderEventHandler(IngestObserver observer = nullptr,
                                      absl::Duration funnel_window = absl::Hours(24));

}  // namespace zhongtai::datahub
