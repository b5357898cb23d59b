// Membership follows the order service's events (stream zt.events.order): a paid order brings growth and points,
// a paid order cancelled or refunded takes them back; each of these three events decides the customer's lifecycle
// stage again (a paid order is their last order). The stream's other types are not read (OrderEventHandlerTypes).
#pragma once

#include <set>
#include <string>

#include "common/clock/clock.h"
#include "common/events/consumer.h"
#include "services/user/domain/lifecycle_rules.h"
#include "services/user/domain/membership.h"

namespace zhongtai::user {

inline constexpr char kOrderEventStream[] = "zt.events.order";
inline constexpr char kMembershipConsumerGroup[] = "user-membership";
// Growth and points count amounts in this currency only.
inline constexpr char kMembershipCurrency[] = "CNY";

// The StreamConsumer handler. Effects are once per order by their own keys (the order's growth row, the points'
// earn reference), so a redelivery, or a retry after a partial failure, changes nothing twice. Unknown types,
// unparsable payloads and events the rules refuse are logged and skipped (acknowledged): retrying cannot fix
// them. Other failures are returned, so the entry is retried. The lifecycle change is written in the inbox's
// transaction; an event for a user the user center does not know changes no lifecycle.
events::Handler MakeOrderEventHandler(Membership& membership, Clock& clock, const LifecycleSettings& lifecycle);
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> OrderEventHandlerTypes();

}  // namespace zhongtai::user
