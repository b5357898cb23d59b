#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "common/events/consumer.h"
#include "common/events/dead_letters.h"
#include "common/events/outbox.h"
#include "common/events/relay.h"
#include "common/status/status.h"
#include "common/testing/stores.h"

namespace zhongtai::events {
namespace {

struct Stores {
  testing::TestDatabase db;
  std::unique_ptr<pg::Pool> pg;
  std::unique_ptr<redis::Pool> redis;
  std::string stream = testing::UniqueName("zt.test.events");

  Stores() {
    auto pg_pool = pg::Pool::Open({db.dsn(), 4, absl::Seconds(5), "test"});
    REQUIRE(pg_pool.ok());
    pg = std::move(pg_pool).value();
    auto redis_pool = redis::Pool::Open({testing::RedisAddress(), 4, absl::Seconds(1)});
    REQUIRE(redis_pool.ok());
    redis = std::move(redis_pool).value();
    REQUIRE(pg::Migrate(*pg, SchemaMigrations()).ok());
    REQUIRE(pg::Migrate(*pg, {{"0001_effects",
                               "CREATE TABLE effects (event_id text NOT NULL, type text, "
                               "key text, payload bytea, occurred_at timestamptz)"}})
                .ok());
  }
  ~Stores() { (void)redis->Command({"DEL", stream, DeadLetterStream(stream)}); }

