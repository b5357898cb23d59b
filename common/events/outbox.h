// Domain events between services, part 1 of 3: the transactional outbox. A service appends an event
// inside its business transaction (AppendToOutbox); common/events/relay.h publishes it to Redis Streams
// and common/events/consumer.h applies it exactly once on the other side, recording its id in an inbox
// table in the handler's transaction. Delivery is at least once; the effect happens once.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/pg/migrate.h"
#include "common/pg/pool.h"

namespace zhongtai::events {

struct Event {
  std::string id;       // unique; the consumers' dedupe key
  std::string type;     // proto full name, e.g. "zhongtai.order.v1.OrderPlaced"
  std::string key;      // aggregate id, e.g. the order id
  std::string payload;  // serialized proto bytes
  absl::Time occurred_at;
};

// The outbox and inbox tables, named "0000_events_..." so they sort before a service's own.
// Pass them to pg::Migrate before the service's migrations.
const std::vector<pg::Migration>& SchemaMigrations();

// Records the event for publishing to `stream` (e.g. "zt.events.order"); call inside
// pg::Pool::Transact so that it is published if and only if the transaction commits.
absl::Status AppendToOutbox(pqxx::work& tx, const std::string& stream, const Event& event);

}  // namespace zhongtai::events
