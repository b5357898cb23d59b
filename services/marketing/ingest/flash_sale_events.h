// Marketing follows its flash sales' purchases from two streams, in consumer transactions (common/events):
// - zt.flash.winners (group "marketing"): each admitted winner is recorded in PostgreSQL (PENDING), the record a
//   Redis loss is rebuilt from;
// - zt.events.order (group "marketing-flash"): the winner's order placed (ORDERED), paid (PAID), or cancelled or timed
//   out (RELEASED: the unit goes back to the sale in Redis and to the buyer's limit, once per purchase).
#pragma once

#include <set>
#include <string>

#include "common/clock/clock.h"
#include "common/events/consumer.h"
#include "services/marketing/domain/flash_sale_ports.h"
#include "services/marketing/ingest/event_streams.h"

namespace zhongtai::marketing {

inline constexpr char kFlashWinnerConsumerGroup[] = "marketing";
inline constexpr char kFlashOrderConsumerGroup[] = "marketing-flash";

events::Handler MakeFlashWinnerHandler(Clock& clock);
// Events of orders that are not flash orders are acknowledged untouched. An event of a flash order whose purchase
// is not recorded yet fails (UNAVAILABLE), so it is retried after the winner is.
events::Handler MakeFlashOrderEventHandler(FlashAdmission& admission, Clock& clock);
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> FlashOrderEventHandlerTypes();

}  // namespace zhongtai::marketing
