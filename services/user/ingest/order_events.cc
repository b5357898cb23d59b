#include "services/user/ingest/order_events.h"

#include "common/log/log.h"
#include "common/proto/convert.h"
#include "common/status/status.h"
#include "services/user/domain/lifecycle.h"
#include "services/user/store/pg_lifecycle_store.h"
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

// The lifecycle part of an order event, in the inbox's transaction: once per event.
absl::Status UpdateLifecycle(pqxx::work& tx, Clock& clock, const LifecycleSettings& settings,
                             const events::Event& event, const std::string& user_id,
                             std::optional<absl::Time> paid_at) {
  if (user_id.empty()) return absl::OkStatus();
  PgLifecycleStore store(tx);
  Lifecycle lifecycle(store, clock, settings);
  absl::StatusOr<LifecycleRecord> record =
      paid_at ? lifecycle.RecordOrder(user_id, *paid_at) : lifecycle.Refresh(user_id);
  if (record.status().code() == absl::StatusCode::kNotFound) return absl::OkStatus();  // not a user of ours
  return Outcome(event, record.status());
}

}  // namespace

events::Handler MakeOrderEventHandler(Membership& membership, Clock& clock, const LifecycleSettings& lifecycle) {
  return [&membership, &clock, lifecycle](pqxx::work& tx, const events::Event& event) -> absl::Status {
    if (event.type == order::v1::OrderPaid::descriptor()->full_name()) {
      order::v1::OrderPaid paid;
      if (!paid.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      if (paid.total().currency() != kMembershipCurrency) return Skip(event, "not a CNY amount");
      PaidOrder order;
      order.user_id = paid.user_id();
      order.order_id = paid.order_id().empty() ? event.key : paid.order_id();
      order.amount_minor = paid.total().amount_minor();
      order.paid_at = OccurredAt(paid.occur_time(), paid.has_occur_time(), event);
      RETURN_IF_ERROR(Outcome(event, membership.OnOrderPaid(order)));
      return UpdateLifecycle(tx, clock, lifecycle, event, order.user_id, order.paid_at);
    }
    if (event.type == order::v1::OrderCancelled::descriptor()->full_name()) {
      order::v1::OrderCancelled cancelled;
      if (!cancelled.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      const std::string order_id = cancelled.order_id().empty() ? event.key : cancelled.order_id();
      // Nothing to take back for an order cancelled before payment: it has no growth.
      RETURN_IF_ERROR(Outcome(
          event,
          membership.OnOrderReversed(order_id, OccurredAt(cancelled.occur_time(), cancelled.has_occur_time(), event))));
      return UpdateLifecycle(tx, clock, lifecycle, event, cancelled.user_id(), std::nullopt);
    }
    if (event.type == order::v1::OrderRefunded::descriptor()->full_name()) {
      order::v1::OrderRefunded refunded;
      if (!refunded.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      // Each refund takes back growth and points in proportion to the money it returns (the last one the rest).
      if (refunded.has_amount() && refunded.amount().currency() != kMembershipCurrency) {
        return Skip(event, "not a CNY amount");
      }
      OrderRefund refund;
      refund.order_id = refunded.order_id().empty() ? event.key : refunded.order_id();
      // One event per refunded return; an event without one (older producers) counts once by its own id.
      refund.refund_id = refunded.return_id().empty() ? event.id : refunded.return_id();
      refund.amount_minor = refunded.amount().amount_minor();
      refund.full = refunded.full_refund();
      refund.at = OccurredAt(refunded.occur_time(), refunded.has_occur_time(), event);
      RETURN_IF_ERROR(Outcome(event, membership.OnOrderRefunded(refund)));
      // The lifecycle is recomputed on every order event.
      return UpdateLifecycle(tx, clock, lifecycle, event, refunded.user_id(), std::nullopt);
    }
    return absl::OkStatus();
  };
}

std::set<std::string> OrderEventHandlerTypes() {
  return {order::v1::OrderPaid::descriptor()->full_name(), order::v1::OrderCancelled::descriptor()->full_name(),
          order::v1::OrderRefunded::descriptor()->full_name()};
}

}  // namespace zhongtai::user
