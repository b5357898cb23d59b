#include "common/events/outbox.h"

#include "common/pg/prepared.h"
#include "common/status/status.h"

namespace zhongtai::events {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE outbox (
  seq bigint GENERATED ALWAYS AS IDENTITY,
  id text PRIMARY KEY,
  stream text NOT NULL,
  type text NOT NULL,
  key text NOT NULL,
  payload bytea NOT NULL,
  occurred_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (created_at, seq) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

CREATE TABLE inbox (
  consumer_group text NOT NULL,
  event_id text NOT NULL,
  handled_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer_group, event_id)
);
)sql";

std::string ToRfc3339(absl::Time t) { return absl::FormatTime(absl::RFC3339_full, t, absl::UTCTimeZone()); }

}  // namespace

const std::vector<pg::Migration>& SchemaMigrations() {
  static const auto* const migrations = new std::vector<pg::Migration>{
      {"0000_events_0001_outbox_inbox", kSchema},
      {"0000_events_0002_inbox_handled_at", "CREATE INDEX inbox_handled_at ON inbox (consumer_group, handled_at)"},
      // The relay's memory across restarts: 'redis_epoch', the Redis data life it last published into
      // (relay.h, RelayOptions::loss_replay_window).
      {"0000_events_0003_relay_state",
       "CREATE TABLE events_relay_state (name text PRIMARY KEY, value text NOT NULL, "
       "updated_at timestamptz NOT NULL DEFAULT now())"}};
  return *migrations;
}

absl::Status AppendToOutbox(pqxx::work& tx, const std::string& stream, const Event& event) {
  if (stream.empty() || event.id.empty() || event.type.empty()) {
    return Internal("EVENT_INVALID", "an event needs a stream, an id and a type");
  }
  absl::Time occurred = event.occurred_at == absl::Time() ? absl::Now() : event.occurred_at;
  // Prepared (common/pg/prepared.h): every service's business transactions append here.
  static constexpr char kInsert[] =
      "INSERT INTO outbox (id, stream, type, key, payload, occurred_at) VALUES ($1, $2, $3, $4, $5, $6::timestamptz)";
  pg::Exec(tx, kInsert, event.id, stream, event.type, event.key, pqxx::binarystring(event.payload),
           ToRfc3339(occurred));
  return absl::OkStatus();
}

}  // namespace zhongtai::events
