#include "services/datahub/ingest/webhook_events.h"

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "services/datahub/store/pg_webhook_store.h"

namespace zhongtai::datahub {
namespace {

// JSON string literal of `s` (UTF-8 passed through, controls escaped).
std::string JsonString(const std::string& s) {
  google::protobuf::Value value;
  value.set_string_value(s);
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(value, &out);
  return out;
}

std::string PayloadJson(const events::Event& event) {
  const google::protobuf::Descriptor* descriptor =
      google::protobuf::DescriptorPool::generated_pool()->FindMessageTypeByName(event.type);
  if (descriptor != nullptr) {
    const google::protobuf::Message* prototype =
        google::protobuf::MessageFactory::generated_factory()->GetPrototype(descriptor);
    if (prototype != nullptr) {
      std::unique_ptr<google::protobuf::Message> message(prototype->New());
      std::string json;
      if (message->ParseFromString(event.payload) &&
          google::protobuf::util::MessageToJsonString(*message, &json).ok()) {
        return json;
      }
    }
  }
  return "{\"base64\":" + JsonString(absl::Base64Escape(event.payload)) + "}";
}

}  // namespace

std::string WebhookEventBody(const events::Event& event) {
  return "{\"id\":" + JsonString(event.id) + ",\"type\":" + JsonString(event.type) +
         ",\"occurredAt\":" + JsonString(absl::FormatTime(absl::RFC3339_full, event.occurred_at, absl::UTCTimeZone())) +
         ",\"payload\":" + PayloadJson(event) + "}";
}

events::BatchHandler MakeWebhookEventHandler(WebhookQueueObserver observer) {
  return [observer](pqxx::work& tx, const std::vector<events::Event>& events) -> absl::Status {
    std::vector<std::string> types;
    for (const events::Event& event : events) types.push_back(event.type);
    const std::set<std::string> subscribed = PgWebhookStore::SubscribedTypes(tx, types);
    for (const events::Event& event : events) {
      int64_t queued = 0;
      if (subscribed.count(event.type) > 0) {
        queued = PgWebhookStore::QueueEvent(tx, event.id, event.type, event.occurred_at,
                                            [&event] { return WebhookEventBody(event); });
      }
      if (observer) observer(event.type, queued);
    }
    return absl::OkStatus();
  };
}

}  // namespace zhongtai::datahub
