// zhongtai.order.v1.CartService: the buyer's cart. The buyer is the call's verified caller
// (server::CallingUserId()), never a request field. Changes run on the worker pool; the priced view asks product,
// user and marketing asynchronously (server::RunAsync).
#pragma once

#include "common/server/worker_pool.h"
#include "services/order/domain/cart.h"
#include "zhongtai/order/v1/cart.grpc.pb.h"

namespace zhongtai::order {

class CartApi : public v1::CartService::CallbackService {
 public:
  CartApi(Carts& carts, server::WorkerPool& workers) : carts_(carts), workers_(workers) {}

  grpc::ServerUnaryReactor* GetCart(grpc::CallbackServerContext* context, const v1::GetCartRequest* request,
                                    v1::GetCartResponse* response) override;
  grpc::ServerUnaryReactor* AddCartItem(grpc::CallbackServerContext* context, const v1::AddCartItemRequest* request,
                                        v1::AddCartItemResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCartItem(grpc::CallbackServerContext* context,
                                           const v1::UpdateCartItemRequest* request,
                                           v1::UpdateCartItemResponse* response) override;
  grpc::ServerUnaryReactor* RemoveCartItem(grpc::CallbackServerContext* context,
                                           const v1::RemoveCartItemRequest* request,
                                           v1::RemoveCartItemResponse* response) override;

 private:
  Carts& carts_;
  server::WorkerPool& workers_;
};

void ToProto(const CartView& view, v1::GetCartResponse* out);

}  // namespace zhongtai::order
