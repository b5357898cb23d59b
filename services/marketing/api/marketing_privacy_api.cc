#include "services/marketing/api/marketing_privacy_api.h"

#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/coupon_proto.h"

namespace zhongtai::marketing {

grpc::ServerUnaryReactor* MarketingPrivacyApi::ExportUserData(grpc::CallbackServerContext* context,
                                                              const v1::ExportUserDataRequest* request,
                                                              v1::ExportUserDataResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->user_id().empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
    ASSIGN_OR_RETURN(std::vector<WalletCoupon> wallet, coupons_.Wallet(request->user_id(), ""));
    for (const WalletCoupon& coupon : wallet) WalletCouponToProto(coupon, response->add_coupons());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
