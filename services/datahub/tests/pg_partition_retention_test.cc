// Behaviour event partitions on a real PostgreSQL (label store): days ahead created, days past the retention dropped
// with their events while the hourly rollup keeps their counts, and a dropped day can be created again.
#include <catch2/catch.hpp>

#include "common/events/outbox.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"

namespace zhongtai::datahub {
namespace {

using zhongtai::testing::Count;

}  // namespace

TEST_CASE("partition retention: future days created ahead, old days dropped, rollups kept", "[store]") {
  testing::TestDatabase db;
  auto opened = pg::Pool::Open({db.dsn(), 2, absl::Seconds(5), "datahub"});
  REQUIRE(opened.ok());
  std::unique_ptr<pg::Pool> pool = std::move(*opened);
  std::vector<pg::Migration> migrations = events::SchemaMigrations();
  migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
  REQUIRE(pg::Migrate(*pool, migrations).ok());

  const absl::CivilDay today(2026, 12, 4);
  BehaviourPartitions partitions(*pool);
  // What the keeper does: the late window's days behind and a week ahead.
  REQUIRE(partitions.EnsureRange(today - 10, today + 7).ok());
  std::vector<absl::CivilDay> days = partitions.Days().value();
  REQUIRE(days.size() == 18);
  CHECK(days.front() == today - 10);
  CHECK(days.back() == today + 7);

  // An event on the oldest day and one today.
  PgBehaviourEventStore store(*pool, partitions, absl::Hours(24));
  auto event = [](const std::string& id, absl::CivilDay day) {
    BehaviourEvent e;
    e.event_id = id;
    e.type = BehaviourEventType::kView;
    e.occurred_at = absl::FromCivil(day, absl::UTCTimeZone()) + absl::Hours(3);
    e.received_at = e.occurred_at;
    e.device_id = "dev-" + id;
    e.channel = "app";
    e.product_id = "p1";
    return e;
  };
  REQUIRE(store.Insert({event("old", today - 10), event("new", today)}).ok());
  CHECK(Count(*pool, "SELECT count(*) FROM behaviour_events") == 2);

  // Keep 6 days (today and the 5 before): the days before today - 5 go, nothing else.
  std::vector<std::string> dropped = partitions.DropBefore(today - 5).value();
  REQUIRE(dropped.size() == 5);
  CHECK(dropped.front() == "behaviour_events_p20261124");
  CHECK(dropped.back() == "behaviour_events_p20261128");
  days = partitions.Days().value();
  CHECK(days.front() == today - 5);
  CHECK(days.back() == today + 7);
  CHECK(Count(*pool, "SELECT count(*) FROM behaviour_events") == 1);
  CHECK(Count(*pool, "SELECT count(*) FROM pg_class WHERE relname = 'behaviour_events_p20261124'") == 0);
  // The rollup still counts the dropped day's event.
  CHECK(Count(*pool, "SELECT sum(events)::bigint FROM behaviour_hourly") == 2);
  CHECK(Count(*pool, "SELECT count(*) FROM behaviour_hourly WHERE hour < '2026-11-25'") == 1);

  // Again: nothing more to drop. A dropped day asked for again (the cache forgot it) is created again.
  CHECK(partitions.DropBefore(today - 5).value().empty());
  REQUIRE(partitions.Ensure({today - 10}).ok());
  CHECK(partitions.Days().value().front() == today - 10);
}

}  // namespace zhongtai::datahub
