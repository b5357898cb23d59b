// zhongtai.datahub.v1.ProductAnalyticsService: product metrics and the daily operations reports; maps proto <->
// domain and runs the domain on the worker pool. Admin only (the routes' access, checked by the service runner).
#pragma once

#include "common/server/worker_pool.h"
#include "services/datahub/domain/daily_report.h"
#include "services/datahub/domain/product_metrics.h"
#include "zhongtai/datahub/v1/product_analytics.grpc.pb.h"

namespace zhongtai::datahub {

class ProductAnalyticsApi : public v1::ProductAnalyticsService::CallbackService {
 public:
  ProductAnalyticsApi(ProductAnalytics& products, DailyReports& reports, server::WorkerPool& workers)
      : products_(products), reports_(reports), workers_(workers) {}

  grpc::ServerUnaryReactor* GetProductMetrics(grpc::CallbackServerContext* context,
                                              const v1::GetProductMetricsRequest* request,
                                              v1::GetProductMetricsResponse* response) override;
  grpc::ServerUnaryReactor* ListProductMetrics(grpc::CallbackServerContext* context,
                                               const v1::ListProductMetricsRequest* request,
                                               v1::ListProductMetricsResponse* response) override;
  grpc::ServerUnaryReactor* ListDailyReports(grpc::CallbackServerContext* context,
                                             const v1::ListDailyReportsRequest* request,
                                             v1::ListDailyReportsResponse* response) override;
  grpc::ServerUnaryReactor* GetDailyReport(grpc::CallbackServerContext* context,
                                           const v1::GetDailyReportRequest* request,
                                           v1::GetDailyReportResponse* response) override;
  grpc::ServerUnaryReactor* GetDailyReportPage(grpc::CallbackServerContext* context,
                                               const v1::GetDailyReportPageRequest* request,
                                               v1::GetDailyReportPageResponse* response) override;

 private:
  ProductAnalytics& products_;
  DailyReports& reports_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::datahub
