#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <thread>

#include "common/events/consumer.h"
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
  ~Stores() { (void)redis->Command({"DEL", stream}); }

  redis::Reply Run(const std::vector<std::string>& argv) {
    auto reply = redis->Command(argv);
    REQUIRE(reply.ok());
    return *reply;
  }
  int64_t StreamLength() { return Run({"XLEN", stream}).integer(); }
  int64_t Pending(const std::string& group) { return Run({"XPENDING", stream, group}).element(0).integer(); }
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

}  // namespace
}  // namespace zhongtai::events
