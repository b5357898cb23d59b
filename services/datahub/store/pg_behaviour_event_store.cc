#include "services/datahub/store/pg_behaviour_event_store.h"

#include <pqxx/tablewriter>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "services/datahub/domain/funnel.h"
#include "services/datahub/store/pg_funnel_store.h"

namespace zhongtai::datahub {
namespace {

// The columns of a COPY row, in BehaviourCopyRows' order.
const std::vector<std::string> kEventColumns = {"event_id",   "occurred_at", "received_at", "event_type",
                                                "device_id",  "user_id",     "session_id",  "channel",
                                                "product_id", "sku_id",      "query"};

// The new rows' hourly rollup (one array element per distinct hour in UTC microseconds, channel, type and device,
// with its number of events), appended to behaviour_hourly_pending (migration 0009: no conflict, no lock shared
// with another batch; the fold merges it) with the hll hashes of the key's devices (migration 0010: the fold builds
// the sketch, once per key for all the batches it merges), and the batch's (SKU, product) pairs, in one statement.
// The same SKU rule as kStoreStaged's.
constexpr char kRollUp[] =
    "WITH rolled AS ("
    "  INSERT INTO behaviour_hourly_pending (hour, channel, event_type, events, devices)"
    "  SELECT 'epoch'::timestamptz + h * interval '1 microsecond', c, t, sum(n)::bigint,"
    "    array_agg(hll_hash_text(d))"
    "  FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[], $5::bigint[]) AS r(h, c, t, d, n)"
    "  GROUP BY h, c, t),"
    " mapped AS ("
    "  INSERT INTO sku_products (sku_id, product_id)"
    "  SELECT DISTINCT ON (s) s, p FROM unnest($6::text[], $7::text[]) AS m(s, p) ORDER BY s, p"
    "  ON CONFLICT (sku_id) DO NOTHING)"
    " SELECT 1";

// Moves pending rollup rows into behaviour_hourly_folded (migrations 0009 and 0010); returns how many.
constexpr char kFold[] = "SELECT behaviour_hourly_fold($1)";

// The deduplicating way. Per connection, emptied at every commit: the batch as the app sent it (already validated by
// the domain).
constexpr char kCreateStaging[] =
    "CREATE TEMP TABLE IF NOT EXISTS behaviour_incoming ("
    "event_id text, occurred_at timestamptz, received_at timestamptz, event_type smallint, device_id text, "
    "user_id text, session_id text, channel text, product_id text, sku_id text, query text) ON COMMIT DELETE ROWS";

// The staged rows not stored yet go into behaviour_events (a retry's rows conflict and are skipped), and only those
// are added to the hourly rollup (pending, as in kRollUp): events counted, the device ids' hll hashes (one per
// event: the sketch is the same with repeats). The SKUs' products go into sku_products (migration 0006). Returns how
// many rows were new.
constexpr char kStoreStaged[] =
    "WITH fresh AS ("
    "  INSERT INTO behaviour_events (event_id, occurred_at, received_at, event_type, device_id, user_id, session_id,"
    "    channel, product_id, sku_id, query)"
    "  SELECT event_id, occurred_at, received_at, event_type, device_id, user_id, session_id, channel,"
    "    product_id, sku_id, query FROM behaviour_incoming"
    "  ON CONFLICT DO NOTHING"
    "  RETURNING occurred_at, event_type, device_id, channel),"
    " rolled AS ("
    "  INSERT INTO behaviour_hourly_pending (hour, channel, event_type, events, devices)"
    "  SELECT date_trunc('hour', occurred_at, 'UTC'), channel, event_type, count(*),"
    "    array_agg(hll_hash_text(device_id)) FROM fresh GROUP BY 1, 2, 3),"
    // Which product each SKU named belongs to (the order events name SKUs only); the first pair seen stays.
    " mapped AS ("
    "  INSERT INTO sku_products (sku_id, product_id)"
    "  SELECT DISTINCT ON (sku_id) sku_id, product_id FROM behaviour_incoming"
    "  WHERE sku_id IS NOT NULL AND product_id IS NOT NULL ORDER BY sku_id, product_id"
    "  ON CONFLICT (sku_id) DO NOTHING)"
    " SELECT count(*) FROM fresh";

constexpr int64_t kMicrosPerHour = int64_t{3600} * 1000000;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0); }

