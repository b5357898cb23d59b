// zhongtai.marketing.v1.MarketingService: validates requests, maps proto <-> domain, runs the domain
// on the worker pool. CreatePromotion and ListPromotions are admin routes (the gateway checks the
// role); QuotePrice is internal, called by the order service.
#pragma once

#include "common/server/worker_pool.h"
#include "services/marketing/domain/promotions.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"

namespace zhongtai::marketing {

class MarketingApi : public v1::MarketingService::CallbackService {
 public:
  MarketingApi(Promotions& promotions, server::WorkerPool& workers) : promotions_(promotions), workers_(workers) {}

  grpc::ServerUnaryReactor* CreatePromotion(grpc::CallbackServerContext* context,
                                            const v1::CreatePromotionRequest* request,
                                            v1::CreatePromotionResponse* response) override;
  grpc::ServerUnaryReactor* ListPromotions(grpc::CallbackServerContext* context,
                                           const v1::ListPromotionsRequest* request,
                                           v1::ListPromotionsResponse* response) override;
  grpc::ServerUnaryReactor* QuotePrice(grpc::CallbackServerContext* context, const v1::QuotePriceRequest* request,
                                       v1::QuotePriceResponse* response) override;

 private:
  Promotions& promotions_;
  server::WorkerPool& workers_;
};

// proto -> domain for CreatePromotion; INVALID_ARGUMENT with the field for what the proto shape
// allows but the domain cannot hold (missing rule or times, currencies that differ).
absl::StatusOr<Promotion> FromProto(const v1::Promotion& promotion);
void ToProto(const Promotion& promotion, v1::Promotion* out);
void ToProto(const Quote& quote, v1::QuotePriceResponse* out);

}  // namespace zhongtai::marketing
