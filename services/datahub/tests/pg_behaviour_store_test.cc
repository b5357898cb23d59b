// Behaviour events into a real PostgreSQL: COPY, dedupe, partitions, the hourly rollup with HyperLogLog, funnel
// journeys (the SQL's step rule checked against the C++ one) and the dashboard's SQL checked against the C++ rules.
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <set>
#include <thread>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/pg/migrate.h"
#include "common/testing/stores.h"
#include "migrations.h"
#include "services/datahub/domain/kpi_dashboard.h"
#include "services/datahub/store/behaviour_partitions.h"
#include "services/datahub/store/pg_behaviour_event_store.h"
#include "services/datahub/store/pg_dashboard_store.h"
#include "services/datahub/store/pg_funnel_store.h"
#include "services/datahub/store/pg_order_fact_store.h"

namespace zhongtai::datahub {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilHour(2026, 12, 3, 10), absl::UTCTimeZone());
const absl::Duration kWindow = absl::Hours(24);

struct Fixture {
  Fixture() {
    auto opened = pg::Pool::Open({db.dsn(), 6, absl::Seconds(5), "datahub"});
    REQUIRE(opened.ok());
    pool = std::move(*opened);
    std::vector<pg::Migration> migrations = events::SchemaMigrations();
    migrations.insert(migrations.end(), Migrations().begin(), Migrations().end());
    REQUIRE(pg::Migrate(*pool, migrations).ok());
  }
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(pool->Transact([&](pqxx::work& tx) {
                  n = tx.exec1(sql)[0].as<int64_t>();
                  return absl::OkStatus();
                })
                .ok());
    return n;
  }
  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pool;
};

BehaviourEvent Event(const std::string& id, BehaviourEventType type, absl::Time at, const std::string& device,
                     const std::string& user = "", const std::string& channel = "app") {
  BehaviourEvent e;
  e.event_id = id;
  e.type = type;
  e.occurred_at = at;
  e.device_id = device;
  e.user_id = user;
  e.channel = channel;
  e.product_id = "p1";
  e.query = type == BehaviourEventType::kSearch ? "tea" : "";
  return e;
}

TEST_CASE("Ingested behaviour events are stored once, in daily partitions, and rolled up by hour") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});

  std::vector<BehaviourEvent> batch;
  for (int i = 0; i < 30; ++i) {
    batch.push_back(Event("v" + std::to_string(i), BehaviourEventType::kView, kNow - absl::Minutes(i),
                          "dev" + std::to_string(i % 7)));
  }
  batch.push_back(Event("late", BehaviourEventType::kView, kNow - absl::Hours(50), "dev-late"));  // two days back
  batch.push_back(Event("s1", BehaviourEventType::kSearch, kNow - absl::Minutes(3), "dev1", "", "web"));
  batch.push_back(Event("bad", BehaviourEventType::kView, kNow, ""));
  auto first = ingestion.Ingest(batch, "u7");
  REQUIRE(first.ok());
  CHECK(first->accepted == 32);
  CHECK(first->rejected.size() == 1);

  auto retry = ingestion.Ingest(batch, "u7");
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 0);
  CHECK(retry->duplicates == 32);

  CHECK(f.Count("SELECT count(*) FROM behaviour_events") == 32);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE user_id = 'u7'") == 32);
  // Today's and the late event's day each have their own partition.
  CHECK(f.Count("SELECT count(*) FROM behaviour_events_p20261203") == 31);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events_p20261201") == 1);
  // The rollup counts every new event once, and its HyperLogLog the distinct devices (exact at this size).
  CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly") == 32);
  CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly WHERE event_type = 2 AND channel = 'web'") == 1);
  CHECK(f.Count("SELECT round(hll_cardinality(hll_union_agg(visitors)))::bigint FROM behaviour_hourly "
                "WHERE hour >= '2026-12-03'") == 7);
}

TEST_CASE("Concurrent retries of the same batches store each event once and count it once") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  std::vector<BehaviourEvent> batch;
  for (int i = 0; i < 200; ++i) {
    batch.push_back(Event("c" + std::to_string(i),
                          i % 3 == 0 ? BehaviourEventType::kAddToCart : BehaviourEventType::kView,
                          kNow - absl::Seconds(i), "dev" + std::to_string(i % 11)));
  }
  std::atomic<int> accepted{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int round = 0; round < 3; ++round) {
        auto result = ingestion.Ingest(batch, "");
        if (result.ok()) {
          accepted += result->accepted;
        } else {
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures.load() == 0);
  CHECK(accepted.load() == 200);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events") == 200);
  CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly") == 200);
  // One journey per device: every view of a device falls in its first view's window.
  CHECK(f.Count("SELECT count(*) FROM funnel_journeys") == 11);
}

