#include "services/datahub/store/pg_behaviour_event_store.h"

#include <libpq-fe.h>

#include <limits>
#include <pqxx/pqxx>
#include <set>
#include <tuple>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/status/status.h"
#include "services/datahub/domain/funnel.h"
#include "services/datahub/store/pg_funnel_store.h"

namespace zhongtai::datahub {
namespace {

// The columns of a COPY row, in BehaviourCopyData's order.
const std::vector<std::string> kEventColumns = {"event_id",   "occurred_at", "received_at", "event_type",
                                                "device_id",  "user_id",     "session_id",  "channel",
                                                "product_id", "sku_id",      "query"};

// The new rows' hourly rollup (one array element per distinct hour in UTC microseconds, channel, type and device,
// with its number of events), appended to behaviour_hourly_pending (migration 0009: no conflict, no lock shared
// with another batch; the fold merges it) with the hll hashes of the key's devices (migration 0010: the fold builds
// the sketch, once per key for all the batches it merges), the batch's (SKU, product) pairs, and the funnel journeys
// the batch changed ($8 to $14: PgFunnelStore::FoldToWrite's arrays, folded under its locks earlier in the
// transaction), in one statement. The same SKU rule as kStoreStaged's.
const std::string kRollUp = absl::StrCat(
    "WITH rolled AS ("
    "  INSERT INTO behaviour_hourly_pending (hour, channel, event_type, events, devices)"
    "  SELECT 'epoch'::timestamptz + h * interval '1 microsecond', c, t, sum(n)::bigint,"
    "    array_agg(hll_hash_text(d))"
    "  FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[], $5::bigint[]) AS r(h, c, t, d, n)"
    "  GROUP BY h, c, t),"
    " mapped AS ("
    "  INSERT INTO sku_products (sku_id, product_id)"
    "  SELECT DISTINCT ON (s) s, p FROM unnest($6::text[], $7::text[]) AS m(s, p) ORDER BY s, p"
    "  ON CONFLICT (sku_id) DO NOTHING),"
    " journeys AS (",
    PgFunnelStore::UpsertSql(8),
    ")"
    " SELECT 1");

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
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0) ? 1 : 0); }

