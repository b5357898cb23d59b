// zhongtai.order.v1.AfterSalesService: validates requests, maps proto <-> domain, runs the after-sales use cases
// (domain/returns.h) on the worker pool. The buyer is the call's verified caller (server::CallingUserId()); the
// admin routes are guarded by their access in the proto.
#pragma once

#include "common/server/worker_pool.h"
#include "services/order/domain/returns.h"
#include "zhongtai/order/v1/after_sales.grpc.pb.h"

namespace zhongtai::order {

class AfterSalesApi : public v1::AfterSalesService::CallbackService {
 public:
  AfterSalesApi(Returns& returns, server::WorkerPool& workers) : returns_(returns), workers_(workers) {}

  grpc::ServerUnaryReactor* RequestReturn(grpc::CallbackServerContext* context, const v1::RequestReturnRequest* request,
                                          v1::RequestReturnResponse* response) override;
  grpc::ServerUnaryReactor* GetReturn(grpc::CallbackServerContext* context, const v1::GetReturnRequest* request,
                                      v1::GetReturnResponse* response) override;
  grpc::ServerUnaryReactor* ShipReturn(grpc::CallbackServerContext* context, const v1::ShipReturnRequest* request,
                                       v1::ShipReturnResponse* response) override;
  grpc::ServerUnaryReactor* ApproveReturn(grpc::CallbackServerContext* context, const v1::ApproveReturnRequest* request,
                                          v1::ApproveReturnResponse* response) override;
  grpc::ServerUnaryReactor* RejectReturn(grpc::CallbackServerContext* context, const v1::RejectReturnRequest* request,
                                         v1::RejectReturnResponse* response) override;
  grpc::ServerUnaryReactor* ReceiveReturn(grpc::CallbackServerContext* context, const v1::ReceiveReturnRequest* request,
                                          v1::ReceiveReturnResponse* response) override;

 private:
  Returns& returns_;
  server::WorkerPool& workers_;
};

void ToProto(const Return& r, v1::Return* out);

}  // namespace zhongtai::order
