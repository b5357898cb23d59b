// zhongtai.datahub.v1.DatahubService: validates requests, maps proto <-> domain, runs the domain on
// the worker pool.
#pragma once

#include "common/server/worker_pool.h"
#include "services/datahub/domain/kpi_dashboard.h"
#include "zhongtai/datahub/v1/datahub.grpc.pb.h"

namespace zhongtai::datahub {

class DatahubApi : public v1::DatahubService::CallbackService {
 public:
  DatahubApi(KpiAnalytics& analytics, server::WorkerPool& workers) : analytics_(analytics), workers_(workers) {}

  grpc::ServerUnaryReactor* GetDashboard(grpc::CallbackServerContext* context, const v1::GetDashboardRequest* request,
                                         v1::GetDashboardResponse* response) override;

 private:
  KpiAnalytics& analytics_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::datahub
