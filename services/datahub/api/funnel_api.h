// zhongtai.datahub.v1.FunnelService: the funnel query, proto <-> domain.
#pragma once

#include "common/server/worker_pool.h"
#include "services/datahub/domain/funnel.h"
#include "zhongtai/datahub/v1/funnel.grpc.pb.h"

namespace zhongtai::datahub {

class FunnelApi : public v1::FunnelService::CallbackService {
 public:
  FunnelApi(FunnelAnalytics& funnel, server::WorkerPool& workers) : funnel_(funnel), workers_(workers) {}

  grpc::ServerUnaryReactor* GetFunnel(grpc::CallbackServerContext* context, const v1::GetFunnelRequest* request,
                                      v1::GetFunnelResponse* response) override;

 private:
  FunnelAnalytics& funnel_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::datahub
