// POST /v1/events and GET /v1/admin/analytics/funnel over gRPC on an in-process server.
#include <catch2/catch.hpp>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "google/protobuf/util/time_util.h"
#include "services/datahub/api/behaviour_events_api.h"
#include "services/datahub/api/funnel_api.h"

namespace zhongtai::datahub {
namespace {

using google::protobuf::util::TimeUtil;

const absl::Time kNow = absl::FromCivil(absl::CivilHour(2026, 12, 3, 10), absl::UTCTimeZone());

class RecordingStore : public BehaviourEventStore {
 public:
  absl::StatusOr<int> Insert(const std::vector<BehaviourEvent>& events) override {
    int fresh = 0;
    for (const BehaviourEvent& e : events) {
      if (keys_.insert(e.event_id).second) {
        stored.push_back(e);
        ++fresh;
      }
    }
    return fresh;
  }
  std::vector<BehaviourEvent> stored;

 private:
  std::set<std::string> keys_;
};

v1::BehaviourEvent Event(const std::string& id, const std::string& type) {
  v1::BehaviourEvent e;
  e.set_event_id(id);
  e.set_type(type);
  *e.mutable_occur_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kNow - absl::Minutes(1)));
  e.set_device_id("dev1");
  e.set_channel("mini_program");
  e.set_product_id("p1");
  e.set_sku_id("s1");
  return e;
}

// The ingestion API served over gRPC in-process, its store recording what it is given.
struct IngestServer {
  RecordingStore store;
  FakeClock clock{kNow};
  BehaviourIngestion ingestion{store, clock, IngestPolicy{}};
  zhongtai::testing::ApiServer server{"datahub"};
  BehaviourEventsApi api{ingestion, server.workers()};
  std::unique_ptr<v1::BehaviourEventService::Stub> stub = server.Start<v1::BehaviourEventService>(&api);
};

TEST_CASE("POST /v1/events: the user from the token, bad events by index, duplicates counted") {
  IngestServer w;

  v1::IngestEventsRequest request;
  *request.add_events() = Event("e1", "view");
  *request.add_events() = Event("e2", "add_to_cart");
  *request.add_events() = Event("e3", "wishlist");
  *request.add_events() = Event("e4", "");
  v1::BehaviourEvent no_time = Event("e5", "share");
  no_time.clear_occur_time();
  *request.add_events() = no_time;
  *request.add_events() = Event("e1", "view");

  auto context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*context, "gateway", "u9", "customer");
  v1::IngestEventsResponse response;
  grpc::Status status = w.stub->IngestEvents(context.get(), request, &response);
  REQUIRE(status.ok());
  CHECK(response.accepted() == 2);
  CHECK(response.duplicates() == 1);
  REQUIRE(response.rejected_size() == 3);
  CHECK(response.rejected(0).index() == 2);
  CHECK(response.rejected(0).field() == "type");
  CHECK(response.rejected(0).reason() == "EVENT_TYPE_UNKNOWN");
  CHECK(response.rejected(1).index() == 3);
  CHECK(response.rejected(1).reason() == "REQUIRED");
  CHECK(response.rejected(2).index() == 4);
  CHECK(response.rejected(2).field() == "occurTime");
  REQUIRE(w.store.stored.size() == 2);
  CHECK(w.store.stored[0].user_id == "u9");
  CHECK(w.store.stored[1].type == BehaviourEventType::kAddToCart);
  CHECK(w.store.stored[1].channel == "mini_program");
  CHECK(w.store.stored[1].sku_id == "s1");

  // Without a token (a public call through the gateway) the events are the device's only.
  v1::IngestEventsRequest anonymous;
  *anonymous.add_events() = Event("e9", "click");
  auto public_context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*public_context, "gateway");
  REQUIRE(w.stub->IngestEvents(public_context.get(), anonymous, &response).ok());
  CHECK(w.store.stored.back().event_id == "e9");
  CHECK(w.store.stored.back().user_id.empty());

  // An empty batch is refused whole.
  auto empty_context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*empty_context, "gateway");
  v1::IngestEventsRequest empty;
  grpc::Status refused = w.stub->IngestEvents(empty_context.get(), empty, &response);
  absl::Status mapped = FromGrpcStatus(refused, *empty_context);
  CHECK(mapped.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(mapped) == "events");

  w.server.runner().RequestShutdown();
  CHECK(w.server.runner().Wait() == 0);
}

