#include "services/datahub/store/pg_behaviour_event_store.h"

#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "services/datahub/domain/funnel.h"
#include "services/datahub/store/pg_funnel_store.h"

namespace zhongtai::datahub {
namespace {

// Per connection, emptied at every commit: the batch as the app sent it (already validated by the domain).
constexpr char kCreateStaging[] =
    "CREATE TEMP TABLE IF NOT EXISTS behaviour_incoming ("
    "event_id text, occurred_at timestamptz, received_at timestamptz, event_type smallint, device_id text, "
    "user_id text, session_id text, channel text, product_id text, sku_id text, query text) ON COMMIT DELETE ROWS";

// The staged rows not stored yet go into behaviour_events (a retry's rows conflict and are skipped), and only those
// are added to the hourly rollup: events counted, device ids into the visitors' HyperLogLog. Rollup rows are
// locked in key order so that concurrent batches cannot deadlock. The SKUs' products go into sku_products (migration
// 0006). Returns how many rows were new.
constexpr char kStoreStaged[] =
    "WITH fresh AS ("
    "  INSERT INTO behaviour_events (event_id, occurred_at, received_at, event_type, device_id, user_id, session_id,"
    "    channel, product_id, sku_id, query)"
    "  SELECT event_id, occurred_at, received_at, event_type, device_id, NULLIF(user_id, ''), session_id, channel,"
    "    NULLIF(product_id, ''), NULLIF(sku_id, ''), NULLIF(query, '') FROM behaviour_incoming"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING occurred_at, event_type, device_id, channel),"
    " rolled AS ("
    "  INSERT INTO behaviour_hourly (hour, channel, event_type, events, visitors)"
    "  SELECT date_trunc('hour', occurred_at, 'UTC'), channel, event_type, count(*),"
    "    hll_add_agg(hll_hash_text(device_id)) FROM fresh GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
    "  ON CONFLICT (hour, channel, event_type) DO UPDATE SET events = behaviour_hourly.events + EXCLUDED.events,"
    "    visitors = hll_union(behaviour_hourly.visitors, EXCLUDED.visitors)),"
    // Which product each SKU named belongs to (the order events name SKUs only); the first pair seen stays.
    " mapped AS ("
    "  INSERT INTO sku_products (sku_id, product_id)"
    "  SELECT DISTINCT ON (sku_id) sku_id, product_id FROM behaviour_incoming"
    "  WHERE sku_id <> '' AND product_id <> '' ORDER BY sku_id, product_id"
    "  ON CONFLICT (sku_id) DO NOTHING)"
    " SELECT count(*) FROM fresh";

std::string CopyTime(absl::Time t) { return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone()); }

}  // namespace

absl::StatusOr<int> PgBehaviourEventStore::Insert(const std::vector<BehaviourEvent>& events) {
  std::set<absl::CivilDay> days;
  std::vector<StepEvent> steps;
  for (const BehaviourEvent& event : events) {
    days.insert(absl::ToCivilDay(event.occurred_at, absl::UTCTimeZone()));
    if (std::optional<FunnelStep> step = StepOf(event.type)) {
      steps.push_back({VisitorOf(event.user_id, event.device_id), *step, event.occurred_at, event.channel});
    }
  }
  if (absl::Status status = partitions_.Ensure({days.begin(), days.end()}); !status.ok()) return status;

  int inserted = 0;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    // CREATE ... IF NOT EXISTS notices on every batch but the connection's first: not worth a log line.
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec(kCreateStaging);
    {
      pqxx::stream_to copy(tx, "behaviour_incoming");
      for (const BehaviourEvent& e : events) {
        copy << std::make_tuple(e.event_id, CopyTime(e.occurred_at), CopyTime(e.received_at), static_cast<int>(e.type),
                                e.device_id, e.user_id, e.session_id, e.channel, e.product_id, e.sku_id, e.query);
      }
      copy.complete();
    }
    inserted = tx.exec1(kStoreStaged)[0].as<int>();
    PgFunnelStore::Fold(tx, steps, funnel_window_);
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return inserted;
}

}  // namespace zhongtai::datahub