  redis::Reply Run(const std::vector<std::string>& argv) {
    auto reply = redis->Command(argv);
    REQUIRE(reply.ok());
    return *reply;
  }
  int64_t StreamLength() { return Run({"XLEN", stream}).integer(); }
  int64_t Pending(const std::string& group) { return Run({"XPENDING", stream, group}).element(0).integer(); }
  int64_t DeadLetters() { return Run({"XLEN", DeadLetterStream(stream)}).integer(); }
  // Appends `n` events ev-<prefix>-<i> and publishes them.
  void Publish(OutboxRelay& relay, const std::string& prefix, int n) {
    for (int i = 0; i < n; ++i) Append(MakeEventFor(prefix + "-" + std::to_string(i)));
    auto published = relay.PublishOnce();
    REQUIRE(published.ok());
    REQUIRE(*published == n);
  }
  static Event MakeEventFor(const std::string& id);
  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    REQUIRE(pg->Transact([&](pqxx::work& tx) {
                n = tx.exec1(sql)[0].as<int64_t>();
                return absl::OkStatus();
              }).ok());
    return n;
  }
  void Append(const Event& event) {
    REQUIRE(pg->Transact([&](pqxx::work& tx) { return AppendToOutbox(tx, stream, event); }).ok());
  }
};

Event MakeEvent(const std::string& id) {
  return Event{id, "zhongtai.test.v1.Thing", "thing-" + id, std::string("\x01\x00\xff payload", 11),
               absl::FromUnixMillis(1700000000123)};
}

Event Stores::MakeEventFor(const std::string& id) { return MakeEvent(id); }

// Records each handled event in `effects`, in the handler's transaction.
Handler RecordEffect() {
  return [](pqxx::work& tx, const Event& event) {
    tx.exec_params("INSERT INTO effects VALUES ($1, $2, $3, $4, to_timestamp($5::float8 / 1000))", event.id, event.type,
                   event.key, pqxx::binarystring(event.payload), absl::ToUnixMillis(event.occurred_at));
    return absl::OkStatus();
  };
}

template <typename Pred>
bool WaitFor(Pred pred, absl::Duration limit = absl::Seconds(10)) {
  absl::Time deadline = absl::Now() + limit;
  while (absl::Now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

TEST_CASE("An outbox row written in a rolled-back transaction is never published") {
  Stores s;
  absl::Status rolled_back = s.pg->Transact([&](pqxx::work& tx) {
    RETURN_IF_ERROR(AppendToOutbox(tx, s.stream, MakeEvent("ev-rolled-back")));
    return FailedPrecondition("OUT_OF_STOCK", "business rule said no");
  });
  REQUIRE(rolled_back.code() == absl::StatusCode::kFailedPrecondition);
  s.Append(MakeEvent("ev-committed"));

  OutboxRelay relay(*s.pg, *s.redis);
  CHECK(s.Count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 1);
  auto published = relay.PublishOnce();
  REQUIRE(published.ok());
  CHECK(*published == 1);
  CHECK(*relay.PublishOnce() == 0);
  CHECK(relay.lag_seconds() == 0);

  redis::Reply entries = s.Run({"XRANGE", s.stream, "-", "+"});
  REQUIRE(entries.size() == 1);
  std::map<std::string, std::string> fields;
  const redis::Reply& kv = entries.element(0).element(1);
  for (size_t i = 0; i + 1 < kv.size(); i += 2) fields[kv.element(i).str()] = kv.element(i + 1).str();
  CHECK(fields["id"] == "ev-committed");
  CHECK(fields["type"] == "zhongtai.test.v1.Thing");
  CHECK(fields["key"] == "thing-ev-committed");
  CHECK(fields["payload"] == std::string("\x01\x00\xff payload", 11));
  CHECK(fields["occurred_at"] == "2023-11-14T22:13:20.123000Z");
  CHECK(s.Count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
}

TEST_CASE("The relay reports lag while Redis is down and catches up afterwards") {
  Stores s;
  s.Append(MakeEvent("ev-1"));
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("UPDATE outbox SET created_at = clock_timestamp() - interval '30 seconds'");
                return absl::OkStatus();
              })
              .ok());
  auto dead_redis = redis::Pool::Open({testing::RedisAddress(), 1, absl::Seconds(1)});
  REQUIRE(dead_redis.ok());
  (*dead_redis)->Close();
  OutboxRelay failing(*s.pg, **dead_redis);
  CHECK(failing.PublishOnce().status().code() == absl::StatusCode::kUnavailable);
  CHECK(failing.lag_seconds() >= 30);
  CHECK(s.StreamLength() == 0);

  OutboxRelay relay(*s.pg, *s.redis);
  CHECK(*relay.PublishOnce() == 1);
  CHECK(relay.lag_seconds() == 0);
  CHECK(s.StreamLength() == 1);
}

TEST_CASE("A published event is handled once even when delivered twice") {
  Stores s;
  s.Append(MakeEvent("ev-twice"));
  OutboxRelay relay(*s.pg, *s.redis);
  REQUIRE(*relay.PublishOnce() == 1);
  // At-least-once: the relay may publish again (e.g. it crashed before its commit).
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("UPDATE outbox SET published_at = NULL");
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(*relay.PublishOnce() == 1);
  REQUIRE(s.StreamLength() == 2);

  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g1", "c1", absl::Milliseconds(50)}, RecordEffect());
  auto polled = consumer.PollOnce();
  REQUIRE(polled.ok());
  CHECK(*polled == 2);
  CHECK(consumer.handled() == 1);
  CHECK(consumer.duplicates() == 1);
  CHECK(s.Count("SELECT count(*) FROM effects WHERE event_id = 'ev-twice'") == 1);
  CHECK(s.Count("SELECT count(*) FROM effects WHERE key = 'thing-ev-twice' AND type = 'zhongtai.test.v1.Thing' "
                "AND payload = '\\x0100ff207061796c6f6164'::bytea "
                "AND occurred_at = to_timestamp(1700000000.123)") == 1);
  CHECK(s.Pending("g1") == 0);

  // Another group sees the event independently.
  StreamConsumer other(*s.pg, *s.redis, {s.stream, "g2", "c1", absl::Milliseconds(50)}, RecordEffect());
  REQUIRE(other.PollOnce().ok());
  CHECK(other.handled() == 1);
  CHECK(s.Count("SELECT count(*) FROM effects WHERE event_id = 'ev-twice'") == 2);
}

TEST_CASE("A group that wants some types acknowledges the others without a transaction or an inbox row") {
  Stores s;
  s.Append(MakeEvent("ev-thing"));
  Event other = MakeEvent("ev-other");
  other.type = "zhongtai.test.v1.Other";
  s.Append(other);
  s.Append(MakeEvent("ev-thing-2"));
  OutboxRelay relay(*s.pg, *s.redis);
  REQUIRE(*relay.PublishOnce() == 3);

  ConsumerOptions options{s.stream, "picky", "c1", absl::Milliseconds(50)};
  options.types = {"zhongtai.test.v1.Thing"};
  StreamConsumer picky(*s.pg, *s.redis, options, RecordEffect());
  auto polled = picky.PollOnce();
  REQUIRE(polled.ok());
  CHECK(*polled == 3);
  CHECK(picky.handled() == 2);
  CHECK(picky.skipped() == 1);
  CHECK(s.Pending("picky") == 0);
  CHECK(s.Count("SELECT count(*) FROM effects WHERE event_id = 'ev-other'") == 0);
  CHECK(s.Count("SELECT count(*) FROM inbox WHERE consumer_group = 'picky'") == 2);
  CHECK(s.Count("SELECT count(*) FROM inbox WHERE event_id = 'ev-other'") == 0);

  // Without a list every type is handled.
  StreamConsumer all(*s.pg, *s.redis, {s.stream, "all", "c1", absl::Milliseconds(50)}, RecordEffect());
  REQUIRE(all.PollOnce().ok());
  CHECK(all.handled() == 3);
  CHECK(all.skipped() == 0);
}

TEST_CASE("Inbox rows older than the retention are pruned, per group, and newer ones still dedupe") {
  Stores s;
  s.Append(MakeEvent("ev-recent"));
  OutboxRelay relay(*s.pg, *s.redis);
  REQUIRE(*relay.PublishOnce() == 1);
  ConsumerOptions options{s.stream, "g", "c1", absl::Milliseconds(50)};
  options.inbox_retention = absl::Hours(24);
  StreamConsumer consumer(*s.pg, *s.redis, options, RecordEffect());
  REQUIRE(consumer.PollOnce().ok());
  REQUIRE(consumer.handled() == 1);
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec(
                    "INSERT INTO inbox (consumer_group, event_id, handled_at) VALUES "
                    "('g', 'ev-old-1', now() - interval '2 days'), ('g', 'ev-old-2', now() - interval '25 hours'), "
                    "('other', 'ev-old-3', now() - interval '30 days')");
                return absl::OkStatus();
              })
              .ok());

  auto pruned = consumer.PruneInbox();
  REQUIRE(pruned.ok());
  CHECK(*pruned == 2);
  CHECK(s.Count("SELECT count(*) FROM inbox WHERE consumer_group = 'g'") == 1);      // ev-recent stays
  CHECK(s.Count("SELECT count(*) FROM inbox WHERE consumer_group = 'other'") == 1);  // not this group's

  // ev-recent delivered again is still a duplicate.
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("UPDATE outbox SET published_at = NULL");
                return absl::OkStatus();
              })
              .ok());
  REQUIRE(*relay.PublishOnce() == 1);
  REQUIRE(consumer.PollOnce().ok());
  CHECK(consumer.duplicates() == 1);
  CHECK(s.Count("SELECT count(*) FROM effects WHERE event_id = 'ev-recent'") == 1);
}

