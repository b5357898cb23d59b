// zhongtai.order.v1.OrderPrivacyService: the order center's part of a customer's data export, for the user service.
#pragma once

#include "common/server/worker_pool.h"
#include "services/order/domain/orders.h"
#include "zhongtai/order/v1/privacy.grpc.pb.h"

namespace zhongtai::order {

class OrderPrivacyApi : public v1::OrderPrivacyService::CallbackService {
 public:
  OrderPrivacyApi(Orders& orders, server::WorkerPool& workers) : orders_(orders), workers_(workers) {}

  grpc::ServerUnaryReactor* ExportUserData(grpc::CallbackServerContext* context,
                                           const v1::ExportUserDataRequest* request,
                                           v1::ExportUserDataResponse* response) override;

 private:
  Orders& orders_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::order
