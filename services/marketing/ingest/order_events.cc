#include "services/marketing/ingest/order_events.h"

#include "common/log/log.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::marketing {
namespace {

absl::Status Skip(const events::Event& event, const std::string& why) {
  log::Error("skipping order event", {{"type", event.type}, {"event_id", event.id}, {"why", why}});
  return absl::OkStatus();
}

absl::Status Outcome(const events::Event& event, const absl::Status& status) {
  if (status.code() == absl::StatusCode::kInvalidArgument) return Skip(event, status.ToString());
  return status;
}

}  // namespace

events::Handler MakeOrderEventHandler(CouponLifecycle& lifecycle) {
  return [&lifecycle](pqxx::work&, const events::Event& event) -> absl::Status {
    if (event.type == order::v1::OrderRefunded::descriptor()->full_name()) {
      order::v1::OrderRefunded refunded;
      if (!refunded.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      const std::string order_id = refunded.order_id().empty() ? event.key : refunded.order_id();
      return Outcome(event, lifecycle.OnOrderRefunded(order_id, refunded.full_refund()));
    }
    if (event.type == order::v1::OrderCancelled::descriptor()->full_name()) {
      order::v1::OrderCancelled cancelled;
      if (!cancelled.ParseFromString(event.payload)) return Skip(event, "payload does not parse");
      const std::string order_id = cancelled.order_id().empty() ? event.key : cancelled.order_id();
      return Outcome(event, lifecycle.OnOrderCancelled(order_id));
    }
    return absl::OkStatus();
  };
}

std::set<std::string> OrderEventHandlerTypes() {
  return {order::v1::OrderRefunded::descriptor()->full_name(), order::v1::OrderCancelled::descriptor()->full_name()};
}

}  // namespace zhongtai::marketing
