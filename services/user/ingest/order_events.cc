#include "services/user/ingest/order_events.h"

#include "common/log/log.h"
#include "common/proto/convert.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::user {
namespace {

absl::Time OccurredAt(const google::protobuf::Timestamp& ts, bool has, const events::Event& event) {
  return has ? proto::FromTimestamp(ts) : event.occurred_at;
}

absl::Status Skip(const events::Event& event, const std::string& why) {
  log::Error("skipping order event", {{"type", event.type}, {"event_id", event.id}, {"why", why}});
  return absl::OkStatus();
}

// Bad input cannot become good by retrying; anything else (the database, a conflict) can.
absl::Status Outcome(const events::Event& event, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) return Skip(event, status.ToString());
  return status;
}

}  // namespace

events::Handler MakeOrderEventHandler(Membership& membership) {
  return [&membership](pqxx::work&, const events::Event& event) -> absl::Status {
    if (event.type == order::v1::OrderPaid::descriptor()->full_name()) {
      order::v1::OrderPaid paid;
      if (!paid.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      if (paid.total().currency() != kMembershipCurrency) return Skip(event, "not a CNY amount");
      PaidOrder order;
      order.user_id = paid.user_id();
      order.order_id = paid.order_id().empty() ? event.key : paid.order_id();
      order.amount_minor = paid.total().amount_minor();
      order.paid_at = OccurredAt(paid.occur_time(), paid.has_occur_time(), event);
      return Outcome(event, membership.OnOrderPaid(order));
    }
    if (event.type == order::v1::OrderCancelled::descriptor()->full_name()) {
      order::v1::OrderCancelled cancelled;
      if (!cancelled.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      const std::string order_id = cancelled.order_id().empty() ? event.key : cancelled.order_id();
      // Nothing to take back for an order cancelled before payment: it has no growth.
      return Outcome(event, membership.OnOrderReversed(
                                order_id, OccurredAt(cancelled.occur_time(), cancelled.has_occur_time(), event)));
    }
    return absl::OkStatus();
  };
}

}  // namespace zhongtai::user
