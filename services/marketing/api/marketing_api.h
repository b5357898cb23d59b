// zhongtai.marketing.v1.MarketingService: validates requests, maps proto <-> domain, runs the domain
// on the worker pool. CreatePromotion and ListPromotions are admin routes (the gateway checks the
// role); QuotePrice is internal, called by the order service. The coupon RPCs are in coupon_handlers.cc.
#pragma once

#include "common/server/worker_pool.h"
#include "services/marketing/domain/coupons.h"
#include "services/marketing/domain/flash_sales.h"
#include "services/marketing/domain/promotions.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"

namespace zhongtai::marketing {

class MarketingApi : public v1::MarketingService::CallbackService {
 public:
  // The flash-sale RPCs (flash_sale_handlers.cc) answer INTERNAL when `flash_sales` is not given (tests of the rest).
  MarketingApi(Promotions& promotions, Coupons& coupons, server::WorkerPool& workers, FlashSales* flash_sales = nullptr)
      : promotions_(promotions), coupons_(coupons), workers_(workers), flash_sales_(flash_sales) {}

  grpc::ServerUnaryReactor* CreatePromotion(grpc::CallbackServerContext* context,
                                            const v1::CreatePromotionRequest* request,
                                            v1::CreatePromotionResponse* response) override;
  grpc::ServerUnaryReactor* UpdatePromotion(grpc::CallbackServerContext* context,
                                            const v1::UpdatePromotionRequest* request,
                                            v1::UpdatePromotionResponse* response) override;
  grpc::ServerUnaryReactor* ListPromotions(grpc::CallbackServerContext* context,
                                           const v1::ListPromotionsRequest* request,
                                           v1::ListPromotionsResponse* response) override;
  grpc::ServerUnaryReactor* QuotePrice(grpc::CallbackServerContext* context, const v1::QuotePriceRequest* request,
                                       v1::QuotePriceResponse* response) override;
  grpc::ServerUnaryReactor* CreateCouponTemplate(grpc::CallbackServerContext* context,
                                                 const v1::CreateCouponTemplateRequest* request,
                                                 v1::CreateCouponTemplateResponse* response) override;
  grpc::ServerUnaryReactor* ListClaimableCoupons(grpc::CallbackServerContext* context,
                                                 const v1::ListClaimableCouponsRequest* request,
                                                 v1::ListClaimableCouponsResponse* response) override;
  grpc::ServerUnaryReactor* ClaimCoupon(grpc::CallbackServerContext* context, const v1::ClaimCouponRequest* request,
                                        v1::ClaimCouponResponse* response) override;
  grpc::ServerUnaryReactor* ListMyCoupons(grpc::CallbackServerContext* context, const v1::ListMyCouponsRequest* request,
                                          v1::ListMyCouponsResponse* response) override;
  grpc::ServerUnaryReactor* LockCoupon(grpc::CallbackServerContext* context, const v1::LockCouponRequest* request,
                                       v1::LockCouponResponse* response) override;
  grpc::ServerUnaryReactor* RedeemCoupon(grpc::CallbackServerContext* context, const v1::RedeemCouponRequest* request,
                                         v1::RedeemCouponResponse* response) override;
  grpc::ServerUnaryReactor* ReleaseCoupon(grpc::CallbackServerContext* context, const v1::ReleaseCouponRequest* request,
                                          v1::ReleaseCouponResponse* response) override;
  grpc::ServerUnaryReactor* CreateFlashSale(grpc::CallbackServerContext* context,
                                            const v1::CreateFlashSaleRequest* request,
                                            v1::CreateFlashSaleResponse* response) override;
  grpc::ServerUnaryReactor* UpdateFlashSale(grpc::CallbackServerContext* context,
                                            const v1::UpdateFlashSaleRequest* request,
                                            v1::UpdateFlashSaleResponse* response) override;
  grpc::ServerUnaryReactor* ListFlashSales(grpc::CallbackServerContext* context,
                                           const v1::ListFlashSalesRequest* request,
                                           v1::ListFlashSalesResponse* response) override;
  grpc::ServerUnaryReactor* PurchaseFlashSale(grpc::CallbackServerContext* context,
                                              const v1::PurchaseFlashSaleRequest* request,
                                              v1::PurchaseFlashSaleResponse* response) override;
  grpc::ServerUnaryReactor* GetFlashSalePurchase(grpc::CallbackServerContext* context,
                                                 const v1::GetFlashSalePurchaseRequest* request,
                                                 v1::GetFlashSalePurchaseResponse* response) override;

 private:
  Promotions& promotions_;
  Coupons& coupons_;
  server::WorkerPool& workers_;
  FlashSales* flash_sales_;
};

// proto -> domain for CreatePromotion; INVALID_ARGUMENT with the field for what the proto shape
// allows but the domain cannot hold (missing rule or times, currencies that differ).
absl::StatusOr<Promotion> FromProto(const v1::Promotion& promotion);
void ToProto(const Promotion& promotion, v1::Promotion* out);
// The stored promotion with what `patch` sets (UpdatePromotionRequest's rules); INVALID_ARGUMENT
// PROMOTION_FIELD_IMMUTABLE for the budget or another currency.
absl::StatusOr<Promotion> PatchedPromotion(const Promotion& current, const v1::Promotion& patch);
void ToProto(const Quote& quote, v1::QuotePriceResponse* out);

}  // namespace zhongtai::marketing
