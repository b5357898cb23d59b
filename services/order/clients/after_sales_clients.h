// gRPC clients of the after-sales ports (domain/after_sales_ports.h): the user center's ReturnPoints and the product
// center's RestockReturn, both keyed by the return id.
#pragma once

#include <memory>

#include "services/order/domain/after_sales_ports.h"
#include "zhongtai/product/v1/product.grpc.pb.h"
#include "zhongtai/user/v1/membership.grpc.pb.h"

namespace zhongtai::order {

class GrpcPointsRefunds : public PointsRefunds {
 public:
  explicit GrpcPointsRefunds(std::shared_ptr<grpc::Channel> membership_channel);
  void ReturnPoints(const std::string& order_id, int64_t points, const std::string& request_id,
                    async::StatusCallback done) override;

 private:
  std::unique_ptr<user::v1::MembershipService::Stub> stub_;
};

class GrpcReturnedStock : public ReturnedStock {
 public:
  explicit GrpcReturnedStock(std::shared_ptr<grpc::Channel> product_channel);
  void Restock(const ReturnedGoods& goods, async::StatusCallback done) override;

 private:
  std::unique_ptr<product::v1::ProductService::Stub> stub_;
};

}  // namespace zhongtai::order
