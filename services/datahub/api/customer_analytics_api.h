// zhongtai.datahub.v1.CustomerAnalyticsService: cohorts, RFM, LTV and experiment results; maps proto <-> domain
// and runs the domain on the worker pool.
#pragma once

#include "common/clock/clock.h"
#include "common/server/worker_pool.h"
#include "services/datahub/domain/customer_analytics.h"
#include "zhongtai/datahub/v1/customer_analytics.grpc.pb.h"

namespace zhongtai::datahub {

class CustomerAnalyticsApi : public v1::CustomerAnalyticsService::CallbackService {
 public:
  CustomerAnalyticsApi(CustomerAnalytics& analytics, Clock& clock, server::WorkerPool& workers)
      : analytics_(analytics), clock_(clock), workers_(workers) {}

  grpc::ServerUnaryReactor* GetCohorts(grpc::CallbackServerContext* context, const v1::GetCohortsRequest* request,
                                       v1::GetCohortsResponse* response) override;
  grpc::ServerUnaryReactor* GetRfm(grpc::CallbackServerContext* context, const v1::GetRfmRequest* request,
                                   v1::GetRfmResponse* response) override;
  grpc::ServerUnaryReactor* RecomputeSegments(grpc::CallbackServerContext* context,
                                              const v1::RecomputeSegmentsRequest* request,
                                              v1::RecomputeSegmentsResponse* response) override;
  grpc::ServerUnaryReactor* GetLtv(grpc::CallbackServerContext* context, const v1::GetLtvRequest* request,
                                   v1::GetLtvResponse* response) override;
  grpc::ServerUnaryReactor* GetExperimentResults(grpc::CallbackServerContext* context,
                                                 const v1::GetExperimentResultsRequest* request,
                                                 v1::GetExperimentResultsResponse* response) override;

 private:
  CustomerAnalytics& analytics_;
  Clock& clock_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::datahub
