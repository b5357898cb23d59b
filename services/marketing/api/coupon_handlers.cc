// MarketingService's coupon RPCs: templates (admin), claim and wallet (the calling customer), and the order
// center's lock, redeem and release.
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/coupon_proto.h"
#include "services/marketing/api/marketing_api.h"

namespace zhongtai::marketing {

grpc::ServerUnaryReactor* MarketingApi::CreateCouponTemplate(grpc::CallbackServerContext* context,
                                                             const v1::CreateCouponTemplateRequest* request,
                                                             v1::CreateCouponTemplateResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (!request->has_coupon_template()) {
      return InvalidArgument("couponTemplate", "COUPON_TEMPLATE_MISSING", "coupon template is required");
    }
    ASSIGN_OR_RETURN(CouponTemplate in, CouponTemplateFromProto(request->coupon_template()));
    ASSIGN_OR_RETURN(CouponTemplate created, coupons_.CreateTemplate(std::move(in), request->request_id()));
    CouponTemplateToProto(created, response->mutable_coupon_template());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::ListClaimableCoupons(grpc::CallbackServerContext* context,
                                                             const v1::ListClaimableCouponsRequest*,
                                                             v1::ListClaimableCouponsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<CouponTemplate> found, coupons_.ListClaimable());
    for (const CouponTemplate& t : found) CouponTemplateToProto(t, response->add_coupon_templates());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::ClaimCoupon(grpc::CallbackServerContext* context,
                                                    const v1::ClaimCouponRequest* request,
                                                    v1::ClaimCouponResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    // The app's device id, as the gateway passed the X-Zt-Device-Id header on: claims are capped per device.
    std::string device_id;
    if (auto it = context->client_metadata().find(server::kDeviceIdMetadata); it != context->client_metadata().end()) {
      device_id.assign(it->second.data(), it->second.size());
    }
    ASSIGN_OR_RETURN(WalletCoupon coupon,
                     coupons_.Claim(user_id, request->coupon_id(), request->request_id(), device_id));
    WalletCouponToProto(coupon, response->mutable_coupon());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::ListMyCoupons(grpc::CallbackServerContext* context,
                                                      const v1::ListMyCouponsRequest* request,
                                                      v1::ListMyCouponsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(std::vector<WalletCoupon> found, coupons_.Wallet(user_id, request->status()));
    for (const WalletCoupon& c : found) WalletCouponToProto(c, response->add_coupons());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::LockCoupon(grpc::CallbackServerContext* context,
                                                   const v1::LockCouponRequest* request,
                                                   v1::LockCouponResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    // The order center calls on behalf of the buyer, whose verified identity comes with the call.
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(WalletCoupon coupon, coupons_.Lock(user_id, request->order_id(), request->coupon_id()));
    WalletCouponToProto(coupon, response->mutable_coupon());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::RedeemCoupon(grpc::CallbackServerContext* context,
                                                     const v1::RedeemCouponRequest* request,
                                                     v1::RedeemCouponResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(WalletCoupon coupon, coupons_.Redeem(request->order_id()));
    WalletCouponToProto(coupon, response->mutable_coupon());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MarketingApi::ReleaseCoupon(grpc::CallbackServerContext* context,
                                                      const v1::ReleaseCouponRequest* request,
                                                      v1::ReleaseCouponResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::optional<WalletCoupon> coupon, coupons_.Release(request->order_id()));
    if (coupon) WalletCouponToProto(*coupon, response->mutable_coupon());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