TEST_CASE("A new batch is copied straight into the table, a batch with a stored event is deduplicated") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  // Awkward text for COPY's format: tabs, newlines, carriage returns, backslashes, \N itself, CJK.
  std::vector<BehaviourEvent> batch;
  batch.push_back(Event("tab\there", BehaviourEventType::kView, kNow - absl::Minutes(1), "dev\\1"));
  batch.push_back(Event("line\nbreak\r", BehaviourEventType::kSearch, kNow - absl::Minutes(2), "\\N", "", "web"));
  batch.back().query = "绿茶\t\\N \\ end";
  batch.push_back(Event("plain", BehaviourEventType::kAddToCart, kNow - absl::Minutes(3), "dev\\1"));
  batch.back().sku_id = "s1";
  batch.back().session_id = "sess";
  auto first = ingestion.Ingest(batch, "");
  REQUIRE(first.ok());
  CHECK(first->accepted == 3);
  CHECK(store.direct_batches() == 1);
  CHECK(store.deduplicated_batches() == 0);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE event_id = E'tab\\there' AND device_id = E'dev\\\\1'") ==
        1);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE event_id = E'line\\nbreak\\r' AND device_id = E'\\\\N' "
                "AND query = E'绿茶\\t\\\\N \\\\ end' AND product_id = 'p1' AND sku_id IS NULL") == 1);
  // Empty ids are NULL (user, SKU, query); an empty session stays ''.
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE user_id IS NULL") == 3);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE query IS NULL") == 2);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE session_id = ''") == 2);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE session_id = 'sess' AND sku_id = 's1'") == 1);
  CHECK(f.Count("SELECT count(*) FROM sku_products WHERE sku_id = 's1' AND product_id = 'p1'") == 1);
  // The times as stored are the events' to the microsecond.
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE occurred_at = '2026-12-03 09:57:00+00' "
                "AND received_at = '2026-12-03 10:00:00+00'") == 1);

  // Two stored events and two new ones: the direct COPY meets the stored ones, the batch is deduplicated.
  std::vector<BehaviourEvent> retry = batch;
  retry.erase(retry.begin());
  retry.push_back(Event("new1", BehaviourEventType::kView, kNow - absl::Minutes(4), "dev7"));
  retry.push_back(Event("new2", BehaviourEventType::kView, kNow - absl::Minutes(5), "dev8", "", "web"));
  auto second = ingestion.Ingest(retry, "");
  REQUIRE(second.ok());
  CHECK(second->accepted == 2);
  CHECK(second->duplicates == 2);
  CHECK(store.direct_batches() == 1);
  CHECK(store.deduplicated_batches() == 1);
  CHECK(f.Count("SELECT count(*) FROM behaviour_events") == 5);
  CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly") == 5);
  CHECK(f.Count("SELECT round(hll_cardinality(hll_union_agg(visitors)))::bigint FROM behaviour_hourly") == 4);
  // Nothing of the failed direct attempt stayed.
  CHECK(f.Count("SELECT count(*) FROM behaviour_events WHERE event_id LIKE 'new%'") == 2);
}

