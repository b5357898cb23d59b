#include "services/datahub/store/pg_dashboard_store.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/pg/time.h"

namespace zhongtai::datahub {
namespace {

// $1 the day starts (timestamptz[] of the ShopDays, ascending; empty for a range not listed by day), $2 and $3 the
// range. A time's day is width_bucket over the day starts (1 = the first day), the same day DayIndexOf() finds.
//
// Orders: one row per milestone that happened in the range (an order placed today and paid tomorrow is placed in
// one day and paid in the next), in $4's currency. Buyers are distinct paying users: exact.
constexpr char kOrderFigures[] =
    "WITH milestones AS ("
    "  SELECT 'placed' AS kind, placed_at AS at, channel, user_id, total_minor AS amount FROM order_facts"
    "    WHERE currency = $4 AND placed_at >= $2 AND placed_at < $3"
    "  UNION ALL SELECT 'paid', paid_at, channel, user_id, paid_minor FROM order_facts"
    "    WHERE currency = $4 AND paid_at >= $2 AND paid_at < $3"
    "  UNION ALL SELECT 'cancelled', cancelled_at, channel, user_id, 0 FROM order_facts"
    "    WHERE currency = $4 AND cancelled_at >= $2 AND cancelled_at < $3"
    "  UNION ALL SELECT 'refunded', refunded_at, channel, user_id, refunded_minor FROM order_facts"
    "    WHERE currency = $4 AND refunded_at >= $2 AND refunded_at < $3)"
    " SELECT day, channel, GROUPING(day, channel),"
    "  count(*) FILTER (WHERE kind = 'placed'), count(*) FILTER (WHERE kind = 'paid'),"
    "  count(*) FILTER (WHERE kind = 'cancelled'), count(*) FILTER (WHERE kind = 'refunded'),"
    "  COALESCE(sum(amount) FILTER (WHERE kind = 'placed'), 0)::bigint,"
    "  COALESCE(sum(amount) FILTER (WHERE kind = 'paid'), 0)::bigint,"
    "  COALESCE(sum(amount) FILTER (WHERE kind = 'refunded'), 0)::bigint,"
    "  count(DISTINCT user_id) FILTER (WHERE kind = 'paid')"
    " FROM (SELECT width_bucket(at, $1::timestamptz[]) - 1 AS day, * FROM milestones) AS m"
    " GROUP BY GROUPING SETS ((day, channel), (day), (channel), ())";

// Traffic: the hours that start in the range, from the hourly rollup. Page views are view events; visitors the
// HyperLogLog union of the level's hours (an estimate), rounded.
constexpr char kTrafficFigures[] =
    "SELECT day, channel, GROUPING(day, channel),"
    "  COALESCE(sum(events) FILTER (WHERE event_type = 1), 0)::bigint,"
    "  COALESCE(round(hll_cardinality(hll_union_agg(visitors))), 0)::bigint"
    " FROM (SELECT width_bucket(hour, $1::timestamptz[]) - 1 AS day, channel, event_type, events, visitors"
    "   FROM behaviour_hourly WHERE hour >= $2 AND hour < $3) AS h"
    " GROUP BY GROUPING SETS ((day, channel), (day), (channel), ())";

// The figures of a result row's level: GROUPING(day, channel) has bit 2 set for all days, bit 1 for all channels.
DashboardFigures* Level(DashboardBreakdown* out, const pqxx::row& row) {
  const int grouping = row[2].as<int>();
  if (grouping == 3) return &out->total;
  if (grouping == 1) {
    if (row[0].is_null() || row[0].as<int>() < 0) return nullptr;  // no days listed: a range too long
    return &out->by_day[row[0].as<int>()];
  }
  if (grouping == 2) return &out->by_channel[row[1].as<std::string>()];
  return nullptr;  // day x channel: not shown
}

std::string TimestampArray(const std::vector<ShopDay>& days) {
  std::vector<std::string> parts;
  for (const ShopDay& day : days) {
    parts.push_back(
        absl::StrCat("\"", absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", day.start, absl::UTCTimeZone()), "\""));
  }
  return absl::StrCat("{", absl::StrJoin(parts, ","), "}");
}

}  // namespace

absl::StatusOr<DashboardBreakdown> PgDashboardStore::Breakdown(const std::string& currency, const TimeRange& range,
                                                               const std::vector<ShopDay>& days) {
  DashboardBreakdown out;
  const std::string starts = TimestampArray(days);
  const std::string range_start = absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", range.start, absl::UTCTimeZone());
  const std::string range_end = absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", range.end, absl::UTCTimeZone());
  absl::Status status = pool_.Transact([&](pqxx::work& tx) {
    out = DashboardBreakdown();
    for (const pqxx::row& row : tx.exec_params(kOrderFigures, starts, range_start, range_end, currency)) {
      DashboardFigures* figures = Level(&out, row);
      if (figures == nullptr) continue;
      figures->orders_placed = row[3].as<int64_t>();
      figures->orders_paid = row[4].as<int64_t>();
      figures->orders_cancelled = row[5].as<int64_t>();
      figures->orders_refunded = row[6].as<int64_t>();
      figures->gmv_minor = row[7].as<int64_t>();
      figures->paid_gmv_minor = row[8].as<int64_t>();
      figures->refunded_minor = row[9].as<int64_t>();
      figures->buyers = row[10].as<int64_t>();
    }
    for (const pqxx::row& row : tx.exec_params(kTrafficFigures, starts, range_start, range_end)) {
      DashboardFigures* figures = Level(&out, row);
      if (figures == nullptr) continue;
      figures->page_views = row[3].as<int64_t>();
      figures->visitors = row[4].as<int64_t>();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) return status;
  return out;
}

}  // namespace zhongtai::datahub