TEST_CASE("A failed handler leaves the entry unacknowledged and it is retried") {
  Stores s;
  s.Append(MakeEvent("ev-flaky"));
  OutboxRelay relay(*s.pg, *s.redis);
  REQUIRE(*relay.PublishOnce() == 1);
  int calls = 0;
  Handler flaky = [&](pqxx::work& tx, const Event& event) {
    ++calls;
    RETURN_IF_ERROR(RecordEffect()(tx, event));  // rolled back with the failure
    if (calls == 1) return Unavailable("DOWNSTREAM_DOWN", "try later");
    return absl::OkStatus();
  };
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(50)}, flaky);
  REQUIRE(consumer.PollOnce().ok());
  CHECK(consumer.failures() == 1);
  CHECK(s.Pending("g") == 1);
  CHECK(s.Count("SELECT count(*) FROM effects") == 0);
  REQUIRE(consumer.PollOnce().ok());
  CHECK(calls == 2);
  CHECK(s.Pending("g") == 0);
  CHECK(s.Count("SELECT count(*) FROM effects") == 1);
}

TEST_CASE("The events of one read commit in one transaction and a failing one is retried alone") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 5);
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("CREATE TABLE handled_in (event_id text, txid bigint)");
                return absl::OkStatus();
              })
              .ok());
  bool poisoned = true;
  Handler handler = [&](pqxx::work& tx, const Event& event) {
    tx.exec_params("INSERT INTO handled_in VALUES ($1, txid_current())", event.id);
    if (poisoned && event.id == "ev-2") return InvalidArgument("payload", "BAD_THING", "cannot handle this one");
    return RecordEffect()(tx, event);
  };
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)}, handler);
  REQUIRE(consumer.PollOnce().ok());
  // The batch rolled back with ev-2; each event then ran alone: four committed, ev-2 failed and stays pending.
  CHECK(consumer.handled() == 4);
  CHECK(consumer.failures() == 1);
  CHECK(s.Pending("g") == 1);
  CHECK(s.Count("SELECT count(*) FROM effects") == 4);
  CHECK(s.Count("SELECT count(DISTINCT txid) FROM handled_in") == 4);

  poisoned = false;
  s.Publish(relay, "more", 3);
  REQUIRE(consumer.PollOnce().ok());  // ev-2 again, alone (own pending entries first)
  REQUIRE(consumer.PollOnce().ok());  // the three new ones, together
  CHECK(consumer.handled() == 8);
  CHECK(s.Pending("g") == 0);
  CHECK(s.Count("SELECT count(*) FROM effects") == 8);
  CHECK(s.Count("SELECT count(DISTINCT txid) FROM handled_in WHERE event_id LIKE 'more-%'") == 1);
}

