// The order center's consumer of flash-sale winners (stream zt.flash.winners, group "order"): each winner becomes
// its unpaid order (domain/flash_order.h) once, whatever the redelivery: the inbox of common/events and the order id
// fixed per winner both guard it.
#pragma once

#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "common/events/consumer.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

inline constexpr char kFlashWinnerStream[] = "zt.flash.winners";
inline constexpr char kFlashWinnerConsumerGroup[] = "order";

// Entries that are not winners, or that no order can be made of, are logged and acknowledged.
events::Handler MakeFlashWinnerHandler(Clock& clock, absl::Duration payment_timeout, OrderObserver& observer);

}  // namespace zhongtai::order
