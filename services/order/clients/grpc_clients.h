// The order domain's ProductCatalog and PriceQuoter over gRPC. Calls run on the worker pool and
// carry the incoming call's deadline, request id and trace context (server::NewClientContext).
#pragma once

#include <memory>

#include "services/order/domain/ports.h"
#include "zhongtai/marketing/v1/marketing.grpc.pb.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::order {

class GrpcProductCatalog : public ProductCatalog {
 public:
  explicit GrpcProductCatalog(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<std::vector<SkuInfo>> GetSkus(const std::vector<std::string>& sku_ids) override;
  absl::Status Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, absl::Duration ttl) override;
  absl::Status Confirm(const std::string& order_id) override;
  absl::Status Release(const std::string& order_id) override;

 private:
  std::unique_ptr<product::v1::ProductService::Stub> stub_;
};

class GrpcPriceQuoter : public PriceQuoter {
 public:
  explicit GrpcPriceQuoter(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<Quote> QuotePrice(const std::string& user_id, const std::vector<PricedLine>& lines) override;

 private:
  std::unique_ptr<marketing::v1::MarketingService::Stub> stub_;
};

}  // namespace zhongtai::order