TEST_CASE("A batch handler gets the new events of one read at once, in stream order, without the duplicates") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 2);
  std::vector<std::vector<std::string>> calls;
  BatchHandler handler = [&](pqxx::work& tx, const std::vector<Event>& events) {
    calls.emplace_back();
    for (const Event& event : events) {
      calls.back().push_back(event.id);
      RETURN_IF_ERROR(RecordEffect()(tx, event));
    }
    return absl::OkStatus();
  };
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)}, handler);
  REQUIRE(consumer.PollOnce().ok());
  // Two events the group handled before (their inbox rows, as after a replay) among three new ones: the handler sees
  // the new ones only, in one call.
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("INSERT INTO inbox (consumer_group, event_id) VALUES ('g', 'old-0'), ('g', 'old-1')");
                return absl::OkStatus();
              })
              .ok());
  for (const char* id : {"new-0", "old-0", "new-1", "old-1", "new-2"}) s.Append(MakeEvent(id));
  REQUIRE(*relay.PublishOnce() == 5);
  REQUIRE(consumer.PollOnce().ok());
  REQUIRE(calls.size() == 2);
  CHECK(calls[0] == std::vector<std::string>{"ev-0", "ev-1"});
  CHECK(calls[1] == std::vector<std::string>{"new-0", "new-1", "new-2"});
  CHECK(consumer.handled() == 5);
  CHECK(consumer.duplicates() == 2);
  CHECK(s.Count("SELECT count(*) FROM effects") == 5);
  CHECK(s.Pending("g") == 0);
}

TEST_CASE("Entries pending on a consumer that died are claimed and handled by another") {
  Stores s;
  for (int i = 0; i < 3; ++i) s.Append(MakeEvent("ev-" + std::to_string(i)));
  OutboxRelay relay(*s.pg, *s.redis);
  REQUIRE(*relay.PublishOnce() == 3);
  s.Run({"XGROUP", "CREATE", s.stream, "g", "0"});
  // The dead consumer read everything and never acknowledged.
  redis::Reply read = s.Run({"XREADGROUP", "GROUP", "g", "dead", "COUNT", "10", "STREAMS", s.stream, ">"});
  REQUIRE(read.element(0).element(1).size() == 3);
  REQUIRE(s.Pending("g") == 3);

  StreamConsumer survivor(*s.pg, *s.redis, {s.stream, "g", "alive", absl::Milliseconds(50), absl::Milliseconds(300)},
                          RecordEffect());
  survivor.Start();
  CHECK(WaitFor([&] { return survivor.handled() == 3; }));
  survivor.Stop();
  CHECK(s.Pending("g") == 0);
  CHECK(s.Count("SELECT count(DISTINCT event_id) FROM effects") == 3);
}

TEST_CASE("Relay and consumer threads carry events from commit to handler") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis, {absl::Milliseconds(10), 7});
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "", absl::Milliseconds(100)}, RecordEffect());
  relay.Start();
  consumer.Start();
  constexpr int kEvents = 40;
  for (int i = 0; i < kEvents; ++i) s.Append(MakeEvent("ev-" + std::to_string(i)));
  CHECK(WaitFor([&] { return consumer.handled() == kEvents; }));
  consumer.Stop();
  relay.Stop();
  relay.Stop();  // idempotent
  CHECK(relay.published() == kEvents);
  CHECK(consumer.duplicates() == 0);
  CHECK(s.Count("SELECT count(DISTINCT event_id) FROM effects") == kEvents);
  CHECK(s.Pending("g") == 0);
}