TEST_CASE("The direct and the deduplicating way store the same rows, rollup, journeys and SKUs") {
  // The same events into two databases: in one every batch is new (direct COPY); in the other each batch also
  // repeats a stored event, so every batch after the first takes the deduplicating way.
  Fixture direct_db, dedupe_db;
  BehaviourPartitions direct_partitions(*direct_db.pool), dedupe_partitions(*dedupe_db.pool);
  PgBehaviourEventStore direct(*direct_db.pool, direct_partitions, kWindow);
  PgBehaviourEventStore dedupe(*dedupe_db.pool, dedupe_partitions, kWindow);
  std::mt19937 random(3);
  const BehaviourEventType kinds[] = {BehaviourEventType::kView, BehaviourEventType::kAddToCart,
                                      BehaviourEventType::kCheckout, BehaviourEventType::kClick,
                                      BehaviourEventType::kSearch};
  std::vector<BehaviourEvent> previous;
  for (int b = 0; b < 6; ++b) {
    std::vector<BehaviourEvent> batch;
    for (int i = 0; i < 80; ++i) {
      const int device = static_cast<int>(random() % 15);
      BehaviourEvent e =
          Event("b" + std::to_string(b) + "-" + std::to_string(i), kinds[random() % 5],
                kNow - absl::Minutes(static_cast<int>(random() % (30 * 60))), "d" + std::to_string(device),
                device % 4 == 0 ? "u" + std::to_string(device) : "", device % 3 == 0 ? "web" : "app");
      e.product_id = "p" + std::to_string(random() % 5);
      e.sku_id = random() % 2 == 0 ? "s" + std::to_string(random() % 8) : "";
      e.received_at = kNow;
      batch.push_back(e);
    }
    auto stored = direct.Insert(batch);
    REQUIRE(stored.ok());
    CHECK(*stored == 80);
    if (!previous.empty()) batch.push_back(previous.front());  // already stored in dedupe_db
    auto deduplicated = dedupe.Insert(batch);
    REQUIRE(deduplicated.ok());
    CHECK(*deduplicated == 80);
    previous = batch;
  }
  CHECK(direct.direct_batches() == 6);
  CHECK(dedupe.deduplicated_batches() == 5);
  for (const char* sql :
       {"SELECT md5(string_agg(concat_ws('|', event_id, occurred_at, received_at, event_type, device_id, user_id, "
        "session_id, channel, product_id, sku_id, query, user_id IS NULL, sku_id IS NULL, query IS NULL), ',' "
        "ORDER BY event_id)) FROM behaviour_events",
        "SELECT md5(string_agg(concat_ws('|', hour, channel, event_type, events, "
        "round(hll_cardinality(visitors))), ',' ORDER BY hour, channel, event_type)) FROM behaviour_hourly",
        "SELECT md5(string_agg(concat_ws('|', visitor, started_at, channel, cart_at, checkout_at), ',' "
        "ORDER BY visitor, started_at)) FROM funnel_journeys",
        "SELECT md5(string_agg(sku_id || '|' || product_id, ',' ORDER BY sku_id)) FROM sku_products"}) {
    INFO(sql);
    std::string a, b;
    REQUIRE(direct_db.pool
                ->Transact([&](pqxx::work& tx) {
                  a = tx.exec1(sql)[0].as<std::string>();
                  return absl::OkStatus();
                })
                .ok());
    REQUIRE(dedupe_db.pool
                ->Transact([&](pqxx::work& tx) {
                  b = tx.exec1(sql)[0].as<std::string>();
                  return absl::OkStatus();
                })
                .ok());
    CHECK(a == b);
  }
  CHECK(direct_db.Count("SELECT count(*) FROM behaviour_events") == 480);
  CHECK(direct_db.Count("SELECT count(*) FROM funnel_journeys") > 0);
  CHECK(direct_db.Count("SELECT count(*) FROM sku_products") > 0);
}