void AppendDigits(int64_t value, int width, std::string* out) {
  char buffer[20];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buffer, width);
}

// "YYYY-MM-DD hh:mm:ss.ffffff+00" (UTC, microseconds), as timestamptz input reads it.
void AppendCopyTime(absl::Time t, std::string* out) {
  const int64_t micros = absl::ToUnixMicros(t);
  const int64_t days = FloorDiv(micros, int64_t{86400} * 1000000);
  const int64_t of_day = micros - days * 86400 * 1000000;
  // Days to the civil date (H. Hinnant's civil_from_days).
  const int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  if (year < 1 || year > 9999) {  // never for a validated event; exact anyway
    out->append(absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone()));
    return;
  }
  AppendDigits(year, 4, out);
  out->push_back('-');
  AppendDigits(month, 2, out);
  out->push_back('-');
  AppendDigits(day, 2, out);
  out->push_back(' ');
  const int64_t seconds = of_day / 1000000;
  AppendDigits(seconds / 3600, 2, out);
  out->push_back(':');
  AppendDigits(seconds / 60 % 60, 2, out);
  out->push_back(':');
  AppendDigits(seconds % 60, 2, out);
  out->push_back('.');
  AppendDigits(of_day % 1000000, 6, out);
  out->append("+00");
}

// One text column of COPY's text format.
void AppendCopyText(const std::string& value, std::string* out) {
  for (char c : value) {
    switch (c) {
      case '\\': out->append("\\\\"); break;
      case '\t': out->append("\\t"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      default: out->push_back(c);
    }
  }
}

void AppendNullable(const std::string& value, std::string* out) {
  if (value.empty()) {
    out->append("\\N");
  } else {
    AppendCopyText(value, out);
  }
}

// What the direct way adds to the rollup and sku_products for a batch of new events, as statement parameters.
struct RollUpParams {
  std::vector<int64_t> hours, types, counts;
  std::vector<std::string> channels, devices, skus, products;
};

RollUpParams RollUpOf(const std::vector<BehaviourEvent>& events) {
  using Key = std::tuple<int64_t, absl::string_view, int, absl::string_view>;
  absl::flat_hash_map<Key, int64_t> rows;
  absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> pairs;
  for (const BehaviourEvent& e : events) {
    const int64_t hour = FloorDiv(absl::ToUnixMicros(e.occurred_at), kMicrosPerHour) * kMicrosPerHour;
    ++rows[Key(hour, e.channel, static_cast<int>(e.type), e.device_id)];
    if (!e.sku_id.empty() && !e.product_id.empty()) pairs.emplace(e.sku_id, e.product_id);
  }
  RollUpParams params;
  for (const auto& [key, n] : rows) {
    params.hours.push_back(std::get<0>(key));
    params.channels.emplace_back(std::get<1>(key));
    params.types.push_back(std::get<2>(key));
    params.devices.emplace_back(std::get<3>(key));
    params.counts.push_back(n);
  }
  for (const auto& [sku, product] : pairs) {
    params.skus.emplace_back(sku);
    params.products.emplace_back(product);
  }
  return params;
}

// Sends `rows` (COPY text rows, the last without its '\n') as one COPY into `table`. pqxx::stream_to (6.4) escapes
// row by row from tuples and keeps its raw line writer private; tablewriter's is public but deprecated (for its
// escaper, which this does not use).
void CopyRows(pqxx::work& tx, const std::string& table, const std::string& rows) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  pqxx::tablewriter copy(tx, table, kEventColumns.begin(), kEventColumns.end());
#pragma GCC diagnostic pop
  copy.write_raw_line(rows);
  copy.complete();
}

// Set by the direct way's transaction when its COPY met an event already stored.
constexpr char kAlreadyStored[] = "BEHAVIOUR_EVENT_ALREADY_STORED";

}  // namespace