TEST_CASE("A running consumer answers the first event at once and takes the ones after it together") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("CREATE TABLE handled_in (event_id text, txid bigint)");
                return absl::OkStatus();
              })
              .ok());
  Handler handler = [](pqxx::work& tx, const Event& event) {
    tx.exec_params("INSERT INTO handled_in VALUES ($1, txid_current())", event.id);
    return absl::OkStatus();
  };
  ConsumerOptions options{s.stream, "g", "c1", absl::Milliseconds(200)};
  options.gather = absl::Seconds(2);
  StreamConsumer consumer(*s.pg, *s.redis, options, handler);
  consumer.Start();
  s.Publish(relay, "first", 1);
  // The first event after a quiet spell wakes the blocked read: handled well before the gathering period.
  absl::Time published = absl::Now();
  REQUIRE(WaitFor([&] { return consumer.handled() == 1; }));
  CHECK(absl::Now() - published < absl::Seconds(1));
  // The consumer now gathers: what arrives meanwhile is read, recorded and acknowledged as one batch.
  s.Publish(relay, "burst", 4);
  s.Publish(relay, "late", 2);
  REQUIRE(WaitFor([&] { return consumer.handled() == 7; }));
  consumer.Stop();
  CHECK(s.Count("SELECT count(DISTINCT txid) FROM handled_in WHERE event_id NOT LIKE 'first-%'") == 1);
  CHECK(s.Pending("g") == 0);
}

// ---- dead letters ----

Handler FailFor(const std::string& poison, absl::Status failure) {
  return [poison, failure](pqxx::work& tx, const Event& event) {
    if (event.id == poison) return failure;
    return RecordEffect()(tx, event);
  };
}

TEST_CASE("An entry that fails max_deliveries deliveries goes to the dead-letter stream and is acknowledged") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 3);  // ev-0 .. ev-2; ev-1 cannot be handled
  ConsumerOptions options{s.stream, "g", "c1", absl::Milliseconds(20), absl::Milliseconds(50)};
  options.max_deliveries = 3;
  StreamConsumer consumer(*s.pg, *s.redis, options,
                          FailFor("ev-1", FailedPrecondition("SKU_UNKNOWN", "no such sku in this center")));
  CHECK(WaitFor([&] {
    REQUIRE(consumer.PollOnce().ok());
    return consumer.dead_lettered() == 1;
  }));
  CHECK(consumer.failures() == 3);  // delivered three times, then given up
  CHECK(consumer.handled() == 2);
  CHECK(s.Pending("g") == 0);
  CHECK(s.DeadLetters() == 1);
  auto letters = ListDeadLetters(*s.redis, s.stream, "", 10);
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  const DeadLetter& letter = letters->front();
  CHECK(letter.group == "g");
  CHECK(letter.event_id == "ev-1");
  CHECK(letter.type == "zhongtai.test.v1.Thing");
  CHECK(letter.deliveries == 3);
  CHECK(letter.consumer == "c1");
  CHECK(letter.reason == "SKU_UNKNOWN: no such sku in this center");
  CHECK_FALSE(letter.source_id.empty());
  CHECK_FALSE(letter.dead_at.empty());
  // More polls do nothing more with it.
  for (int i = 0; i < 3; ++i) REQUIRE(consumer.PollOnce().ok());
  CHECK(consumer.dead_lettered() == 1);
  auto stats = consumer.ReadGroupStats();
  REQUIRE(stats.ok());
  CHECK(stats->dead_letters == 1);
  CHECK(stats->pending == 0);

  // Another group that handled ev-1 already; then the dead letter is replayed once the cause is fixed.
  StreamConsumer other(*s.pg, *s.redis, {s.stream, "g2", "c1", absl::Milliseconds(20)}, RecordEffect());
  REQUIRE(other.PollOnce().ok());
  REQUIRE(other.handled() == 3);
  CHECK(ListDeadLetters(*s.redis, s.stream, "another-group", 10)->empty());
  auto moved = ReplayDeadLetters(*s.redis, s.stream, "g", "", 100);
  REQUIRE(moved.ok());
  CHECK(*moved == 1);
  CHECK(s.DeadLetters() == 0);
  StreamConsumer fixed(*s.pg, *s.redis, options, RecordEffect());
  REQUIRE(fixed.PollOnce().ok());
  CHECK(fixed.handled() == 1);
  REQUIRE(other.PollOnce().ok());
  CHECK(other.duplicates() == 1);  // the replay reaches every group; the inbox drops it where it was handled
  CHECK(s.Count("SELECT count(*) FROM effects WHERE event_id = 'ev-1'") == 2);  // once per group
  CHECK(s.Pending("g") == 0);
  CHECK(s.Pending("g2") == 0);
  CHECK(ReplayDeadLetters(*s.redis, s.stream, "", "1-0", 1).status().code() == absl::StatusCode::kNotFound);
}

