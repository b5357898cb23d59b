// The user center follows the data hub's computed segments (stream zt.events.datahub, UserSegmentsComputed): each
// event's tags replace the member's computed tags of the same kinds (tags.h), in the inbox's transaction, so an
// event takes effect once whatever the redelivery.
#pragma once

#include <set>
#include <string>

#include "common/clock/clock.h"
#include "common/events/consumer.h"

namespace zhongtai::user {

inline constexpr char kDatahubEventStream[] = "zt.events.datahub";
inline constexpr char kSegmentsConsumerGroup[] = "user-segments";

// Unknown types, unparsable payloads, unknown users and values the rules refuse are logged and skipped
// (acknowledged): retrying cannot fix them. Other failures are returned, so the entry is retried.
events::Handler MakeSegmentEventHandler(Clock& clock);
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> SegmentEventHandlerTypes();

}  // namespace zhongtai::user
