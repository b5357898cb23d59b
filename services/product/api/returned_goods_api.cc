// ProductService.RestockReturn: the order center's after-sales books goods a buyer returned (domain/returned_goods.h).
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/product/api/product_api.h"

namespace zhongtai::product {

grpc::ServerUnaryReactor* ProductApi::RestockReturn(grpc::CallbackServerContext* context,
                                                    const v1::RestockReturnRequest* request,
                                                    v1::RestockReturnResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (returned_goods_ == nullptr) {
      return Error(absl::StatusCode::kFailedPrecondition, "RETURNED_GOODS_UNAVAILABLE",
                   "this product service books no returned goods");
    }
    ReturnedGoods goods;
    goods.return_id = request->return_id();
    goods.warehouse_id = request->warehouse_id();
    goods.damaged = request->damaged();
    for (const auto& line : request->lines()) goods.lines.emplace_back(line.sku_id(), line.quantity());
    ASSIGN_OR_RETURN(bool booked, returned_goods_->Book(goods));
    response->set_replayed(!booked);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product
