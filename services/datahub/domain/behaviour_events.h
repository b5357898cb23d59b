// Behaviour events sent by the channel apps (POST /v1/events): what one is, which ones are accepted, and the port
// that stores a batch. Plain C++: no protobuf, gRPC or SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"

namespace zhongtai::datahub {

// Stored as the smallint behaviour_events.event_type; the numbers never change.
enum class BehaviourEventType : int16_t {
  kUnspecified = 0,
  kView = 1,
  kSearch = 2,
  kClick = 3,
  kAddToCart = 4,
  kCheckout = 5,
  kShare = 6,
};

inline constexpr int kMaxEventsPerBatch = 500;
// Longest id, device, session, channel, product and SKU id accepted; a search query may be kMaxQueryLength.
inline constexpr size_t kMaxIdLength = 128;
inline constexpr size_t kMaxQueryLength = 256;

struct BehaviourEvent {
  std::string event_id;
  BehaviourEventType type = BehaviourEventType::kUnspecified;
  absl::Time occurred_at;
  std::string device_id;
  std::string user_id;  // from the caller's token, never from the request; empty when signed out
  std::string session_id;
  std::string channel;
  std::string product_id;
  std::string sku_id;
  std::string query;  // search
  absl::Time received_at;
};

struct IngestPolicy {
  // An event older than this on arrival is refused (EVENT_TOO_LATE): the rollups of older days are final.
  absl::Duration late_window = absl::Hours(72);
  // A device clock this far ahead is tolerated; further is EVENT_IN_FUTURE.
  absl::Duration clock_skew = absl::Minutes(5);
};

// One refused event of a batch: its index in the request and the reason (a status with field and reason).
struct RejectedEvent {
  int index = 0;
  absl::Status status;
};

// OK when `event` may be stored at `now`; otherwise INVALID_ARGUMENT with the field ("events[3].deviceId" style
// is the caller's business: the field here is the event's own, e.g. "deviceId") and the reason.
absl::Status ValidateEvent(const BehaviourEvent& event, absl::Time now, const IngestPolicy& policy);

// What one POST /v1/events did.
struct IngestResult {
  int accepted = 0;    // newly stored
  int duplicates = 0;  // valid but already stored (a retry), or repeated within the batch
  std::vector<RejectedEvent> rejected;
};

class BehaviourEventStore {
 public:
  virtual ~BehaviourEventStore() = default;
  // Stores the events whose (event_id, occurred_at) is new, with their rollups and funnel journeys, in one
  // transaction. Returns how many were new.
  virtual absl::StatusOr<int> Insert(const std::vector<BehaviourEvent>& events) = 0;
};

class BehaviourIngestion {
 public:
  BehaviourIngestion(BehaviourEventStore& store, Clock& clock, IngestPolicy policy)
      : store_(store), clock_(clock), policy_(policy) {}

  // Validates each event, keeps the good ones (stamped with user_id and the arrival time), reports the bad ones by
  // index. INVALID_ARGUMENT (field events) for an empty batch (REQUIRED) or one over kMaxEventsPerBatch
  // (TOO_MANY_EVENTS); then nothing is stored.
  absl::StatusOr<IngestResult> Ingest(std::vector<BehaviourEvent> events, const std::string& user_id);

 private:
  BehaviourEventStore& store_;
  Clock& clock_;
  IngestPolicy policy_;
};

}  // namespace zhongtai::datahub
