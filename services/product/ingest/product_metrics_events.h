// The product center follows the data hub's product metrics (stream zt.events.datahub, event
// zhongtai.datahub.v1.ProductMetricsComputed): each day's figures are stored for the product matrix and for the
// average daily sales of SKUs (safety stock, days of cover).
#pragma once

#include <set>
#include <string>

#include "common/events/consumer.h"

namespace zhongtai::product {

inline constexpr char kDatahubEventStream[] = "zt.events.datahub";
inline constexpr char kProductMetricsConsumerGroup[] = "product-metrics";

// The StreamConsumer handler. It stores the day in the inbox's transaction, so a redelivered event (same id) changes
// nothing, and a recomputation of a day replaces the day's figures rather than adding to them (an older computation
// arriving late is ignored). Other event types are acknowledged and ignored; payloads that do not parse and figures
// that cannot be stored (not one UTC day, negative counts) are logged and skipped: retrying cannot fix them.
events::Handler MakeProductMetricsHandler();
// The event types that handler acts on (ConsumerOptions::types): the others are acknowledged unhandled.
std::set<std::string> ProductMetricsHandlerTypes();

}  // namespace zhongtai::product
