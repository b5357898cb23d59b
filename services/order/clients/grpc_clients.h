// The order domain's ProductCatalog and PriceQuoter over gRPC. Calls are asynchronous (server::CallAsync): they carry
// the incoming call's deadline, request id, trace context and the user's token, and hold no thread while they wait.
#pragma once

#include <memory>

#include "services/order/domain/ports.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::order {

class GrpcProductCatalog : public ProductCatalog {
 public:
  explicit GrpcProductCatalog(std::shared_ptr<grpc::Channel> channel);
  void GetSkus(const std::vector<std::string>& sku_ids, Callback<std::vector<SkuInfo>> done) override;
  void Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, absl::Duration ttl,
               StatusCallback done) override;
  void Confirm(const std::string& order_id, StatusCallback done) override;
  void Release(const std::string& order_id, StatusCallback done) override;

 private:
  std::unique_ptr<product::v1::ProductService::Stub> stub_;
};

class GrpcPriceQuoter : public PriceQuoter {
 public:
  explicit GrpcPriceQuoter(std::shared_ptr<grpc::Channel> channel);
  void QuotePrice(const std::string& user_id, const std::vector<PricedLine>& lines, Callback<Quote> done) override;

 private:
  std::unique_ptr<marketing::v1::MarketingService::Stub> stub_;
};

}  // namespace zhongtai::order
