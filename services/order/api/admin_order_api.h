// zhongtai.order.v1.AdminOrderService: the back office's order list, its CSV export and marketplace imports (admin
// only, as the proto declares). Lists and exports run on the worker pool; an import calls product asynchronously
// (server::RunAsync).
#pragma once

#include "common/server/worker_pool.h"
#include "services/order/domain/order_admin.h"
#include "services/order/domain/order_import.h"
#include "zhongtai/order/v1/admin_order.grpc.pb.h"

namespace zhongtai::order {

class AdminOrderApi : public v1::AdminOrderService::CallbackService {
 public:
  AdminOrderApi(OrderAdmin& admin, OrderImports& imports, server::WorkerPool& workers)
      : admin_(admin), imports_(imports), workers_(workers) {}

  grpc::ServerUnaryReactor* ListAdminOrders(grpc::CallbackServerContext* context,
                                            const v1::ListAdminOrdersRequest* request,
                                            v1::ListAdminOrdersResponse* response) override;
  grpc::ServerUnaryReactor* ExportOrdersCsv(grpc::CallbackServerContext* context,
                                            const v1::ExportOrdersCsvRequest* request,
                                            v1::ExportOrdersCsvResponse* response) override;
  grpc::ServerUnaryReactor* ImportOrder(grpc::CallbackServerContext* context, const v1::ImportOrderRequest* request,
                                        v1::ImportOrderResponse* response) override;

 private:
  OrderAdmin& admin_;
  OrderImports& imports_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::order
