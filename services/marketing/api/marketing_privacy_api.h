// zhongtai.marketing.v1.MarketingPrivacyService: the marketing center's part of a customer's data export, for the
// user service.
#pragma once

#include "common/server/worker_pool.h"
#include "services/marketing/domain/coupons.h"
#include "zhongtai/marketing/v1/privacy.grpc.pb.h"

namespace zhongtai::marketing {

class MarketingPrivacyApi : public v1::MarketingPrivacyService::CallbackService {
 public:
  MarketingPrivacyApi(Coupons& coupons, server::WorkerPool& workers) : coupons_(coupons), workers_(workers) {}

  grpc::ServerUnaryReactor* ExportUserData(grpc::CallbackServerContext* context,
                                           const v1::ExportUserDataRequest* request,
                                           v1::ExportUserDataResponse* response) override;

 private:
  Coupons& coupons_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::marketing