TEST_CASE("Folding the pending rollup rows keeps every figure, with one row per key") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  std::mt19937 random(17);
  // Devices per (hour, channel, type), counted here to check the sketches (exact at this size).
  std::map<std::tuple<int64_t, std::string, int>, std::set<std::string>> devices;
  int64_t events = 0;
  auto ingest = [&](int batch) {
    std::vector<BehaviourEvent> batch_events;
    for (int i = 0; i < 60; ++i) {
      const std::string device = "d" + std::to_string(random() % 25);
      const std::string channel = random() % 2 == 0 ? "app" : "web";
      const BehaviourEventType type = random() % 2 == 0 ? BehaviourEventType::kView : BehaviourEventType::kClick;
      BehaviourEvent e = Event("f" + std::to_string(batch) + "-" + std::to_string(i), type,
                               kNow - absl::Minutes(static_cast<int>(random() % 150)), device, "", channel);
      e.received_at = kNow;
      devices[{absl::ToUnixSeconds(e.occurred_at) / 3600, channel, static_cast<int>(type)}].insert(device);
      batch_events.push_back(e);
    }
    REQUIRE(store.Insert(batch_events).ok());
    events += 60;
  };
  for (int b = 0; b < 4; ++b) ingest(b);
  const std::string kFigures =
      "SELECT md5(string_agg(concat_ws('|', hour, channel, event_type, events, round(hll_cardinality(visitors))), "
      "',' ORDER BY hour, channel, event_type)) FROM behaviour_hourly";
  auto figures = [&] {
    std::string out;
    REQUIRE(f.pool
                ->Transact([&](pqxx::work& tx) {
                  out = tx.exec1(kFigures)[0].as<std::string>();
                  return absl::OkStatus();
                })
                .ok());
    return out;
  };
  auto check_against_cpp = [&] {
    CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly") == events);
    CHECK(f.Count("SELECT count(*) FROM behaviour_hourly") == static_cast<int64_t>(devices.size()));
    for (const auto& [key, set] : devices) {
      const auto& [hour, channel, type] = key;
      INFO(hour << " " << channel << " " << type);
      CHECK(f.Count(absl::StrCat("SELECT round(hll_cardinality(visitors))::bigint FROM behaviour_hourly WHERE hour = "
                                 "to_timestamp(",
                                 hour * 3600, ") AND channel = '", channel, "' AND event_type = ", type)) ==
            static_cast<int64_t>(set.size()));
    }
  };
  const int64_t keys = static_cast<int64_t>(devices.size());
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending") > keys);  // a row per batch and key
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_folded") == 0);
  check_against_cpp();
  const std::string before = figures();

  // A bounded fold moves what it may; the next ones the rest; then nothing is left.
  auto moved = store.FoldRollup(3);
  REQUIRE(moved.ok());
  CHECK(*moved == 3);
  CHECK(figures() == before);
  moved = store.FoldRollup(100000);
  REQUIRE(moved.ok());
  CHECK(*moved > 0);
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending") == 0);
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_folded") == keys);
  CHECK(figures() == before);
  check_against_cpp();
  moved = store.FoldRollup(100000);
  REQUIRE(moved.ok());
  CHECK(*moved == 0);

  // More batches: pending again, merged into the folded rows by the next fold.
  for (int b = 4; b < 7; ++b) ingest(b);
  check_against_cpp();
  const std::string more = figures();
  CHECK(more != before);
  REQUIRE(store.FoldRollup(100000).ok());
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending") == 0);
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_folded") == static_cast<int64_t>(devices.size()));
  CHECK(figures() == more);
  check_against_cpp();

  // The folded-away rows leave dead pages behind that every read of the view scanned; the vacuum frees them (all of
  // them: nothing is pending) and the figures stay.
  CHECK(f.Count("SELECT pg_relation_size('behaviour_hourly_pending')") > 0);
  REQUIRE(store.VacuumPending().ok());
  CHECK(f.Count("SELECT pg_relation_size('behaviour_hourly_pending')") == 0);
  CHECK(figures() == more);

  // What the data hub runs: every pending row folded in small steps, and the vacuum once enough rows moved.
  for (int b = 7; b < 10; ++b) ingest(b);
  const std::string latest = figures();
  const int64_t pending = f.Count("SELECT count(*) FROM behaviour_hourly_pending");
  REQUIRE(pending > 3);
  auto folded = store.FoldPending(/*step=*/3, /*rows_per_vacuum=*/pending + 1);
  REQUIRE(folded.ok());
  CHECK(*folded == pending);
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending") == 0);
  CHECK(f.Count("SELECT pg_relation_size('behaviour_hourly_pending')") > 0);  // not enough rows moved yet
  for (int b = 10; b < 12; ++b) ingest(b);
  REQUIRE(store.FoldPending(3, pending + 1).ok());
  CHECK(f.Count("SELECT pg_relation_size('behaviour_hourly_pending')") == 0);  // vacuumed
  CHECK(figures() != latest);
  check_against_cpp();
}

