#include "services/datahub/api/datahub_privacy_api.h"

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"

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
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::datahub
