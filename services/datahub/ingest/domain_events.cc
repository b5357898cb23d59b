#include "services/datahub/ingest/domain_events.h"

#include "common/log/log.h"
#include "common/status/status.h"
#include "google/protobuf/util/time_util.h"
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

}  // namespace

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

events::Handler MakeDomainEventHandler(const std::string& stream, IngestObserver observer) {
  return [stream, observer = std::move(observer)](pqxx::work& tx, const events::Event& event) -> absl::Status {
    absl::StatusOr<std::optional<DomainEventFact>> decoded = DecodeDomainEvent(stream, event);
    if (!decoded.ok()) {
      log::Error("skipping unparsable event", {{"type", event.type}, {"event_id", event.id}});
      return absl::OkStatus();
    }
    if (!decoded->has_value()) return absl::OkStatus();
    PgDomainEventStore::Record(tx, **decoded);
    if (observer) observer(event.type);
    return absl::OkStatus();
  };
}

}  // namespace zhongtai::datahub