// Migration 0010: a batch appends its devices' hashes and the sketch is built by the fold (or the view), once per key.
// A row written before it (a sketch) and rows written after (hashes) give, before and after a fold, the very sketch
// of every device added once.
TEST_CASE("Pending rollup rows with device hashes or an older sketch give the sketch of every device") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  const absl::Time at = kNow - absl::Minutes(30);  // 09:30, in hour 09:00
  // A pending row as migration 0009 wrote it: devices d0..d19 in a sketch.
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec(
                    "INSERT INTO behaviour_hourly_pending (hour, channel, event_type, events, visitors) "
                    "SELECT '2026-12-03 09:00:00+00', 'app', 1, 20, hll_add_agg(hll_hash_text('d' || g)) "
                    "FROM generate_series(0, 19) AS g");
                return absl::OkStatus();
              })
              .ok());
  // Two batches: d10..d29 and d25..d229 (views, some devices twice, overlapping the old row's).
  std::vector<BehaviourEvent> first, second;
  for (int i = 10; i < 30; ++i) {
    first.push_back(Event("h1-" + std::to_string(i), BehaviourEventType::kView, at, "d" + std::to_string(i)));
    first.push_back(
        Event("h1b-" + std::to_string(i), BehaviourEventType::kView, at + absl::Seconds(1), "d" + std::to_string(i)));
  }
  for (int i = 25; i < 230; ++i) {
    second.push_back(Event("h2-" + std::to_string(i), BehaviourEventType::kView, at, "d" + std::to_string(i)));
  }
  for (auto* batch : {&first, &second}) {
    for (BehaviourEvent& e : *batch) e.received_at = kNow;
    REQUIRE(store.Insert(*batch).ok());
  }
  // The new rows hold hashes, one per distinct device of the batch and key, and no sketch.
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending WHERE visitors IS NULL") == 2);
  CHECK(f.Count("SELECT sum(cardinality(devices)) FROM behaviour_hourly_pending") == 20 + 205);
  const std::string kExpected =
      "(SELECT hll_add_agg(hll_hash_text('d' || g)) FROM generate_series(0, 229) AS g)";  // every device once
  const std::string kSame = absl::StrCat(
      "SELECT count(*) FROM behaviour_hourly WHERE hour = '2026-12-03 09:00:00+00' AND channel = 'app' "
      "AND event_type = 1 AND events = ",
      20 + 40 + 205, " AND visitors = ", kExpected);
  CHECK(f.Count(kSame) == 1);  // the view, everything pending
  CHECK(f.Count("SELECT round(hll_cardinality(visitors))::bigint FROM behaviour_hourly") ==
        f.Count(absl::StrCat("SELECT round(hll_cardinality(", kExpected, "))::bigint")));
  auto moved = store.FoldRollup(2);
  REQUIRE(moved.ok());
  CHECK(*moved == 2);
  CHECK(f.Count(kSame) == 1);  // part folded, part pending
  REQUIRE(store.FoldRollup(100).ok());
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending") == 0);
  CHECK(f.Count(kSame) == 1);  // all folded
  CHECK(f.Count(absl::StrCat("SELECT count(*) FROM behaviour_hourly_folded WHERE visitors = ", kExpected)) == 1);
  // The deduplicating way (a batch repeating a stored event) appends hashes too, of its new rows only.
  std::vector<BehaviourEvent> retry = second;
  retry.push_back(Event("h3-0", BehaviourEventType::kView, at, "d500"));
  retry.back().received_at = kNow;
  auto inserted = store.Insert(retry);
  REQUIRE(inserted.ok());
  CHECK(*inserted == 1);
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending WHERE visitors IS NULL AND cardinality(devices) = 1") ==
        1);
  REQUIRE(store.FoldRollup(100).ok());
  CHECK(f.Count(absl::StrCat("SELECT count(*) FROM behaviour_hourly WHERE events = 266 AND visitors = "
                             "(SELECT hll_add_agg(hll_hash_text(d)) FROM (SELECT 'd' || g AS d FROM "
                             "generate_series(0, 229) AS g UNION ALL SELECT 'd500') AS s)")) == 1);
}

