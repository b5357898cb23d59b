// Birthday coupons on the user service's BirthdayCouponDue event (stream zt.events.user): the customer's tier's
// birthday coupon template goes to their wallet, once per customer, template and year whatever the redelivery.
#pragma once

#include <set>
#include <string>

#include "common/clock/clock.h"
#include "common/events/consumer.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

inline constexpr char kBirthdayCouponConsumerGroup[] = "marketing-birthday-coupons";

// The coupon's idempotency key in the customer's wallet (coupons.claim_request_id): one per template and year.
std::string BirthdayClaimKey(const std::string& template_id, int year);

// The StreamConsumer handler: the coupon is issued in the consumer's inbox transaction (once per event), and keyed by
// BirthdayClaimKey besides, so a second event for the same birthday gives nothing more. The template's per-user limit
// counts per birthday year (the coupons under that year's key), so a limit of 1 gives one coupon each year, never two
// in one. A template that is unknown, sold out or expired is logged and skipped (a retry cannot change that). Other
// user events are acknowledged untouched; a payload that does not parse is logged and skipped.
events::Handler MakeBirthdayCouponHandler(Clock& clock, IdGenerator& ids);
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> BirthdayCouponHandlerTypes();

}  // namespace zhongtai::marketing
