#include "services/datahub/domain/behaviour_events.h"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

absl::Status Required(const char* field) {
  return InvalidArgument(field, "REQUIRED", absl::StrCat(field, " is required"));
}

absl::Status CheckLength(const std::string& value, const char* field, size_t max) {
  if (value.size() <= max) return absl::OkStatus();
  return InvalidArgument(field, "FIELD_TOO_LONG", absl::StrCat(field, " has more than ", max, " characters"));
}

bool KnownType(BehaviourEventType type) {
  switch (type) {
    case BehaviourEventType::kView:
    case BehaviourEventType::kSearch:
    case BehaviourEventType::kClick:
    case BehaviourEventType::kAddToCart:
    case BehaviourEventType::kCheckout:
    case BehaviourEventType::kShare: return true;
    case BehaviourEventType::kUnspecified: return false;
  }
  return false;
}

}  // namespace

absl::Status ValidateEvent(const BehaviourEvent& event, absl::Time now, const IngestPolicy& policy) {
  if (event.event_id.empty()) return Required("eventId");
  RETURN_IF_ERROR(CheckLength(event.event_id, "eventId", kMaxIdLength));
  if (event.type == BehaviourEventType::kUnspecified) return Required("type");
  if (!KnownType(event.type)) {
    return InvalidArgument("type", "EVENT_TYPE_UNKNOWN",
                           "type must be view, search, click, add_to_cart, checkout or share");
  }
  if (event.occurred_at == absl::InfinitePast() || event.occurred_at == absl::UnixEpoch()) {
    return Required("occurTime");
  }
  if (event.occurred_at < now - policy.late_window) {
    return InvalidArgument(
        "occurTime", "EVENT_TOO_LATE",
        absl::StrCat("events older than ", absl::FormatDuration(policy.late_window), " are no longer accepted"));
  }
  if (event.occurred_at > now + policy.clock_skew) {
    return InvalidArgument("occurTime", "EVENT_IN_FUTURE", "occurTime is ahead of the server's clock");
  }
  if (event.device_id.empty()) return Required("deviceId");
  RETURN_IF_ERROR(CheckLength(event.device_id, "deviceId", kMaxIdLength));
  if (event.channel.empty()) return Required("channel");
  RETURN_IF_ERROR(CheckLength(event.channel, "channel", kMaxIdLength));
  RETURN_IF_ERROR(CheckLength(event.session_id, "sessionId", kMaxIdLength));
  RETURN_IF_ERROR(CheckLength(event.product_id, "productId", kMaxIdLength));
  RETURN_IF_ERROR(CheckLength(event.sku_id, "skuId", kMaxIdLength));
  RETURN_IF_ERROR(CheckLength(event.query, "query", kMaxQueryLength));
  if (event.type == BehaviourEventType::kSearch && event.query.empty()) return Required("query");
  if ((event.type == BehaviourEventType::kAddToCart) && event.product_id.empty() && event.sku_id.empty()) {
    return Required("productId");
  }
  return absl::OkStatus();
}

absl::StatusOr<IngestResult> BehaviourIngestion::Ingest(std::vector<BehaviourEvent> events,
                                                        const std::string& user_id) {
  if (events.empty()) return InvalidArgument("events", "REQUIRED", "send at least one event");
  if (events.size() > static_cast<size_t>(kMaxEventsPerBatch)) {
    return InvalidArgument("events", "TOO_MANY_EVENTS",
                           absl::StrCat("a batch has at most ", kMaxEventsPerBatch, " events"));
  }
  const absl::Time now = clock_.Now();
  IngestResult result;
  std::vector<uint32_t> valid;  // indexes of the valid events, in order
  valid.reserve(events.size());
  for (size_t i = 0; i < events.size(); ++i) {
    if (absl::Status status = ValidateEvent(events[i], now, policy_); !status.ok()) {
      result.rejected.push_back({static_cast<int>(i), std::move(status)});
    } else {
      valid.push_back(static_cast<uint32_t>(i));
    }
  }
  // Repeats within the batch (same id and time): the first is kept. Found by sorting the indexes by (id, time, index)
  // rather than a set of copied keys: no allocation per event.
  std::vector<uint32_t> by_key = valid;
  std::sort(by_key.begin(), by_key.end(), [&](uint32_t a, uint32_t b) {
    const BehaviourEvent& x = events[a];
    const BehaviourEvent& y = events[b];
    if (const int c = x.event_id.compare(y.event_id); c != 0) return c < 0;
    if (x.occurred_at != y.occurred_at) return x.occurred_at < y.occurred_at;
    return a < b;
  });
  std::vector<bool> repeat(events.size(), false);
  for (size_t k = 1; k < by_key.size(); ++k) {
    const BehaviourEvent& previous = events[by_key[k - 1]];
    const BehaviourEvent& event = events[by_key[k]];
    if (event.event_id == previous.event_id && event.occurred_at == previous.occurred_at) repeat[by_key[k]] = true;
  }
  // The events to store, compacted in place in their order (no copy when every event is good, the usual batch).
  size_t kept = 0;
  for (uint32_t i : valid) {
    if (repeat[i]) {
      ++result.duplicates;
      continue;
    }
    if (i != kept) events[kept] = std::move(events[i]);
    BehaviourEvent& event = events[kept++];
    event.user_id = user_id;
    event.received_at = now;
  }
  events.resize(kept);
  std::vector<BehaviourEvent>& good = events;
  if (good.empty()) return result;
  ASSIGN_OR_RETURN(int inserted, store_.Insert(good));
  result.accepted = inserted;
  result.duplicates += static_cast<int>(good.size()) - inserted;
  return result;
}

}  // namespace zhongtai::datahub
