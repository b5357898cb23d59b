#include "services/datahub/store/pg_funnel_store.h"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

// funnel_journeys' step columns, in FunnelStep order after the view (Journey::step_at).
constexpr const char* kStepColumns[kFunnelSteps - 1] = {"cart_at", "checkout_at", "ordered_at", "paid_at"};

// {1,NULL,3}: a bigint[] literal with NULLs for the steps not taken.
std::string NullableBigintArray(const std::vector<std::optional<int64_t>>& values) {
  std::vector<std::string> parts;
  for (const auto& v : values) parts.push_back(v.has_value() ? std::to_string(*v) : "NULL");
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

// SQL for "the journey reached step k" (1 = add to cart ... 4 = pay), exactly as StepsReached() decides: every
// step before it counted, and each step's first time is at or after the previous step's and before
// started_at + window. $window is the window in microseconds.
std::string ReachedSql(int k, const std::string& window) {
  std::vector<std::string> terms;
  std::string previous = "started_at";
  for (int i = 0; i < k; ++i) {
    const std::string column = kStepColumns[i];
    terms.push_back(absl::StrCat(column, " >= ", previous, " AND ", column, " < started_at + ", window,
                                 "::bigint * interval '1 microsecond'"));
    previous = column;
  }
  return absl::StrJoin(terms, " AND ");
}

// Journeys of these visitors that may hold a step in [$2 - window, $3]: started before the last step and less than
// a window before the first. One probe of the primary key (visitor, started_at) per visitor: the bounds are row
// comparisons on (visitor, started_at), which only that index can serve. (Written as visitor = ANY(...) with a range
// on started_at, the planner took funnel_journeys_started before the table's first ANALYZE and filtered every journey
// of the range: 9 ms a batch of 50 visitors under D1's load, growing with the table.)
constexpr char kJourneysNear[] =
    "SELECT j.visitor, (extract(epoch from started_at) * 1000000)::bigint, channel, "
    "(extract(epoch from cart_at) * 1000000)::bigint, (extract(epoch from checkout_at) * 1000000)::bigint, "
    "(extract(epoch from ordered_at) * 1000000)::bigint, (extract(epoch from paid_at) * 1000000)::bigint "
    "FROM unnest($1::text[]) AS v(visitor) CROSS JOIN LATERAL ("
    "SELECT * FROM funnel_journeys f "
    "WHERE (f.visitor, f.started_at) > (v.visitor, 'epoch'::timestamptz + ($2::bigint - $4::bigint) * interval "
    "'1 microsecond') "
    "AND (f.visitor, f.started_at) <= (v.visitor, 'epoch'::timestamptz + $3::bigint * interval '1 microsecond')) AS j";

// New journeys, and earlier step times for existing ones (LEAST skips NULLs, so a step only ever moves earlier).
// Parameters $first .. $first+6: visitors, started_at, channels, then the four steps' times (UTC microseconds, NULL
// for a step not taken). kUpsertJourneys on its own; PgBehaviourEventStore runs it inside its rollup statement.
std::string UpsertJourneysSql(int first) {
  auto p = [first](int k) { return absl::StrCat("$", first + k); };
  return absl::StrCat(
      "INSERT INTO funnel_journeys (visitor, started_at, channel, cart_at, checkout_at, ordered_at, paid_at) "
      "SELECT v, 'epoch'::timestamptz + s * interval '1 microsecond', c, "
      "'epoch'::timestamptz + a * interval '1 microsecond', 'epoch'::timestamptz + b * interval '1 microsecond', "
      "'epoch'::timestamptz + o * interval '1 microsecond', 'epoch'::timestamptz + p * interval '1 microsecond' "
      "FROM unnest(",
      p(0), "::text[], ", p(1), "::bigint[], ", p(2), "::text[], ", p(3), "::bigint[], ", p(4), "::bigint[], ", p(5),
      "::bigint[], ", p(6), "::bigint[]) AS j(v, s, c, a, b, o, p) ",
      "ON CONFLICT (visitor, started_at) DO UPDATE SET "
      "cart_at = LEAST(funnel_journeys.cart_at, EXCLUDED.cart_at), "
      "checkout_at = LEAST(funnel_journeys.checkout_at, EXCLUDED.checkout_at), "
      "ordered_at = LEAST(funnel_journeys.ordered_at, EXCLUDED.ordered_at), "
      "paid_at = LEAST(funnel_journeys.paid_at, EXCLUDED.paid_at)");
}
const std::string kUpsertJourneys = UpsertJourneysSql(1);

// Distinct visitors locked in hash order: two batches sharing visitors lock them in the same order.
constexpr char kLockVisitors[] =
    "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended(v, 0) AS k "
    "FROM unnest($1::text[]) AS v ORDER BY k) AS keys";

Journey ReadJourney(const pqxx::row& row) {
  Journey journey;
  journey.visitor = row[0].as<std::string>();
  journey.started_at = pg::TimeFromMicros(row[1]);
  journey.channel = row[2].as<std::string>();
  for (int i = 0; i < kFunnelSteps - 1; ++i) journey.step_at[i] = pg::OptionalTimeFromMicros(row[3 + i]);
  return journey;
}

}  // namespace