TEST_CASE("Batches stored while folds run are each rolled up once") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  std::atomic<int64_t> stored{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      for (int b = 0; b < 8; ++b) {
        std::vector<BehaviourEvent> batch;
        for (int i = 0; i < 40; ++i) {
          BehaviourEvent e = Event(absl::StrCat("t", t, "-", b, "-", i), BehaviourEventType::kView,
                                   kNow - absl::Minutes(i * 3), "d" + std::to_string(i % 9), "", i % 2 ? "app" : "web");
          e.received_at = kNow;
          batch.push_back(e);
        }
        auto n = store.Insert(batch);
        if (n.ok()) {
          stored += *n;
        } else {
          ++failures;
        }
      }
    });
  }
  // Two folders, as two replicas would run.
  std::vector<std::thread> folders;
  for (int k = 0; k < 2; ++k) {
    folders.emplace_back([&] {
      while (!done.load()) {
        if (!store.FoldRollup(7).ok()) ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  done = true;
  for (auto& thread : folders) thread.join();
  REQUIRE(store.FoldRollup(100000).ok());
  CHECK(failures.load() == 0);
  CHECK(stored.load() == 3 * 8 * 40);
  CHECK(f.Count("SELECT count(*) FROM behaviour_hourly_pending") == 0);
  CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly_folded") == 3 * 8 * 40);
  CHECK(f.Count("SELECT sum(events) FROM behaviour_hourly") == 3 * 8 * 40);
  CHECK(f.Count("SELECT count(*) FROM (SELECT hour, channel, event_type FROM behaviour_hourly_folded "
                "GROUP BY 1, 2, 3 HAVING count(*) > 1) AS twice") == 0);
  CHECK(f.Count("SELECT round(hll_cardinality(hll_union_agg(visitors)))::bigint FROM behaviour_hourly") == 9);
}

TEST_CASE("Binary COPY rows store every value as it is, times in UTC to the microsecond") {
  Fixture f;
  std::mt19937_64 random(5);
  std::vector<BehaviourEvent> events;
  const BehaviourEventType types[] = {BehaviourEventType::kView, BehaviourEventType::kSearch,
                                      BehaviourEventType::kShare};
  // Texts COPY's text format would escape, UTF-8, empty (NULL for the nullable columns), a long one.
  const std::string texts[] = {
      "a\tb", "line\nbreak\r", "back\\slash", "\\N", "绿茶 green tea", "", "x", std::string(kMaxQueryLength, 'q')};
  for (int i = 0; i < 2000; ++i) {
    BehaviourEvent e;
    e.event_id = absl::StrCat("e", i, texts[i % 8]);
    e.type = types[i % 3];
    // From 1900 to 2200, leap days and pre-1970 and pre-2000 included.
    e.occurred_at = absl::FromUnixMicros(static_cast<int64_t>(random() % (int64_t{300} * 365 * 86400 * 1000000)) -
                                         int64_t{70} * 365 * 86400 * 1000000);
    e.received_at = i % 2 == 0 ? absl::FromCivil(absl::CivilSecond(2024, 2, 29, 23, 59, 59), absl::UTCTimeZone())
                               : e.occurred_at + absl::Microseconds(1);
    e.device_id = absl::StrCat("d", texts[(i + 1) % 8]);
    e.user_id = texts[(i + 2) % 8];
    e.session_id = texts[(i + 3) % 8];
    e.channel = absl::StrCat("c", texts[(i + 4) % 8]);
    e.product_id = texts[(i + 5) % 8];
    e.sku_id = texts[(i + 6) % 8];
    e.query = texts[(i + 7) % 8];
    events.push_back(e);
  }
  std::vector<BehaviourEvent> stored;
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                tx.exec("CREATE TEMP TABLE copied (LIKE behaviour_events) ON COMMIT DROP");
                CopyBehaviourRows(tx, "copied", BehaviourCopyData(events));
                for (const pqxx::row& row : tx.exec(
                         "SELECT event_id, (extract(epoch FROM occurred_at) * 1000000)::bigint, "
                         "(extract(epoch FROM received_at) * 1000000)::bigint, event_type, device_id, "
                         "coalesce(user_id, ''), session_id, channel, coalesce(product_id, ''), coalesce(sku_id, ''), "
                         "coalesce(query, ''), user_id IS NULL, product_id IS NULL, sku_id IS NULL, query IS NULL, "
                         "to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') "
                         "FROM copied ORDER BY substring(event_id FROM '^e([0-9]+)')::int")) {
                  BehaviourEvent e;
                  e.event_id = row[0].as<std::string>();
                  e.occurred_at = absl::FromUnixMicros(row[1].as<int64_t>());
                  e.received_at = absl::FromUnixMicros(row[2].as<int64_t>());
                  e.type = static_cast<BehaviourEventType>(row[3].as<int>());
                  e.device_id = row[4].as<std::string>();
                  e.user_id = row[5].as<std::string>();
                  e.session_id = row[6].as<std::string>();
                  e.channel = row[7].as<std::string>();
                  e.product_id = row[8].as<std::string>();
                  e.sku_id = row[9].as<std::string>();
                  e.query = row[10].as<std::string>();
                  const size_t i = stored.size();
                  REQUIRE(i < events.size());
                  // NULL exactly for the empty nullable values; the civil time as absl formats it in UTC.
                  CHECK(row[11].as<bool>() == events[i].user_id.empty());
                  CHECK(row[12].as<bool>() == events[i].product_id.empty());
                  CHECK(row[13].as<bool>() == events[i].sku_id.empty());
                  CHECK(row[14].as<bool>() == events[i].query.empty());
                  CHECK(row[15].as<std::string>() ==
                        absl::FormatTime("%Y-%m-%d %H:%M:%E6S", events[i].occurred_at, absl::UTCTimeZone()));
                  stored.push_back(e);
                }
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(stored.size() == events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    INFO(i << " " << absl::FormatTime(events[i].occurred_at));
    const BehaviourEvent& want = events[i];
    const BehaviourEvent& got = stored[i];
    CHECK(got.event_id == want.event_id);
    CHECK(got.occurred_at == want.occurred_at);
    CHECK(got.received_at == want.received_at);
    CHECK(got.type == want.type);
    CHECK(got.device_id == want.device_id);
    CHECK(got.user_id == want.user_id);
    CHECK(got.session_id == want.session_id);
    CHECK(got.channel == want.channel);
    CHECK(got.product_id == want.product_id);
    CHECK(got.sku_id == want.sku_id);
    CHECK(got.query == want.query);
  }
}

TEST_CASE("A binary COPY that repeats a stored key fails as a unique violation and leaves the connection usable") {
  Fixture f;
  BehaviourEvent e = Event("dup", BehaviourEventType::kView, kNow, "d1");
  e.received_at = kNow;
  absl::Status status = f.pool->Transact([&](pqxx::work& tx) {
    tx.exec("CREATE TEMP TABLE copied (LIKE behaviour_events INCLUDING INDEXES) ON COMMIT DROP");
    CopyBehaviourRows(tx, "copied", BehaviourCopyData({e}));
    CopyBehaviourRows(tx, "copied", BehaviourCopyData({e}));
    return absl::OkStatus();
  });
  CHECK(absl::IsAlreadyExists(status));
  // Every connection of the pool still works.
  for (int i = 0; i < 8; ++i) CHECK(f.Count("SELECT 1") == 1);
}

TEST_CASE("The funnel query counts each step exactly as the C++ rule does") {
  Fixture f;
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore store(*f.pool, partitions, kWindow);
  std::mt19937 random(7);
  std::vector<BehaviourEvent> events;
  std::vector<StepEvent> order_steps;
  const BehaviourEventType kinds[] = {BehaviourEventType::kView, BehaviourEventType::kAddToCart,
                                      BehaviourEventType::kCheckout};
  for (int v = 0; v < 60; ++v) {
    const std::string user = "u" + std::to_string(v);
    const std::string channel = v % 2 == 0 ? "app" : "web";
    for (int i = 0; i < 6; ++i) {
      const absl::Time at = kNow - absl::Hours(40) + absl::Minutes(static_cast<int>(random() % (48 * 60)));
      events.push_back(Event(user + "-" + std::to_string(i), kinds[random() % 3], at, "d" + user, user, channel));
    }
    for (FunnelStep step : {FunnelStep::kOrder, FunnelStep::kPay}) {
      if (random() % 2 == 0) {
        order_steps.push_back(
            {"u:" + user, step, kNow - absl::Hours(40) + absl::Minutes(static_cast<int>(random() % (48 * 60))), ""});
      }
    }
  }
  REQUIRE(store.Insert(events).ok());
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                PgFunnelStore::Fold(tx, order_steps, kWindow);
                return absl::OkStatus();
              })
              .ok());

  PgFunnelStore funnel(*f.pool);
  for (absl::Duration window : {kWindow, absl::Hours(6), absl::Minutes(30)}) {
    std::map<std::string, std::array<int64_t, kFunnelSteps>> expected;
    for (int v = 0; v < 60; ++v) {
      auto journeys = funnel.JourneysOf("u:u" + std::to_string(v));
      REQUIRE(journeys.ok());
      for (const Journey& journey : *journeys) {
        if (journey.started_at < kNow - absl::Hours(30) || journey.started_at >= kNow) continue;
        const int reached = StepsReached(journey, window);
        for (int k = 0; k < reached; ++k) ++expected[journey.channel][k];
      }
    }
    auto counted = funnel.ReachedByChannel({kNow - absl::Hours(30), kNow, window, ""});
    REQUIRE(counted.ok());
    INFO("window " << absl::FormatDuration(window));
    CHECK(*counted == expected);
    CHECK(expected["app"][0] > 0);
  }
  auto app_only = funnel.ReachedByChannel({kNow - absl::Hours(30), kNow, kWindow, "app"});
  REQUIRE(app_only.ok());
  CHECK(app_only->size() == 1);
  CHECK(app_only->count("app") == 1);
}

