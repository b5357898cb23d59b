#include "services/datahub/domain/behaviour_events.h"

#include <catch2/catch.hpp>
#include <set>

#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

const absl::Time kNow = absl::FromCivil(absl::CivilHour(2026, 12, 3, 10), absl::UTCTimeZone());

BehaviourEvent View(const std::string& id, absl::Duration ago = absl::Minutes(1)) {
  BehaviourEvent event;
  event.event_id = id;
  event.type = BehaviourEventType::kView;
  event.occurred_at = kNow - ago;
  event.device_id = "dev-1";
  event.channel = "app";
  event.product_id = "p1";
  return event;
}

// Remembers (event_id, occurred_at) like the table's key; a second insert of one is not new.
class InMemoryBehaviourStore : public BehaviourEventStore {
 public:
  absl::StatusOr<int> Insert(const std::vector<BehaviourEvent>& events) override {
    int fresh = 0;
    for (const BehaviourEvent& e : events) {
      if (keys_.emplace(e.event_id, e.occurred_at).second) {
        stored.push_back(e);
        ++fresh;
      }
    }
    ++calls;
    return fresh;
  }
  std::vector<BehaviourEvent> stored;
  int calls = 0;

 private:
  std::set<std::pair<std::string, absl::Time>> keys_;
};

TEST_CASE("Bad events are reported by index with field and reason, the good ones are kept") {
  InMemoryBehaviourStore store;
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  std::vector<BehaviourEvent> batch = {View("e0"), View(""),   View("e2"), View("e3"),
                                       View("e4"), View("e5"), View("e6"), View("e7")};
  batch[2].device_id.clear();
  batch[3].type = static_cast<BehaviourEventType>(42);
  batch[4].occurred_at = kNow - absl::Hours(73);  // older than the late window
  batch[5].occurred_at = kNow + absl::Minutes(10);
  batch[6].type = BehaviourEventType::kSearch;  // without a query
  batch[7].event_id = std::string(129, 'x');

  auto result = ingestion.Ingest(batch, "");
  REQUIRE(result.ok());
  CHECK(result->accepted == 1);
  REQUIRE(result->rejected.size() == 7);
  auto check = [&](size_t i, int index, const char* field, const char* reason) {
    CHECK(result->rejected[i].index == index);
    CHECK(FieldOf(result->rejected[i].status) == field);
    CHECK(ReasonOf(result->rejected[i].status) == reason);
  };
  check(0, 1, "eventId", "REQUIRED");
  check(1, 2, "deviceId", "REQUIRED");
  check(2, 3, "type", "EVENT_TYPE_UNKNOWN");
  check(3, 4, "occurTime", "EVENT_TOO_LATE");
  check(4, 5, "occurTime", "EVENT_IN_FUTURE");
  check(5, 6, "query", "REQUIRED");
  check(6, 7, "eventId", "FIELD_TOO_LONG");
  REQUIRE(store.stored.size() == 1);
  CHECK(store.stored[0].event_id == "e0");
}

TEST_CASE("A late event inside the window is accepted, a little clock skew too") {
  InMemoryBehaviourStore store;
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{absl::Hours(72), absl::Minutes(5)});
  auto result = ingestion.Ingest({View("late", absl::Hours(71)), View("ahead", -absl::Minutes(4))}, "");
  REQUIRE(result.ok());
  CHECK(result->accepted == 2);
  CHECK(result->rejected.empty());
}

TEST_CASE("The user comes from the caller, never from the event, and the arrival time is the server's") {
  InMemoryBehaviourStore store;
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  BehaviourEvent event = View("e1");
  event.user_id = "someone-else";
  REQUIRE(ingestion.Ingest({event}, "u42").ok());
  CHECK(store.stored.at(0).user_id == "u42");
  CHECK(store.stored.at(0).received_at == kNow);
  REQUIRE(ingestion.Ingest({View("e2")}, "").ok());
  CHECK(store.stored.at(1).user_id.empty());
}

TEST_CASE("A retried batch and repeats within a batch are duplicates, stored once") {
  InMemoryBehaviourStore store;
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  auto first = ingestion.Ingest({View("a"), View("b"), View("a")}, "");
  REQUIRE(first.ok());
  CHECK(first->accepted == 2);
  CHECK(first->duplicates == 1);
  auto retry = ingestion.Ingest({View("a"), View("b"), View("c")}, "");
  REQUIRE(retry.ok());
  CHECK(retry->accepted == 1);
  CHECK(retry->duplicates == 2);
  CHECK(store.stored.size() == 3);
}

// The repeats are found by sorting, not in arrival order: the kept one must still be the first valid one, in the
// batch's order, and only an equal (id, time) is a repeat.
TEST_CASE("Within a batch the first valid event of an id and time is kept, later repeats counted, the order kept") {
  InMemoryBehaviourStore store;
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  std::vector<BehaviourEvent> batch = {
      View("z"), View("a"), View("m", absl::Minutes(2)), View("a"), View("m"), View("z"), View("a"), View("q")};
  batch[0].device_id.clear();  // invalid: the valid "z" at index 5 is kept
  batch[1].product_id = "p-first";
  batch[3].product_id = "p-second";
  batch[7].occurred_at = kNow + absl::Hours(1);  // invalid, reported by index
  auto result = ingestion.Ingest(batch, "");
  REQUIRE(result.ok());
  REQUIRE(result->rejected.size() == 2);
  CHECK(result->rejected[0].index == 0);
  CHECK(result->rejected[1].index == 7);
  CHECK(result->duplicates == 2);  // indexes 3 and 6
  CHECK(result->accepted == 4);
  REQUIRE(store.stored.size() == 4);
  // a (index 1), m 2 minutes ago (2), m 1 minute ago (4: another time, not a repeat), z (5): the batch's order.
  CHECK(store.stored[0].event_id == "a");
  CHECK(store.stored[0].product_id == "p-first");
  CHECK(store.stored[1].event_id == "m");
  CHECK(store.stored[1].occurred_at == kNow - absl::Minutes(2));
  CHECK(store.stored[2].event_id == "m");
  CHECK(store.stored[2].occurred_at == kNow - absl::Minutes(1));
  CHECK(store.stored[3].event_id == "z");
}

TEST_CASE("An empty batch or one over 500 events is refused whole") {
  InMemoryBehaviourStore store;
  FakeClock clock(kNow);
  BehaviourIngestion ingestion(store, clock, IngestPolicy{});
  auto empty = ingestion.Ingest({}, "");
  CHECK(ReasonOf(empty.status()) == "REQUIRED");
  CHECK(FieldOf(empty.status()) == "events");
  std::vector<BehaviourEvent> big;
  for (int i = 0; i <= kMaxEventsPerBatch; ++i) big.push_back(View("e" + std::to_string(i)));
  auto too_many = ingestion.Ingest(big, "");
  CHECK(too_many.status().code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(too_many.status()) == "TOO_MANY_EVENTS");
  big.pop_back();
  CHECK(ingestion.Ingest(big, "").ok());
  CHECK(store.calls == 1);
}

}  // namespace
}  // namespace zhongtai::datahub