std::string BehaviourCopyRows(const std::vector<BehaviourEvent>& events) {
  std::string out;
  out.reserve(events.size() * 200);
  for (const BehaviourEvent& e : events) {
    AppendCopyText(e.event_id, &out);
    out.push_back('\t');
    AppendCopyTime(e.occurred_at, &out);
    out.push_back('\t');
    AppendCopyTime(e.received_at, &out);
    out.push_back('\t');
    absl::StrAppend(&out, static_cast<int>(e.type));
    out.push_back('\t');
    AppendCopyText(e.device_id, &out);
    out.push_back('\t');
    AppendNullable(e.user_id, &out);
    out.push_back('\t');
    AppendCopyText(e.session_id, &out);
    out.push_back('\t');
    AppendCopyText(e.channel, &out);
    out.push_back('\t');
    AppendNullable(e.product_id, &out);
    out.push_back('\t');
    AppendNullable(e.sku_id, &out);
    out.push_back('\t');
    AppendNullable(e.query, &out);
    out.push_back('\n');
  }
  return out;
}

absl::StatusOr<int> PgBehaviourEventStore::Insert(const std::vector<BehaviourEvent>& events) {
  if (events.empty()) return 0;
  std::set<absl::CivilDay> days;
  std::vector<StepEvent> steps;
  for (const BehaviourEvent& event : events) {
    days.insert(absl::ToCivilDay(event.occurred_at, absl::UTCTimeZone()));
    if (std::optional<FunnelStep> step = StepOf(event.type)) {
      steps.push_back({VisitorOf(event.user_id, event.device_id), *step, event.occurred_at, event.channel});
    }
  }
  if (absl::Status status = partitions_.Ensure({days.begin(), days.end()}); !status.ok()) return status;
  std::string rows = BehaviourCopyRows(events);
  rows.pop_back();  // the COPY ends the last row

  // The direct way: every event is new (a retry is the exception).
  {
    const RollUpParams r = RollUpOf(events);
    const std::string hours = pg::BigintArrayLiteral(r.hours), channels = pg::TextArrayLiteral(r.channels),
                      types = pg::BigintArrayLiteral(r.types), devices = pg::TextArrayLiteral(r.devices),
                      counts = pg::BigintArrayLiteral(r.counts), skus = pg::TextArrayLiteral(r.skus),
                      products = pg::TextArrayLiteral(r.products);
    absl::Status status = pool_.Transact([&](pqxx::work& tx) {
      PgFunnelStore::Fold(tx, steps, funnel_window_);
      try {
        CopyRows(tx, "behaviour_events", rows);
      } catch (const pqxx::unique_violation&) {
        return absl::AlreadyExistsError(kAlreadyStored);  // rolled back; written the deduplicating way below
      }
      pg::Exec(tx, kRollUp, hours, channels, types, devices, counts, skus, products);
      return absl::OkStatus();
    });
    if (status.ok()) {
      ++direct_batches_;
      return static_cast<int>(events.size());
    }
    if (!(absl::IsAlreadyExists(status) && status.message() == kAlreadyStored)) return status;
  }

  // The deduplicating way: stage, keep the new rows, roll up those.
  ++deduplicated_batches_;
  int inserted = 0;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    // CREATE ... IF NOT EXISTS notices on every batch but the connection's first: not worth a log line.
    tx.exec("SET LOCAL client_min_messages = warning");
    tx.exec(kCreateStaging);
    PgFunnelStore::Fold(tx, steps, funnel_window_);  // first, as in the direct way
    CopyRows(tx, "behaviour_incoming", rows);
    inserted = tx.exec1(kStoreStaged)[0].as<int>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return inserted;
}

absl::StatusOr<int64_t> PgBehaviourEventStore::FoldRollup(int max_rows) {
  int64_t moved = 0;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    moved = pg::Exec(tx, kFold, max_rows)[0][0].as<int64_t>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return moved;
}

}  // namespace zhongtai::datahub
