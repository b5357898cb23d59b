// zhongtai.order.v1.OrderService: validates requests, maps proto <-> domain, starts the domain on the worker pool.
// Placing, paying and cancelling call other services asynchronously: the call is answered from the domain's
// completion callback (server::RunAsync), so no worker waits on another service. The user is the call's verified
// caller (server::CallingUserId()), never a request field.
#pragma once

#include "common/server/worker_pool.h"
#include "services/order/domain/cart.h"
#include "services/order/domain/fulfilment.h"
#include "services/order/domain/orders.h"
#include "services/order/domain/payments.h"
#include "zhongtai/order/v1/order.grpc.pb.h"

namespace zhongtai::order {

class OrderApi : public v1::OrderService::CallbackService {
 public:
  // `fulfilment`, when given, adds the delivery promise to checkout quotes.
  OrderApi(Orders& orders, Payments& payments, server::WorkerPool& workers, Fulfilment* fulfilment = nullptr)
      : orders_(orders), payments_(payments), workers_(workers), fulfilment_(fulfilment) {}
  // Where fromCart placements and quotes go; without it they fail with CART_UNAVAILABLE.
  void set_carts(Carts* carts) { carts_ = carts; }

  grpc::ServerUnaryReactor* QuoteCheckout(grpc::CallbackServerContext* context, const v1::QuoteCheckoutRequest* request,
                                          v1::QuoteCheckoutResponse* response) override;
  grpc::ServerUnaryReactor* PlaceOrder(grpc::CallbackServerContext* context, const v1::PlaceOrderRequest* request,
                                       v1::PlaceOrderResponse* response) override;
  grpc::ServerUnaryReactor* GetOrder(grpc::CallbackServerContext* context, const v1::GetOrderRequest* request,
                                     v1::GetOrderResponse* response) override;
  grpc::ServerUnaryReactor* ListOrders(grpc::CallbackServerContext* context, const v1::ListOrdersRequest* request,
                                       v1::ListOrdersResponse* response) override;
  grpc::ServerUnaryReactor* PayOrder(grpc::CallbackServerContext* context, const v1::PayOrderRequest* request,
                                     v1::PayOrderResponse* response) override;
  grpc::ServerUnaryReactor* CancelOrder(grpc::CallbackServerContext* context, const v1::CancelOrderRequest* request,
                                        v1::CancelOrderResponse* response) override;
  // Called by the gateway once it checked the provider's signature (ACCESS_PARTNER).
  grpc::ServerUnaryReactor* NotifyPayment(grpc::CallbackServerContext* context, const v1::NotifyPaymentRequest* request,
                                          v1::NotifyPaymentResponse* response) override;

 private:
  Orders& orders_;
  Payments& payments_;
  server::WorkerPool& workers_;
  Carts* carts_ = nullptr;
  Fulfilment* fulfilment_;
};

// Domain -> proto; internal states show as the nearest state a buyer knows.
void ToProto(const Order& order, v1::Order* out);
void ToProto(const PaymentAttempt& attempt, v1::Payment* out);

}  // namespace zhongtai::order
