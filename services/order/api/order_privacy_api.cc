#include "services/order/api/order_privacy_api.h"

#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/order/api/order_api.h"

namespace zhongtai::order {

grpc::ServerUnaryReactor* OrderPrivacyApi::ExportUserData(grpc::CallbackServerContext* context,
                                                          const v1::ExportUserDataRequest* request,
                                                          v1::ExportUserDataResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->user_id().empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
    std::string page_token;
    do {
      ASSIGN_OR_RETURN(OrderPage page, orders_.ListOrders(request->user_id(), 100, page_token));
      for (const Order& order : page.orders) ToProto(order, response->add_orders());
      page_token = page.next_cursor;
    } while (!page_token.empty());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::order