JourneyWrites PgFunnelStore::FoldToWrite(pqxx::work& tx, const std::vector<StepEvent>& steps, absl::Duration window) {
  JourneyWrites writes;
  if (steps.empty()) return writes;
  std::map<std::string, std::vector<StepEvent>> by_visitor;
  absl::Time first = steps.front().at;
  absl::Time last = steps.front().at;
  for (const StepEvent& step : steps) {
    by_visitor[step.visitor].push_back(step);
    first = std::min(first, step.at);
    last = std::max(last, step.at);
  }
  std::vector<std::string> visitors;
  for (const auto& entry : by_visitor) visitors.push_back(entry.first);
  const std::string visitor_array = pg::TextArrayLiteral(visitors);
  pg::Exec(tx, kLockVisitors, visitor_array);

  std::map<std::string, std::vector<Journey>> journeys;
  for (const pqxx::row& row : pg::Exec(tx, kJourneysNear, visitor_array, pg::Micros(first), pg::Micros(last),
                                       absl::ToInt64Microseconds(window))) {
    Journey journey = ReadJourney(row);
    journeys[journey.visitor].push_back(std::move(journey));
  }
  std::vector<std::string> v, c;
  std::vector<std::optional<int64_t>> s, step_columns[kFunnelSteps - 1];
  for (auto& [visitor, events] : by_visitor) {
    std::vector<Journey>& mine = journeys[visitor];
    FoldSteps(std::move(events), window, &mine);
    for (const Journey& journey : mine) {
      if (!journey.changed) continue;
      v.push_back(journey.visitor);
      s.push_back(pg::Micros(journey.started_at));
      c.push_back(journey.channel);
      for (int i = 0; i < kFunnelSteps - 1; ++i) {
        step_columns[i].push_back(
            journey.step_at[i].has_value() ? std::optional<int64_t>(pg::Micros(*journey.step_at[i])) : std::nullopt);
      }
    }
  }
  writes.count = static_cast<int>(v.size());
  writes.visitors = pg::TextArrayLiteral(v);
  writes.started_at = NullableBigintArray(s);
  writes.channels = pg::TextArrayLiteral(c);
  for (int i = 0; i < kFunnelSteps - 1; ++i) writes.steps[i] = NullableBigintArray(step_columns[i]);
  return writes;
}

std::string PgFunnelStore::UpsertSql(int first_parameter) { return UpsertJourneysSql(first_parameter); }

void PgFunnelStore::Fold(pqxx::work& tx, const std::vector<StepEvent>& steps, absl::Duration window) {
  const JourneyWrites w = FoldToWrite(tx, steps, window);
  if (w.count == 0) return;
  pg::Exec(tx, kUpsertJourneys, w.visitors, w.started_at, w.channels, w.steps[0], w.steps[1], w.steps[2], w.steps[3]);
}

absl::StatusOr<std::map<std::string, std::array<int64_t, kFunnelSteps>>> PgFunnelStore::ReachedByChannel(
    const FunnelQuery& query) {
  std::string sql = "SELECT channel, count(*)";
  for (int k = 1; k < kFunnelSteps; ++k) absl::StrAppend(&sql, ", count(*) FILTER (WHERE ", ReachedSql(k, "$3"), ")");
  absl::StrAppend(&sql, " FROM funnel_journeys WHERE started_at >= ", pg::TimestampFromMicros(1), " AND started_at < ",
                  pg::TimestampFromMicros(2), " AND ($4 = '' OR channel = $4) GROUP BY channel");
  std::map<std::string, std::array<int64_t, kFunnelSteps>> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec_params(sql, pg::Micros(query.start_time), pg::Micros(query.end_time),
                                               absl::ToInt64Microseconds(query.window), query.channel)) {
      std::array<int64_t, kFunnelSteps> reached{};
      for (int k = 0; k < kFunnelSteps; ++k) reached[k] = row[1 + k].as<int64_t>();
      out[row[0].as<std::string>()] = reached;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<std::vector<Journey>> PgFunnelStore::JourneysOf(const std::string& visitor) {
  std::vector<Journey> out;
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const pqxx::row& row : tx.exec_params(
             "SELECT visitor, (extract(epoch from started_at) * 1000000)::bigint, channel, "
             "(extract(epoch from cart_at) * 1000000)::bigint, (extract(epoch from checkout_at) * 1000000)::bigint, "
             "(extract(epoch from ordered_at) * 1000000)::bigint, (extract(epoch from paid_at) * 1000000)::bigint "
             "FROM funnel_journeys WHERE visitor = $1 ORDER BY started_at",
             visitor)) {
      out.push_back(ReadJourney(row));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace zhongtai::datahub