TEST_CASE("The dashboard's SQL gives the C++ figures by shop day and channel") {
  Fixture f;
  absl::TimeZone shanghai;
  REQUIRE(absl::LoadTimeZone("Asia/Shanghai", &shanghai));
  std::mt19937 random(11);
  std::vector<OrderFact> facts;
  std::map<std::string, OrderFact> by_id;
  const absl::Time base = kNow - absl::Hours(72);
  std::vector<OrderEvent> order_events;
  for (int i = 0; i < 200; ++i) {
    const std::string id = "o" + std::to_string(i);
    const std::string user = "u" + std::to_string(random() % 40);
    const std::string channel = random() % 3 == 0 ? "web" : "app";
    const std::string currency = random() % 10 == 0 ? "USD" : "CNY";
    const absl::Time placed = base + absl::Minutes(static_cast<int>(random() % (72 * 60)));
    const int64_t total = 100 + random() % 10000;
    order_events.push_back({OrderEventKind::kPlaced, id, placed, currency, total, user, channel});
    if (random() % 3 != 0) {
      order_events.push_back(
          {OrderEventKind::kPaid, id, placed + absl::Minutes(10 + random() % 2000), currency, total, user, ""});
      if (random() % 4 == 0) {
        order_events.push_back(
            {OrderEventKind::kRefunded, id, placed + absl::Hours(30), currency, total / 2, user, ""});
      }
    } else if (random() % 2 == 0) {
      order_events.push_back({OrderEventKind::kCancelled, id, placed + absl::Minutes(30), "", 0, user, ""});
    }
  }
  REQUIRE(f.pool
              ->Transact([&](pqxx::work& tx) {
                for (const OrderEvent& event : order_events) PgOrderFactStore::Record(tx, event);
                return absl::OkStatus();
              })
              .ok());
  for (const OrderEvent& event : order_events) Apply(event, &by_id[event.order_id]);
  for (const auto& entry : by_id) facts.push_back(entry.second);

  // Traffic: 3 devices on the app, 2 on the web, all in the range's first shop day.
  BehaviourPartitions partitions(*f.pool);
  PgBehaviourEventStore behaviour(*f.pool, partitions, kWindow);
  std::vector<BehaviourEvent> views;
  for (int i = 0; i < 10; ++i) {
    views.push_back(Event("pv" + std::to_string(i), BehaviourEventType::kView, base + absl::Hours(1) + absl::Minutes(i),
                          "dev" + std::to_string(i % 5), "", i % 5 < 3 ? "app" : "web"));
  }
  views.push_back(Event("search", BehaviourEventType::kSearch, base + absl::Hours(1), "dev9", "", "web"));
  REQUIRE(behaviour.Insert(views).ok());

  auto days = ShopDays(base, kNow, shanghai);
  REQUIRE(days.ok());
  PgDashboardStore store(*f.pool);
  const TimeRange range{base, kNow};
  auto sql = store.Breakdown("CNY", range, *days);
  REQUIRE(sql.ok());
  DashboardBreakdown cpp = BreakdownOrders(facts, "CNY", range, *days);
  auto same_orders = [](const DashboardFigures& a, const DashboardFigures& b) {
    return a.orders_placed == b.orders_placed && a.orders_paid == b.orders_paid &&
           a.orders_cancelled == b.orders_cancelled && a.orders_refunded == b.orders_refunded &&
           a.gmv_minor == b.gmv_minor && a.paid_gmv_minor == b.paid_gmv_minor && a.refunded_minor == b.refunded_minor &&
           a.buyers == b.buyers;
  };
  CHECK(same_orders(sql->total, cpp.total));
  CHECK(cpp.total.orders_paid > 0);
  CHECK(cpp.total.orders_refunded > 0);
  for (const auto& [day, figures] : cpp.by_day) {
    INFO("day " << day);
    CHECK(same_orders(sql->by_day[day], figures));
  }
  for (const auto& [channel, figures] : cpp.by_channel) {
    INFO("channel " << channel);
    CHECK(same_orders(sql->by_channel[channel], figures));
  }
  CHECK(sql->total.page_views == 10);
  CHECK(sql->total.visitors == 6);
  CHECK(sql->by_channel["app"].visitors == 3);
  CHECK(sql->by_channel["web"].visitors == 3);
  CHECK(sql->by_channel["web"].page_views == 4);
  const int first_day = DayIndexOf(*days, base + absl::Hours(1));
  CHECK(sql->by_day[first_day].visitors == 6);
}

}  // namespace
}  // namespace zhongtai::datahub
