#include "services/datahub/domain/behaviour_events.h"

#include <set>
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
  std::vector<BehaviourEvent> good;
  good.reserve(events.size());
  std::set<std::pair<std::string, absl::Time>> seen;
  for (size_t i = 0; i < events.size(); ++i) {
    BehaviourEvent& event = events[i];
    if (absl::Status status = ValidateEvent(event, now, policy_); !status.ok()) {
      result.rejected.push_back({static_cast<int>(i), std::move(status)});
      continue;
    }
    if (!seen.emplace(event.event_id, event.occurred_at).second) {
      ++result.duplicates;
      continue;
    }
    event.user_id = user_id;
    event.received_at = now;
    good.push_back(std::move(event));
  }
  if (good.empty()) return result;
  ASSIGN_OR_RETURN(int inserted, store_.Insert(good));
  result.accepted = inserted;
  result.duplicates += static_cast<int>(good.size()) - inserted;
  return result;
}

}  // namespace zhongtai::datahub
