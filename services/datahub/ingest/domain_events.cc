#include "services/datahub/ingest/domain_events.h"

#include "common/log/log.h"
#include "common/status/status.h"
#include "google/protobuf/util/time_util.h"
#include "services/datahub/store/pg_stock_points_store.h"
#include "zhongtai/marketing/v1/events.pb.h"
#include "zhongtai/product/v1/events.pb.h"
#include "zhongtai/user/v1/events.pb.h"

namespace zhongtai::datahub {
namespace {

absl::Time TimeOr(const google::protobuf::Timestamp& ts, bool has, absl::Time fallback) {
  if (!has) return fallback;
  return absl::FromUnixMicros(google::protobuf::util::TimeUtil::TimestampToMicroseconds(ts));
}

// Parses `event` as Message and fills subject, user and time from the fields every such event has.
template <typename Message>
absl::StatusOr<Message> Parse(const events::Event& event) {
  Message message;
  if (!message.ParseFromString(event.payload)) {
    return InvalidArgument("payload", "EVENT_UNPARSABLE", "event payload does not parse as " + event.type);
  }
  return message;
}

template <typename Message>
bool Is(const events::Event& event) {
  return event.type == Message::descriptor()->full_name();
}

// Coupons: subject the coupon, with its user.
template <typename Message>
absl::StatusOr<std::optional<DomainEventFact>> CouponFact(const events::Event& event, DomainEventFact fact) {
  ASSIGN_OR_RETURN(Message m, Parse<Message>(event));
  fact.subject_id = m.coupon_id();
  fact.user_id = m.user_id();
  fact.template_id = m.template_id();
  fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
  return std::optional<DomainEventFact>(std::move(fact));
}

// Products: subject the product.
template <typename Message>
absl::StatusOr<std::optional<DomainEventFact>> ProductFact(const events::Event& event, DomainEventFact fact) {
  ASSIGN_OR_RETURN(Message m, Parse<Message>(event));
  fact.subject_id = m.product_id();
  fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
  return std::optional<DomainEventFact>(std::move(fact));
}

const char* PointsKindName(user::v1::PointsLedgerKind kind) {
  switch (kind) {
    case user::v1::POINTS_LEDGER_KIND_EARN: return "earn";
    case user::v1::POINTS_LEDGER_KIND_REDEEM: return "redeem";
    case user::v1::POINTS_LEDGER_KIND_RELEASE: return "release";
    case user::v1::POINTS_LEDGER_KIND_RETURN: return "return";
    case user::v1::POINTS_LEDGER_KIND_REVERSE: return "reverse";
    case user::v1::POINTS_LEDGER_KIND_EXPIRE: return "expire";
    default: return "unknown";
  }
}

}  // namespace

absl::Status ApplyFollowedState(pqxx::work& tx, const events::Event& event) {
  if (Is<product::v1::StockChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::StockChanged>(event));
    StockLevelFact fact;
    fact.product_id = m.product_id();
    fact.sku_id = m.sku_id();
    fact.warehouse_id = m.warehouse_id();
    fact.on_hand = m.on_hand_after();
    fact.available = m.available_after();
    fact.ledger_entry_id = m.ledger_entry_id();
    if (m.has_safety_stock()) fact.safety_stock = m.safety_stock();
    if (m.has_safety_days_of_cover()) fact.safety_days_of_cover = m.safety_days_of_cover();
    if (m.has_safety_stock_update_time()) {
      fact.safety_updated_at = TimeOr(m.safety_stock_update_time(), true, event.occurred_at);
    }
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    if (fact.sku_id.empty() || fact.warehouse_id.empty() || fact.ledger_entry_id <= 0) {
      return InvalidArgument("payload", "EVENT_UNPARSABLE", "a StockChanged needs a SKU, a warehouse and its entry");
    }
    PgStockPointsStore::ApplyStockLevel(tx, fact);
    return absl::OkStatus();
  }
  if (Is<product::v1::SafetyStockChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::SafetyStockChanged>(event));
    StockLevelFact fact;
    fact.product_id = m.product_id();
    fact.sku_id = m.sku_id();
    fact.warehouse_id = m.warehouse_id();
    fact.on_hand = m.on_hand();
    fact.available = m.available();
    if (m.has_safety_stock()) fact.safety_stock = m.safety_stock();
    if (m.has_safety_days_of_cover()) fact.safety_days_of_cover = m.safety_days_of_cover();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    fact.safety_updated_at = fact.occurred_at;
    if (fact.sku_id.empty() || fact.warehouse_id.empty()) {
      return InvalidArgument("payload", "EVENT_UNPARSABLE", "a SafetyStockChanged needs a SKU and a warehouse");
    }
    PgStockPointsStore::ApplyStockLevel(tx, fact);
    return absl::OkStatus();
  }
  if (Is<product::v1::SkuCostChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::SkuCostChanged>(event));
    if (m.sku_id().empty() || !m.has_cost_price()) {
      return InvalidArgument("payload", "EVENT_UNPARSABLE", "a SkuCostChanged needs a SKU and a cost");
    }
    PgStockPointsStore::RecordCost(
        tx, {m.product_id(), m.sku_id(), m.cost_price().currency(), m.cost_price().amount_minor(),
             TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at)});
    return absl::OkStatus();
  }
  if (Is<user::v1::PointsChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<user::v1::PointsChanged>(event));
    PgStockPointsStore::RecordPoints(tx, {event.id, PointsKindName(m.kind()), m.delta(),
                                          TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at)});
    return absl::OkStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<DomainEventFact>> DecodeDomainEvent(const std::string& stream,
                                                                 const events::Event& event) {
  DomainEventFact fact;
  fact.event_id = event.id;
  fact.stream = stream;
  fact.type = event.type;
  fact.subject_id = event.key;
  fact.occurred_at = event.occurred_at;
  if (Is<marketing::v1::CouponClaimed>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<marketing::v1::CouponClaimed>(event));
    if (m.has_valid_until()) fact.valid_until = TimeOr(m.valid_until(), true, event.occurred_at);
    return CouponFact<marketing::v1::CouponClaimed>(event, fact);
  }
  if (Is<marketing::v1::CouponLocked>(event)) return CouponFact<marketing::v1::CouponLocked>(event, fact);
  if (Is<marketing::v1::CouponRedeemed>(event)) return CouponFact<marketing::v1::CouponRedeemed>(event, fact);
  if (Is<marketing::v1::CouponReleased>(event)) return CouponFact<marketing::v1::CouponReleased>(event, fact);
  if (Is<marketing::v1::CouponReturned>(event)) return CouponFact<marketing::v1::CouponReturned>(event, fact);
  if (Is<marketing::v1::CouponExpiringSoon>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<marketing::v1::CouponExpiringSoon>(event));
    if (m.has_valid_until()) fact.valid_until = TimeOr(m.valid_until(), true, event.occurred_at);
    return CouponFact<marketing::v1::CouponExpiringSoon>(event, fact);
  }
  if (Is<product::v1::ProductUpdated>(event)) return ProductFact<product::v1::ProductUpdated>(event, fact);
  if (Is<product::v1::ProductPublished>(event)) return ProductFact<product::v1::ProductPublished>(event, fact);
  if (Is<product::v1::ProductUnpublished>(event)) return ProductFact<product::v1::ProductUnpublished>(event, fact);
  if (Is<product::v1::ProductArchived>(event)) return ProductFact<product::v1::ProductArchived>(event, fact);
  if (Is<product::v1::SkuPriceRulesChanged>(event)) return ProductFact<product::v1::SkuPriceRulesChanged>(event, fact);
  if (Is<product::v1::PriceChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::PriceChanged>(event));
    fact.subject_id = m.product_id();
    fact.amount_minor = m.new_price().amount_minor();
    fact.currency = m.new_price().currency();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  if (Is<product::v1::StockChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::StockChanged>(event));
    fact.subject_id = m.product_id();
    fact.amount_minor = m.on_hand_delta();  // units, not money: the movement's delta
    fact.template_id = m.sku_id();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  if (Is<product::v1::SafetyStockChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::SafetyStockChanged>(event));
    fact.subject_id = m.product_id();
    fact.template_id = m.sku_id();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  if (Is<product::v1::SkuCostChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<product::v1::SkuCostChanged>(event));
    fact.subject_id = m.product_id();
    fact.template_id = m.sku_id();
    fact.amount_minor = m.cost_price().amount_minor();
    fact.currency = m.cost_price().currency();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  if (Is<user::v1::PointsChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<user::v1::PointsChanged>(event));
    fact.subject_id = m.user_id();
    fact.user_id = m.user_id();
    fact.amount_minor = m.delta();  // points, not money
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  if (Is<user::v1::TierChanged>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<user::v1::TierChanged>(event));
    fact.subject_id = m.user_id();
    fact.user_id = m.user_id();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  if (Is<marketing::v1::ExperimentExposure>(event)) {
    ASSIGN_OR_RETURN(auto m, Parse<marketing::v1::ExperimentExposure>(event));
    fact.subject_id = m.experiment_id();
    fact.user_id = m.user_id();
    fact.occurred_at = TimeOr(m.occur_time(), m.has_occur_time(), event.occurred_at);
    return std::optional<DomainEventFact>(std::move(fact));
  }
  return std::optional<DomainEventFact>();
}

events::BatchHandler MakeDomainEventHandler(const std::string& stream, IngestObserver observer) {
  return [stream, observer = std::move(observer)](pqxx::work& tx,
                                                  const std::vector<events::Event>& events) -> absl::Status {
    std::vector<DomainEventFact> facts;
    for (const events::Event& event : events) {
      absl::StatusOr<std::optional<DomainEventFact>> decoded = DecodeDomainEvent(stream, event);
      if (!decoded.ok()) {
        log::Error("skipping unparsable event", {{"type", event.type}, {"event_id", event.id}});
        continue;
      }
      if (!decoded->has_value()) continue;
      // What the hub keeps of stock, costs and points is checked before anything is written: an incomplete event is
      // logged and acknowledged like an unparsable one.
      absl::Status followed = ApplyFollowedState(tx, event);
      if (!followed.ok()) {
        log::Error("skipping incomplete event", {{"type", event.type}, {"event_id", event.id}});
        continue;
      }
      facts.push_back(std::move(**decoded));
      if (observer) observer(event.type);
    }
    PgDomainEventStore::RecordAll(tx, facts);
    return absl::OkStatus();
  };
}

}  // namespace zhongtai::datahub
