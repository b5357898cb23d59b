// Ingestion of marketing's experiment exposures (stream zt.events.marketing, ExperimentExposure) for the
// experiment results; other marketing events are acknowledged and ignored.
#pragma once

#include <set>
#include <string>

#include "common/events/consumer.h"
#include "services/datahub/ingest/domain_events.h"  // kMarketingEventStream

namespace zhongtai::datahub {

inline constexpr char kExperimentConsumerGroup[] = "datahub-experiments";

// The StreamConsumer handler: records the exposure in the consumer's transaction (the first per user and
// experiment wins). A payload that does not parse, or without experiment, arm or user, is logged and skipped.
events::Handler MakeExperimentExposureHandler();
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> ExperimentExposureHandlerTypes();

}  // namespace zhongtai::datahub
