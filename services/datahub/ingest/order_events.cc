#include "services/datahub/ingest/order_events.h"

#include "common/log/log.h"
#include "common/status/status.h"
#include "google/protobuf/util/time_util.h"
#include "services/datahub/store/pg_domain_event_store.h"
#include "services/datahub/store/pg_funnel_store.h"
#include "services/datahub/store/pg_order_fact_store.h"
#include "zhongtai/order/v1/events.pb.h"

namespace zhongtai::datahub {
namespace {

absl::Time TimeOr(const google::protobuf::Timestamp& ts, bool has, absl::Time fallback) {
  if (!has) return fallback;
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(ts));
}

absl::Status Unparsable(const events::Event& event) {
  return InvalidArgument("payload", "EVENT_UNPARSABLE", "event payload does not parse as " + event.type);
}

// An order's later status change (shipped, delivered, completed, an after-sales request moving on) as a domain event
// fact: subject the order, with its buyer; nullopt for another type or a payload that does not parse.
template <typename Message>
std::optional<DomainEventFact> StatusFact(const events::Event& event) {
  if (event.type != Message::descriptor()->full_name()) return std::nullopt;
  Message m;
  if (!m.ParseFromString(event.payload)) return std::nullopt;
  DomainEventFact fact;
  fact.event_id = event.id;
  fact.stream = kOrderEventStream;
  fact.type = event.type;
  fact.subject_id = m.order_id().empty() ? event.key : m.order_id();
  fact.user_id = m.user_id();
  fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
  return fact;
}

std::optional<DomainEventFact> OrderStatusFact(const events::Event& event) {
  if (auto f = StatusFact<order::v1::OrderShipped>(event)) return f;
  if (auto f = StatusFact<order::v1::OrderDelivered>(event)) return f;
  if (auto f = StatusFact<order::v1::OrderCompleted>(event)) return f;
  if (auto f = StatusFact<order::v1::ReturnStatusChanged>(event)) {
    order::v1::ReturnStatusChanged m;
    m.ParseFromString(event.payload);
    f->template_id = m.return_id();  // what the fact belongs to: the after-sales request
    f->amount_minor = m.refund().amount_minor();
    f->currency = m.refund().currency();
    return f;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<std::optional<OrderEvent>> DecodeOrderEvent(const events::Event& event) {
  OrderEvent out;
  if (event.type == order::v1::OrderPlaced::descriptor()->full_name()) {
    order::v1::OrderPlaced placed;
    if (!placed.ParseFromString(event.payload)) return Unparsable(event);
    out.kind = OrderEventKind::kPlaced;
    out.order_id = placed.order_id();
    out.user_id = placed.user_id();
    out.channel = placed.channel();
    out.currency = placed.total().currency();
    out.amount_minor = placed.total().amount_minor();
    out.at = TimeOr(placed.occur_time(), placed.has_occur_time(), event.occurred_at);
    for (const order::v1::LineAmount& line : placed.lines()) {
      out.lines.push_back({line.sku_id(), line.quantity(), line.amount().amount_minor()});
    }
  } else if (event.type == order::v1::OrderPaid::descriptor()->full_name()) {
    order::v1::OrderPaid paid;
    if (!paid.ParseFromString(event.payload)) return Unparsable(event);
    out.kind = OrderEventKind::kPaid;
    out.order_id = paid.order_id();
    out.user_id = paid.user_id();
    out.currency = paid.total().currency();
    out.amount_minor = paid.total().amount_minor();
    out.at = TimeOr(paid.occur_time(), paid.has_occur_time(), event.occurred_at);
  } else if (event.type == order::v1::OrderCancelled::descriptor()->full_name()) {
    order::v1::OrderCancelled cancelled;
    if (!cancelled.ParseFromString(event.payload)) return Unparsable(event);
    out.kind = OrderEventKind::kCancelled;
    out.order_id = cancelled.order_id();
    out.at = TimeOr(cancelled.occur_time(), cancelled.has_occur_time(), event.occurred_at);
  } else if (event.type == order::v1::OrderRefunded::descriptor()->full_name()) {
    order::v1::OrderRefunded refunded;
    if (!refunded.ParseFromString(event.payload)) return Unparsable(event);
    out.kind = OrderEventKind::kRefunded;
    out.order_id = refunded.order_id();
    out.user_id = refunded.user_id();
    out.currency = refunded.amount().currency();
    out.amount_minor = refunded.amount().amount_minor();
    out.at = TimeOr(refunded.occur_time(), refunded.has_occur_time(), event.occurred_at);
    out.refund_id = refunded.return_id().empty() ? event.id : refunded.return_id();
    for (const order::v1::LineAmount& line : refunded.lines()) {
      out.lines.push_back({line.sku_id(), line.quantity(), line.amount().amount_minor()});
    }
  } else {
    return std::optional<OrderEvent>();
  }
  if (out.order_id.empty()) out.order_id = event.key;
  if (out.order_id.empty()) {
    return InvalidArgument("orderId", "EVENT_UNPARSABLE", "order event without an order id");
  }
  return std::optional<OrderEvent>(std::move(out));
}

events::Handler MakeOrderEventHandler(IngestObserver observer, absl::Duration funnel_window) {
  return [observer = std::move(observer), funnel_window](pqxx::work& tx, const events::Event& event) -> absl::Status {
    absl::StatusOr<std::optional<OrderEvent>> decoded = DecodeOrderEvent(event);
    if (!decoded.ok()) {
      log::Error("skipping unparsable event", {{"type", event.type}, {"event_id", event.id}});
      return absl::OkStatus();
    }
    if (!decoded->has_value()) {
      // The order's later status changes are kept as domain events (domain_events), once each (the inbox).
      if (std::optional<DomainEventFact> fact = OrderStatusFact(event)) {
        PgDomainEventStore::Record(tx, *fact);
        if (observer) observer(event.type);
      }
      return absl::OkStatus();
    }
    const OrderEvent& order_event = **decoded;
    PgOrderFactStore::Record(tx, order_event);
    // Placing and paying are the funnel's last steps, in the buyer's journey.
    if (!order_event.user_id.empty() &&
        (order_event.kind == OrderEventKind::kPlaced || order_event.kind == OrderEventKind::kPaid)) {
      const FunnelStep step = order_event.kind == OrderEventKind::kPlaced ? FunnelStep::kOrder : FunnelStep::kPay;
      PgFunnelStore::Fold(tx, {{VisitorOf(order_event.user_id, ""), step, order_event.at, order_event.channel}},
                          funnel_window);
    }
    // Counted before commit: a failed commit makes this event count twice, which is acceptable
    // for a rate metric and keeps the counter out of the store transaction.
    if (observer) observer(event.type);
    return absl::OkStatus();
  };
}

}  // namespace zhongtai::datahub
