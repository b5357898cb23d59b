// Erasure of a user's data on the user service's UserErased event (stream zt.events.user): the user's orders stay for
// accounting without the buyer's personal data (AnonymiseBuyer).
#pragma once

#include <set>
#include <string>

#include "common/events/consumer.h"

namespace zhongtai::order {

inline constexpr char kUserEventStream[] = "zt.events.user";
inline constexpr char kUserErasureConsumerGroup[] = "order-user-erasure";

// The StreamConsumer handler: the erasure happens in the consumer's inbox transaction, so once per event whatever the
// redelivery (and it is idempotent besides). Other user events are acknowledged untouched; a payload that does not
// parse is logged and skipped (retrying cannot fix it).
events::Handler MakeUserErasureHandler();
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> UserErasureHandlerTypes();

}  // namespace zhongtai::order