TEST_CASE("A handler failing because something is down is retried and never dead-lettered") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 1);
  ConsumerOptions options{s.stream, "g", "c1", absl::Milliseconds(20), absl::Milliseconds(30)};
  options.max_deliveries = 2;
  bool down = true;
  StreamConsumer consumer(*s.pg, *s.redis, options, [&](pqxx::work& tx, const Event& event) {
    if (down) return Unavailable("DOWNSTREAM_DOWN", "try later");
    return RecordEffect()(tx, event);
  });
  CHECK(WaitFor([&] {
    REQUIRE(consumer.PollOnce().ok());
    return consumer.failures() >= 6;
  }));
  CHECK(consumer.dead_lettered() == 0);
  CHECK(s.Pending("g") == 1);
  CHECK(s.DeadLetters() == 0);
  down = false;
  CHECK(WaitFor([&] {
    REQUIRE(consumer.PollOnce().ok());
    return consumer.handled() == 1;
  }));
  CHECK(s.Pending("g") == 0);
}

TEST_CASE("A stream entry without an event id or type is dead-lettered as malformed") {
  Stores s;
  s.Run({"XADD", s.stream, "*", "something", "else"});
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)}, RecordEffect());
  REQUIRE(consumer.PollOnce().ok());
  CHECK(consumer.dead_lettered() == 1);
  CHECK(s.Pending("g") == 0);
  auto letters = ListDeadLetters(*s.redis, s.stream, "g", 10);
  REQUIRE(letters.ok());
  REQUIRE(letters->size() == 1);
  CHECK(letters->front().reason.rfind("MALFORMED", 0) == 0);
}

