// Marketing follows the order center's events (stream zt.events.order): a fully refunded order's coupon returns to
// the wallet while valid; a cancelled order releases whatever coupon and budgets it still holds (a safety net behind
// the order saga's own ReleaseCoupon / ReleaseBudgets).
#pragma once

#include <set>
#include <string>

#include "common/events/consumer.h"
#include "services/marketing/domain/coupon_lifecycle.h"
#include "services/marketing/ingest/event_streams.h"

namespace zhongtai::marketing {

inline constexpr char kCouponConsumerGroup[] = "marketing-coupons";

// The StreamConsumer handler. The inbox makes each event's effect run once; the effects are also idempotent by state
// (a coupon returns only while the refunded order still holds it as used), so a retry after a partial failure
// changes nothing twice. Unknown types and unparsable payloads are logged and skipped; other failures are returned,
// so the entry is retried.
events::Handler MakeOrderEventHandler(CouponLifecycle& lifecycle);
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> OrderEventHandlerTypes();

}  // namespace zhongtai::marketing