// COPY's binary format (PostgreSQL's "Binary Format" of COPY): a header, per row the field count and per field its
// length (-1: NULL) and the type's binary form, then a trailer. Big-endian integers; timestamptz is int64
// microseconds since 2000-01-01 00:00 UTC; text is its bytes (the server checks they are UTF-8, as for text COPY).
constexpr char kCopyBinaryHeader[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";  // signature, flags 0, no extension
constexpr size_t kCopyBinaryHeaderSize = 19;
constexpr int64_t kPostgresEpochUnixMicros = int64_t{946684800} * 1000000;  // 2000-01-01 00:00 UTC

void AppendBigEndian(uint64_t value, int bytes, std::string* out) {
  char buffer[8];
  for (int i = bytes - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out->append(buffer, bytes);
}

void AppendField(const std::string& value, std::string* out) {
  AppendBigEndian(static_cast<uint32_t>(value.size()), 4, out);
  out->append(value);
}

// An empty user, product, SKU or query is stored as NULL.
void AppendNullable(const std::string& value, std::string* out) {
  if (value.empty()) {
    AppendBigEndian(static_cast<uint32_t>(-1), 4, out);
  } else {
    AppendField(value, out);
  }
}

void AppendTime(absl::Time t, std::string* out) {
  AppendBigEndian(8, 4, out);
  AppendBigEndian(static_cast<uint64_t>(absl::ToUnixMicros(t) - kPostgresEpochUnixMicros), 8, out);
}

// What the direct way adds to the rollup and sku_products for a batch of new events, as statement parameters.
struct RollUpParams {
  std::vector<int64_t> hours, types, counts;
  std::vector<std::string> channels, devices, skus, products;
};

RollUpParams RollUpOf(const std::vector<BehaviourEvent>& events) {
  using Key = std::tuple<int64_t, absl::string_view, int, absl::string_view>;
  absl::flat_hash_map<Key, int64_t> rows;
  rows.reserve(events.size());
  absl::flat_hash_set<std::pair<absl::string_view, absl::string_view>> pairs;
  for (const BehaviourEvent& e : events) {
    const int64_t hour = FloorDiv(absl::ToUnixMicros(e.occurred_at), kMicrosPerHour) * kMicrosPerHour;
    ++rows[Key(hour, e.channel, static_cast<int>(e.type), e.device_id)];
    if (!e.sku_id.empty() && !e.product_id.empty()) pairs.emplace(e.sku_id, e.product_id);
  }
  RollUpParams params;
  params.hours.reserve(rows.size());
  params.channels.reserve(rows.size());
  params.types.reserve(rows.size());
  params.devices.reserve(rows.size());
  params.counts.reserve(rows.size());
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

// libpqxx 6.4 sends COPY data only through write_copy_line, which appends '\n' to each piece (text COPY's row end):
// binary data needs libpq's PQputCopyData, on the transaction's own connection, whose PGconn libpqxx keeps private
// (connection_base::raw_connection, for its large objects). An explicit instantiation may name a private member
// ([temp.spec]/6 of C++17), which RawConnection uses to reach it.
using RawConnectionFn = pqxx::internal::pq::PGconn* (pqxx::connection_base::*)() const;
RawConnectionFn RawConnectionMember();
template <RawConnectionFn F>
struct RawConnectionAccess {
  friend RawConnectionFn RawConnectionMember() { return F; }
};
template struct RawConnectionAccess<&pqxx::connection_base::raw_connection>;

PGconn* RawConnection(pqxx::work& tx) {
  pqxx::connection_base& conn = tx.conn();
  return (conn.*RawConnectionMember())();  // libpqxx's pq::PGconn is libpq's struct pg_conn
}

// Throws what libpqxx would for a failed statement, so that pg::Pool::Transact maps it as usual: unique_violation for
// SQLSTATE 23505 (the direct way's "already stored"), serialization_failure and deadlock_detected (retried),
// broken_connection when the connection is gone, else sql_error.
[[noreturn]] void ThrowCopyError(PGconn* conn, PGresult* result, const std::string& query) {
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state != nullptr ? state : "";
  const std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn);
  if (result != nullptr) PQclear(result);
  // Leave the connection ready for the next command (the ROLLBACK): read what is left of this one.
  while (PGresult* rest = PQgetResult(conn)) PQclear(rest);
  if (PQstatus(conn) != CONNECTION_OK) throw pqxx::broken_connection(message);
  if (sqlstate == "23505") throw pqxx::unique_violation(message, query, sqlstate.c_str());
  if (sqlstate == "40001") throw pqxx::serialization_failure(message);
  if (sqlstate == "40P01") throw pqxx::deadlock_detected(message);
  throw pqxx::sql_error(message, query, sqlstate.c_str());
}

}  // namespace

void CopyBehaviourRows(pqxx::work& tx, const std::string& table, const std::string& data) {
  PGconn* conn = RawConnection(tx);
  std::string query =
      absl::StrCat("COPY ", table, " (", absl::StrJoin(kEventColumns, ", "), ") FROM STDIN (FORMAT binary)");
  PGresult* started = PQexec(conn, query.c_str());
  if (started == nullptr || PQresultStatus(started) != PGRES_COPY_IN) ThrowCopyError(conn, started, query);
  PQclear(started);
  if (PQputCopyData(conn, data.data(), static_cast<int>(data.size())) != 1 || PQputCopyEnd(conn, nullptr) != 1) {
    ThrowCopyError(conn, nullptr, query);
  }
  PGresult* done = PQgetResult(conn);
  if (done == nullptr || PQresultStatus(done) != PGRES_COMMAND_OK) ThrowCopyError(conn, done, query);
  PQclear(done);
  while (PGresult* rest = PQgetResult(conn)) PQclear(rest);
}

namespace {

// Set by the direct way's transaction when its COPY met an event already stored.
constexpr char kAlreadyStored[] = "BEHAVIOUR_EVENT_ALREADY_STORED";

}  // namespace

std::string BehaviourCopyData(const std::vector<BehaviourEvent>& events) {
  std::string out(kCopyBinaryHeader, kCopyBinaryHeaderSize);
  size_t size = out.size() + 2;
  for (const BehaviourEvent& e : events) {
    // The field count, 11 lengths, 2 times, the type; the texts.
    size += 2 + 11 * 4 + 2 * 8 + 2 + e.event_id.size() + e.device_id.size() + e.user_id.size() + e.session_id.size() +
            e.channel.size() + e.product_id.size() + e.sku_id.size() + e.query.size();
  }
  out.reserve(size);
  for (const BehaviourEvent& e : events) {
    AppendBigEndian(kEventColumns.size(), 2, &out);
    AppendField(e.event_id, &out);
    AppendTime(e.occurred_at, &out);
    AppendTime(e.received_at, &out);
    AppendBigEndian(2, 4, &out);
    AppendBigEndian(static_cast<uint16_t>(e.type), 2, &out);
    AppendField(e.device_id, &out);
    AppendNullable(e.user_id, &out);
    AppendField(e.session_id, &out);
    AppendField(e.channel, &out);
    AppendNullable(e.product_id, &out);
    AppendNullable(e.sku_id, &out);
    AppendNullable(e.query, &out);
  }
  AppendBigEndian(0xffff, 2, &out);  // the trailer: a field count of -1
  return out;
}

absl::StatusOr<int> PgBehaviourEventStore::Insert(const std::vector<BehaviourEvent>& events) {
  if (events.empty()) return 0;
  // The UTC days of the batch (a day number from the microseconds: no time zone lookup per event), usually one.
  std::set<int64_t> day_numbers;
  int64_t last_day = std::numeric_limits<int64_t>::min();
  std::vector<StepEvent> steps;
  steps.reserve(events.size());
  for (const BehaviourEvent& event : events) {
    const int64_t day = FloorDiv(absl::ToUnixMicros(event.occurred_at), kMicrosPerDay);
    if (day != last_day) day_numbers.insert(last_day = day);
    if (std::optional<FunnelStep> step = StepOf(event.type)) {
      steps.push_back({VisitorOf(event.user_id, event.device_id), *step, event.occurred_at, event.channel});
    }
  }
  std::vector<absl::CivilDay> days;
  for (int64_t day : day_numbers) days.push_back(absl::CivilDay(1970, 1, 1) + day);
  if (absl::Status status = partitions_.Ensure(days); !status.ok()) return status;
  const std::string rows = BehaviourCopyData(events);

  // The direct way: every event is new (a retry is the exception).
  {
    const RollUpParams r = RollUpOf(events);
    const std::string hours = pg::BigintArrayLiteral(r.hours), channels = pg::TextArrayLiteral(r.channels),
                      types = pg::BigintArrayLiteral(r.types), devices = pg::TextArrayLiteral(r.devices),
                      counts = pg::BigintArrayLiteral(r.counts), skus = pg::TextArrayLiteral(r.skus),
                      products = pg::TextArrayLiteral(r.products);
    absl::Status status = pool_.Transact([&](pqxx::work& tx) {
      const JourneyWrites j = PgFunnelStore::FoldToWrite(tx, steps, funnel_window_);
      try {
        CopyBehaviourRows(tx, "behaviour_events", rows);
      } catch (const pqxx::unique_violation&) {
        return absl::AlreadyExistsError(kAlreadyStored);  // rolled back; written the deduplicating way below
      }
      pg::Exec(tx, kRollUp, hours, channels, types, devices, counts, skus, products, j.visitors, j.started_at,
               j.channels, j.steps[0], j.steps[1], j.steps[2], j.steps[3]);
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
    CopyBehaviourRows(tx, "behaviour_incoming", rows);
    inserted = tx.exec1(kStoreStaged)[0].as<int>();
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return inserted;
}

absl::Status PgBehaviourEventStore::VacuumPending() {
  // VACUUM refuses a transaction block.
  return pool_.Autocommit([](pqxx::nontransaction& tx) {
    tx.exec("VACUUM behaviour_hourly_pending");
    return absl::OkStatus();
  });
}

absl::StatusOr<int64_t> PgBehaviourEventStore::FoldPending(int step, int64_t rows_per_vacuum) {
  int64_t moved = 0;
  for (;;) {
    ASSIGN_OR_RETURN(int64_t stepped, FoldRollup(step));
    moved += stepped;
    moved_since_vacuum_ += stepped;
    if (stepped < step) break;
  }
  if (moved_since_vacuum_ >= rows_per_vacuum) {
    moved_since_vacuum_ = 0;
    RETURN_IF_ERROR(VacuumPending());
  }
  return moved;
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