TEST_CASE("An entry whose consumers died on it max_deliveries times is dead-lettered when claimed, unhandled") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 1);
  s.Run({"XGROUP", "CREATE", s.stream, "g", "0"});
  redis::Reply read = s.Run({"XREADGROUP", "GROUP", "g", "dead-1", "STREAMS", s.stream, ">"});
  const std::string id = read.element(0).element(1).element(0).element(0).str();
  // Two more consumers took it over and died too (each claim is a delivery): three deliveries.
  s.Run({"XCLAIM", s.stream, "g", "dead-2", "0", id});
  s.Run({"XCLAIM", s.stream, "g", "dead-3", "0", id});
  int calls = 0;
  ConsumerOptions options{s.stream, "g", "survivor", absl::Milliseconds(20), absl::Milliseconds(1)};
  options.max_deliveries = 3;
  StreamConsumer survivor(*s.pg, *s.redis, options, [&](pqxx::work& tx, const Event& event) {
    ++calls;
    return RecordEffect()(tx, event);
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(survivor.PollOnce().ok());
  CHECK(calls == 0);
  CHECK(survivor.dead_lettered() == 1);
  CHECK(s.Pending("g") == 0);
  auto letters = ListDeadLetters(*s.redis, s.stream, "g", 10);
  REQUIRE(letters->size() == 1);
  CHECK(letters->front().deliveries == 3);
  CHECK(letters->front().reason.rfind("DELIVERY_LIMIT", 0) == 0);
}

// ---- trimming ----

TEST_CASE("The relay trims only entries every group acknowledged and never a slow group's pending entries") {
  Stores s;
  RelayOptions relay_options;
  OutboxRelay relay(*s.pg, *s.redis, relay_options);
  s.Publish(relay, "ev", 10);
  // Nobody reads the stream yet: nothing is known to be acknowledged.
  CHECK(*relay.TrimStream(s.stream) == 0);
  CHECK(s.StreamLength() == 10);

  StreamConsumer fast(*s.pg, *s.redis, {s.stream, "fast", "c1", absl::Milliseconds(20)}, RecordEffect());
  s.Run({"XGROUP", "CREATE", s.stream, "slow", "0"});
  REQUIRE(fast.PollOnce().ok());
  REQUIRE(fast.handled() == 10);
  // The slow group was given all ten and acknowledged the first three only.
  redis::Reply read = s.Run({"XREADGROUP", "GROUP", "slow", "s1", "COUNT", "10", "STREAMS", s.stream, ">"});
  const redis::Reply& entries = read.element(0).element(1);
  REQUIRE(entries.size() == 10);
  std::vector<std::string> ids;
  for (const redis::Reply& e : entries.elements()) ids.push_back(e.element(0).str());
  s.Run({"XACK", s.stream, "slow", ids[0], ids[1], ids[2]});

  auto trimmed = relay.TrimStream(s.stream);
  REQUIRE(trimmed.ok());
  CHECK(*trimmed == 3);
  CHECK(s.StreamLength() == 7);
  CHECK(relay.trimmed() == 3);
  // Every pending entry of the slow group is still in the stream, fields and all, and can be claimed and handled.
  redis::Reply left = s.Run({"XRANGE", s.stream, "-", "+"});
  REQUIRE(left.size() == 7);
  CHECK(left.element(0).element(0).str() == ids[3]);
  CHECK(s.Pending("slow") == 7);
  StreamConsumer slow(*s.pg, *s.redis, {s.stream, "slow", "s2", absl::Milliseconds(20), absl::Milliseconds(1)},
                      RecordEffect());
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  REQUIRE(slow.PollOnce().ok());
  CHECK(slow.handled() == 7);  // ev-3 .. ev-9: the three it acknowledged by hand were never handled here
  CHECK(s.Pending("slow") == 0);
  CHECK(*relay.TrimStream(s.stream) == 7);
  CHECK(s.StreamLength() == 0);

  // A group that was never delivered anything holds everything after its position.
  s.Publish(relay, "more", 4);
  s.Run({"XGROUP", "CREATE", s.stream, "late", "0"});
  CHECK(*relay.TrimStream(s.stream) == 0);
  CHECK(s.StreamLength() == 4);
  CHECK(*relay.TrimStream(testing::UniqueName("zt.test.no-such-stream")) == 0);
}

// ---- lag ----

TEST_CASE("A consumer reports its group's lag, pending entries and the age of the oldest unacknowledged entry") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)}, RecordEffect());
  auto empty = consumer.ReadGroupStats();  // no stream yet
  REQUIRE(empty.ok());
  CHECK(empty->lag == 0);
  s.Publish(relay, "ev", 5);
  s.Run({"XGROUP", "CREATE", s.stream, "g", "0"});
  s.Run({"XREADGROUP", "GROUP", "g", "other", "COUNT", "2", "STREAMS", s.stream, ">"});
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto stats = consumer.ReadGroupStats();
  REQUIRE(stats.ok());
  CHECK(stats->lag == 3);
  CHECK(stats->pending == 2);
  CHECK(stats->oldest_unacked_seconds >= 1.0);
  CHECK(stats->oldest_unacked_seconds < 60);
  CHECK(stats->dead_letters == 0);

  ConsumerOptions options{s.stream, "g", "c1", absl::Milliseconds(20), absl::Milliseconds(1)};
  StreamConsumer catching_up(*s.pg, *s.redis, options, RecordEffect());
  REQUIRE(catching_up.PollOnce().ok());
  REQUIRE(catching_up.handled() == 5);
  stats = catching_up.ReadGroupStats();
  REQUIRE(stats.ok());
  CHECK(stats->lag == 0);
  CHECK(stats->pending == 0);
  CHECK(stats->oldest_unacked_seconds == 0);
}

// ---- replay from the outbox ----

