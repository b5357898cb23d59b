#include "services/order/clients/after_sales_clients.h"

#include "common/server/async_call.h"

namespace zhongtai::order {
namespace {

constexpr absl::Duration kCallTimeout = absl::Seconds(3);

}  // namespace

GrpcPointsRefunds::GrpcPointsRefunds(std::shared_ptr<grpc::Channel> membership_channel)
    : stub_(user::v1::MembershipService::NewStub(std::move(membership_channel))) {}

void GrpcPointsRefunds::ReturnPoints(const std::string& order_id, int64_t points, const std::string& request_id,
                                     async::StatusCallback done) {
  user::v1::ReturnPointsRequest request;
  request.set_order_id(order_id);
  request.set_points(points);
  request.set_request_id(request_id);
  request.set_reason("after-sales refund");
  server::CallAsync(
      stub_->async(), &user::v1::MembershipService::Stub::async::ReturnPoints, std::move(request), kCallTimeout,
      [done = std::move(done)](absl::StatusOr<user::v1::ReturnPointsResponse> response) { done(response.status()); });
}

GrpcReturnedStock::GrpcReturnedStock(std::shared_ptr<grpc::Channel> product_channel)
    : stub_(product::v1::ProductService::NewStub(std::move(product_channel))) {}

void GrpcReturnedStock::Restock(const ReturnedGoods& goods, async::StatusCallback done) {
  product::v1::RestockReturnRequest request;
  request.set_return_id(goods.return_id);
  request.set_warehouse_id(goods.warehouse_id);
  request.set_damaged(goods.condition == ItemCondition::kDamaged);
  for (const auto& [sku_id, quantity] : goods.lines) {
    product::v1::RestockReturnLine* line = request.add_lines();
    line->set_sku_id(sku_id);
    line->set_quantity(quantity);
  }
  server::CallAsync(stub_->async(), &product::v1::ProductService::Stub::async::RestockReturn, std::move(request),
                    kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<product::v1::RestockReturnResponse> response) {
                      done(response.status());
                    });
}

}  // namespace zhongtai::order
