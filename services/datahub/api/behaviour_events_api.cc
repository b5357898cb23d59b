#include "services/datahub/api/behaviour_events_api.h"

#include <google/protobuf/arena.h>

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

namespace zhongtai::datahub {

BehaviourEventType ParseBehaviourEventType(const std::string& name) {
  if (name == "view") return BehaviourEventType::kView;
  if (name == "search") return BehaviourEventType::kSearch;
  if (name == "click") return BehaviourEventType::kClick;
  if (name == "add_to_cart") return BehaviourEventType::kAddToCart;
  if (name == "checkout") return BehaviourEventType::kCheckout;
  if (name == "share") return BehaviourEventType::kShare;
  return BehaviourEventType::kUnspecified;
}

std::string BehaviourEventTypeName(BehaviourEventType type) {
  switch (type) {
    case BehaviourEventType::kView: return "view";
    case BehaviourEventType::kSearch: return "search";
    case BehaviourEventType::kClick: return "click";
    case BehaviourEventType::kAddToCart: return "add_to_cart";
    case BehaviourEventType::kCheckout: return "checkout";
    case BehaviourEventType::kShare: return "share";
    case BehaviourEventType::kUnspecified: break;
  }
  return "";
}

namespace {

// The arena's blocks stay below glibc's mmap threshold (128 KB), so they are reused from the heap, not mapped and
// unmapped per call.
google::protobuf::ArenaOptions IngestArenaOptions() {
  google::protobuf::ArenaOptions options;
  options.start_block_size = 16 * 1024;
  options.max_block_size = 64 * 1024;
  return options;
}

class ArenaHolder : public grpc::MessageHolder<v1::IngestEventsRequest, v1::IngestEventsResponse> {
 public:
  ArenaHolder() : arena_(IngestArenaOptions()) {
    set_request(google::protobuf::Arena::CreateMessage<v1::IngestEventsRequest>(&arena_));
    set_response(google::protobuf::Arena::CreateMessage<v1::IngestEventsResponse>(&arena_));
  }
  void Release() override { delete this; }

 private:
  google::protobuf::Arena arena_;
};

}  // namespace

grpc::MessageHolder<v1::IngestEventsRequest, v1::IngestEventsResponse>* IngestEventsArenas::AllocateMessages() {
  return new ArenaHolder();
}

grpc::ServerUnaryReactor* BehaviourEventsApi::IngestEvents(grpc::CallbackServerContext* context,
                                                           const v1::IngestEventsRequest* request,
                                                           v1::IngestEventsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    std::vector<BehaviourEvent> events;
    events.reserve(request->events_size());
    for (const v1::BehaviourEvent& in : request->events()) {
      BehaviourEvent& event = events.emplace_back();  // filled in place: no move of its strings
      event.event_id = in.event_id();
      event.type = ParseBehaviourEventType(in.type());
      // An unknown name is not "missing": the domain sees a type it does not know.
      if (event.type == BehaviourEventType::kUnspecified && !in.type().empty()) {
        event.type = static_cast<BehaviourEventType>(-1);
      }
      if (in.has_occur_time() && proto::IsValidTimestamp(in.occur_time())) {
        event.occurred_at = proto::FromTimestamp(in.occur_time());
      } else {
        event.occurred_at = absl::InfinitePast();
      }
      event.device_id = in.device_id();
      event.session_id = in.session_id();
      event.channel = in.channel();
      event.product_id = in.product_id();
      event.sku_id = in.sku_id();
      event.query = in.query();
    }
    // Public route: a token, when there is one, makes the events the user's.
    const std::string user_id = server::CurrentCaller().user_id;
    ASSIGN_OR_RETURN(IngestResult result, ingestion_.Ingest(std::move(events), user_id));
    response->set_accepted(result.accepted);
    response->set_duplicates(result.duplicates);
    for (const RejectedEvent& rejected : result.rejected) {
      v1::RejectedBehaviourEvent* out = response->add_rejected();
      out->set_index(rejected.index);
      out->set_field(FieldOf(rejected.status));
      out->set_reason(ReasonOf(rejected.status));
      out->set_message(std::string(rejected.status.message()));
    }
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
