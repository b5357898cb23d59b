// zhongtai.order.v1.FulfilmentService: carrier rules (admin), shipping (admin and the warehouse's signed callback),
// the carrier's signed tracking callback, and the buyer's parcels and confirmation of receipt. The buyer is the call's
// verified caller (server::CallingUserId()); partner callbacks reach here only after the gateway checked the signature.
#pragma once

#include "common/server/worker_pool.h"
#include "services/order/domain/fulfilment.h"
#include "zhongtai/order/v1/fulfilment.grpc.pb.h"

namespace zhongtai::order {

class FulfilmentApi : public v1::FulfilmentService::CallbackService {
 public:
  FulfilmentApi(Fulfilment& fulfilment, server::WorkerPool& workers) : fulfilment_(fulfilment), workers_(workers) {}

  grpc::ServerUnaryReactor* GetCarrierRules(grpc::CallbackServerContext* context,
                                            const v1::GetCarrierRulesRequest* request,
                                            v1::GetCarrierRulesResponse* response) override;
  grpc::ServerUnaryReactor* ReplaceCarrierRules(grpc::CallbackServerContext* context,
                                                const v1::ReplaceCarrierRulesRequest* request,
                                                v1::ReplaceCarrierRulesResponse* response) override;
  grpc::ServerUnaryReactor* ShipOrder(grpc::CallbackServerContext* context, const v1::ShipOrderRequest* request,
                                      v1::ShipOrderResponse* response) override;
  grpc::ServerUnaryReactor* NotifyWarehouseShipment(grpc::CallbackServerContext* context,
                                                    const v1::NotifyWarehouseShipmentRequest* request,
                                                    v1::NotifyWarehouseShipmentResponse* response) override;
  grpc::ServerUnaryReactor* NotifyTracking(grpc::CallbackServerContext* context,
                                           const v1::NotifyTrackingRequest* request,
                                           v1::NotifyTrackingResponse* response) override;
  grpc::ServerUnaryReactor* ListOrderShipments(grpc::CallbackServerContext* context,
                                               const v1::ListOrderShipmentsRequest* request,
                                               v1::ListOrderShipmentsResponse* response) override;
  grpc::ServerUnaryReactor* ConfirmReceipt(grpc::CallbackServerContext* context,
                                           const v1::ConfirmReceiptRequest* request,
                                           v1::ConfirmReceiptResponse* response) override;

 private:
  Fulfilment& fulfilment_;
  server::WorkerPool& workers_;
};

void ToProto(const DeliveryPromise& promise, const std::string& carrier, const std::string& rule_id,
             v1::DeliveryPromise* out);

}  // namespace zhongtai::order
