// Integrations out: the domain events webhook subscribers may take (orders, stock, member tiers, the daily report),
// one consumer group per stream ("datahub-webhooks"). Each event, once whatever the redelivery (the inbox of
// common/events), becomes one pending delivery per subscription whose event types match it
// (PgWebhookStore::QueueEvent), in the inbox's transaction; the dispatcher sends them.
#pragma once

#include <functional>
#include <string>

#include "common/events/consumer.h"

namespace zhongtai::datahub {

inline constexpr char kWebhookConsumerGroup[] = "datahub-webhooks";
// The streams read for webhooks: orders, products and stock, users and tiers, the data hub's own (daily report).
inline constexpr const char* kWebhookStreams[] = {"zt.events.order", "zt.events.product", "zt.events.user",
                                                  "zt.events.datahub"};

// The JSON body a subscriber receives: {"id", "type", "occurredAt", "payload"}; the payload is the event's message in
// the proto3 JSON mapping (lowerCamelCase) when this build knows its type, else {"base64": "..."}.
std::string WebhookEventBody(const events::Event& event);

// Called with the number of deliveries queued for a new event (0: no subscription wanted it).
using WebhookQueueObserver = std::function<void(const std::string& type, int64_t queued)>;

// The StreamConsumer handler: one statement finds which of a read's event types anybody subscribed to; only those
// events are queued.
events::BatchHandler MakeWebhookEventHandler(WebhookQueueObserver observer = nullptr);

}  // namespace zhongtai::datahub