class CannedFunnelStore : public FunnelStore {
 public:
  absl::StatusOr<std::map<std::string, std::array<int64_t, kFunnelSteps>>> ReachedByChannel(
      const FunnelQuery& query) override {
    last = query;
    return std::map<std::string, std::array<int64_t, kFunnelSteps>>{{"app", {{8, 4, 2, 2, 1}}}};
  }
  FunnelQuery last;
};

// The request and response live on an arena per call (IngestEventsArenas): full batches of long values, one after
// another, arrive intact and each call's response is its own.
TEST_CASE("POST /v1/events: full batches of long values arrive intact, call after call") {
  IngestServer w;
  for (int call = 0; call < 3; ++call) {
    v1::IngestEventsRequest request;
    for (int i = 0; i < kMaxEventsPerBatch; ++i) {
      v1::BehaviourEvent e = Event(absl::StrCat("event-", call, "-", i, "-", std::string(40, 'x')), "search");
      e.set_device_id(absl::StrCat("device-", i % 50, "-", std::string(30, 'y')));
      e.set_query(std::string(200, 'q'));
      *request.add_events() = e;
    }
    *request.mutable_events(7)->mutable_event_id() = "";  // one bad event, reported by index
    auto context = server::NewClientContext();
    ::zhongtai::testing::CallAs(*context, "gateway");
    v1::IngestEventsResponse response;
    REQUIRE(w.stub->IngestEvents(context.get(), request, &response).ok());
    CHECK(response.accepted() == kMaxEventsPerBatch - 1);
    CHECK(response.duplicates() == 0);
    REQUIRE(response.rejected_size() == 1);
    CHECK(response.rejected(0).index() == 7);
  }
  REQUIRE(w.store.stored.size() == 3 * (kMaxEventsPerBatch - 1));
  const BehaviourEvent& last = w.store.stored.back();
  CHECK(last.event_id == absl::StrCat("event-2-", kMaxEventsPerBatch - 1, "-", std::string(40, 'x')));
  CHECK(last.device_id == absl::StrCat("device-", (kMaxEventsPerBatch - 1) % 50, "-", std::string(30, 'y')));
  CHECK(last.query == std::string(200, 'q'));
  CHECK(last.sku_id == "s1");
  w.server.runner().RequestShutdown();
  CHECK(w.server.runner().Wait() == 0);
}

TEST_CASE("GET /v1/admin/analytics/funnel: steps with conversion and drop-off, admins only") {
  CannedFunnelStore store;
  FunnelAnalytics funnel(store, absl::Hours(24));
  zhongtai::testing::ApiServer server("datahub");
  FunnelApi api(funnel, server.workers());
  auto stub = server.Start<v1::FunnelService>(&api);

  v1::GetFunnelRequest request;
  *request.mutable_start_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kNow - absl::Hours(24)));
  *request.mutable_end_time() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(kNow));
  request.mutable_window()->set_seconds(3600);
  v1::GetFunnelResponse response;
  auto context = server::NewClientContext();
  ::zhongtai::testing::CallAs(*context, "gateway", "admin1", "admin");
  REQUIRE(stub->GetFunnel(context.get(), request, &response).ok());
  CHECK(store.last.window == absl::Hours(1));
  REQUIRE(response.steps_size() == 5);
  CHECK(response.steps(0).step() == v1::FUNNEL_STEP_NAME_VIEW);
  CHECK(response.steps(4).step() == v1::FUNNEL_STEP_NAME_PAY);
  CHECK(response.steps(1).journeys() == 4);
  CHECK(response.steps(1).dropped() == 4);
  CHECK(response.steps(1).conversion_from_previous() == Approx(0.5));
  CHECK(response.steps(4).conversion_from_start() == Approx(0.125));
  CHECK(response.window_seconds() == 3600);
  REQUIRE(response.channels_size() == 1);
  CHECK(response.channels(0).channel() == "app");

  auto customer = server::NewClientContext();
  ::zhongtai::testing::CallAs(*customer, "gateway", "u1", "customer");
  CHECK(stub->GetFunnel(customer.get(), request, &response).error_code() == grpc::StatusCode::PERMISSION_DENIED);

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

}  // namespace
}  // namespace zhongtai::datahub
