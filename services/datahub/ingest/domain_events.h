// Ingestion of the other services' domain events (coupons, tiers, points, products, prices, costs and stock) into
// domain_events (and stock levels, costs and points into their own tables), one
// consumer group per stream, each event applied once whatever the redelivery (the inbox of common/events).
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/events/consumer.h"
#include "services/datahub/ingest/order_events.h"
#include "services/datahub/store/pg_domain_event_store.h"

namespace zhongtai::datahub {

inline constexpr char kMarketingEventStream[] = "zt.events.marketing";
inline constexpr char kProductEventStream[] = "zt.events.product";
// zt.events.user is kUserEventStream (user_erasure.h); this group reads every event of it, the erasure group only
// UserErased.
inline constexpr char kDomainEventConsumerGroup[] = "datahub-domain-events";

// The fact of a known event of `stream`; nullopt for a type the data hub does not keep; INVALID_ARGUMENT for a
// payload that does not parse.
absl::StatusOr<std::optional<DomainEventFact>> DecodeDomainEvent(const std::string& stream, const events::Event& event);

// What the hub keeps beyond the event's fact: the stock level and safety stock of a StockChanged or
// SafetyStockChanged, the cost of a SkuCostChanged, the points of a PointsChanged (pg_stock_points_store.h); nothing
// for other types. INVALID_ARGUMENT when the payload does not parse or lacks what it needs (nothing written then).
absl::Status ApplyFollowedState(pqxx::work& tx, const events::Event& event);

// The StreamConsumer handler for `stream`: records the facts of a read's events in the consumer's transaction, in one
// statement; unknown types and unparsable payloads are logged and acknowledged.
events::BatchHandler MakeDomainEventHandler(const std::string& stream, IngestObserver observer = nullptr);

}  // namespace zhongtai::datahub
