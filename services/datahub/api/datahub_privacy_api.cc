#include "services/datahub/api/datahub_privacy_api.h"

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/datahub/api/behaviour_events_api.h"

namespace zhongtai::datahub {

grpc::ServerUnaryReactor* DatahubPrivacyApi::ExportUserData(grpc::CallbackServerContext* context,
                                                            const v1::ExportUserDataRequest* request,
                                                            v1::ExportUserDataResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->user_id().empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
    ASSIGN_OR_RETURN(std::vector<OrderFact> facts, store_.ListUserOrderFacts(request->user_id()));
    for (const OrderFact& fact : facts) {
      v1::UserOrderFact* out = response->add_order_facts();
      out->set_order_id(fact.order_id);
      out->set_currency(fact.currency);
      out->set_total_minor(fact.total_minor);
      out->set_paid_minor(fact.paid_minor);
      if (fact.placed_at) *out->mutable_place_time() = proto::ToTimestamp(*fact.placed_at);
      if (fact.paid_at) *out->mutable_pay_time() = proto::ToTimestamp(*fact.paid_at);
      if (fact.cancelled_at) *out->mutable_cancel_time() = proto::ToTimestamp(*fact.cancelled_at);
    }
    ASSIGN_OR_RETURN(PgUserDataStore::UserBehaviourEvents behaviour,
                     store_.ListUserBehaviourEvents(request->user_id(), max_events_));
    for (const BehaviourEvent& event : behaviour.events) {
      v1::BehaviourEvent* out = response->add_behaviour_events();
      out->set_event_id(event.event_id);
      out->set_type(BehaviourEventTypeName(event.type));
      *out->mutable_occur_time() = proto::ToTimestamp(event.occurred_at);
      out->set_device_id(event.device_id);
      out->set_session_id(event.session_id);
      out->set_channel(event.channel);
      out->set_product_id(event.product_id);
      out->set_sku_id(event.sku_id);
      out->set_query(event.query);
    }
    response->set_behaviour_event_count(behaviour.total);
    response->set_behaviour_events_truncated(behaviour.total > static_cast<int64_t>(behaviour.events.size()));
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