TEST_CASE("A range of the outbox is published again on request and consumers skip what they handled") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 4);
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)}, RecordEffect());
  REQUIRE(consumer.PollOnce().ok());
  REQUIRE(consumer.handled() == 4);
  int64_t third = s.Count("SELECT seq FROM outbox WHERE id = 'ev-2'");
  OutboxRange range;
  range.stream = s.stream;
  range.from_seq = third;
  auto rows = ReplayOutbox(*s.pg, range);
  REQUIRE(rows.ok());
  CHECK(*rows == 2);
  range.stream = "zt.test.another-stream";
  CHECK(*ReplayOutbox(*s.pg, range) == 0);
  CHECK(*relay.PublishOnce() == 2);
  CHECK(s.StreamLength() == 6);
  REQUIRE(consumer.PollOnce().ok());
  CHECK(consumer.duplicates() == 2);
  CHECK(consumer.handled() == 4);
  CHECK(s.Count("SELECT count(*) FROM effects") == 4);
  // By time: nothing was published in the future.
  OutboxRange later;
  later.since = absl::Now() + absl::Hours(1);
  CHECK(*ReplayOutbox(*s.pg, later) == 0);
}

TEST_CASE("A large batch of events the inbox already holds is acknowledged without running the handler") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 12);
  int calls = 0;
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)},
                          [&](pqxx::work& tx, const Event& event) {
                            ++calls;
                            return RecordEffect()(tx, event);
                          });
  REQUIRE(consumer.PollOnce().ok());
  REQUIRE(consumer.handled() == 12);
  OutboxRange everything;
  everything.since = absl::Now() - absl::Hours(1);
  REQUIRE(*ReplayOutbox(*s.pg, everything) == 12);
  s.Append(MakeEvent("new-one"));
  REQUIRE(*relay.PublishOnce() == 13);
  REQUIRE(consumer.PollOnce().ok());
  CHECK(consumer.duplicates() == 12);
  CHECK(consumer.handled() == 13);
  CHECK(calls == 13);
  CHECK(s.Pending("g") == 0);
  CHECK(s.Count("SELECT count(*) FROM effects") == 13);
}

TEST_CASE("After Redis lost its data the relay publishes the recent outbox again, once, and nothing is lost") {
  Stores s;
  OutboxRelay relay(*s.pg, *s.redis);
  s.Publish(relay, "ev", 3);
  StreamConsumer consumer(*s.pg, *s.redis, {s.stream, "g", "c1", absl::Milliseconds(20)}, RecordEffect());
  REQUIRE(consumer.PollOnce().ok());
  REQUIRE(consumer.handled() == 3);
  // Two more committed and published, not yet consumed, and one older than the replay window.
  s.Publish(relay, "unread", 2);
  REQUIRE(s.pg->Transact([](pqxx::work& tx) {
                tx.exec("UPDATE outbox SET published_at = now() - interval '2 days' WHERE id = 'ev-0'");
                return absl::OkStatus();
              })
              .ok());
  CHECK(*relay.CheckRedisEpoch() == false);

  // Redis loses everything: the stream, its groups and the epoch key.
  s.Run({"DEL", s.stream, kRedisEpochKey});
  s.Append(MakeEvent("after-loss"));
  auto published = relay.PublishOnce();
  REQUIRE(published.ok());
  CHECK(relay.losses_detected() == 1);
  CHECK(*published == 5);  // ev-1, ev-2, unread-0, unread-1 again, then after-loss
  redis::Reply entries = s.Run({"XRANGE", s.stream, "-", "+"});
  REQUIRE(entries.size() == 5);
  CHECK(entries.element(4).element(1).element(1).str() == "after-loss");  // what it lost goes out first
  // A replica of the relay (same database) finds the new epoch recorded and replays nothing more.
  OutboxRelay replica(*s.pg, *s.redis);
  CHECK(*replica.CheckRedisEpoch() == false);
  CHECK(*relay.PublishOnce() == 0);

  CHECK(WaitFor([&] {
    (void)consumer.PollOnce();  // the first poll finds its group gone and makes it again
    return consumer.handled() == 6;
  }));
  CHECK(consumer.duplicates() == 2);
  CHECK(s.Count("SELECT count(*) FROM effects") == 6);
  CHECK(s.Count("SELECT count(DISTINCT event_id) FROM effects") == 6);
  CHECK(s.Count("SELECT count(*) FROM outbox WHERE published_at IS NULL") == 0);
}

}  // namespace
}  // namespace zhongtai::events
