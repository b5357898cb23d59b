// ProductSkus over the product service's BatchGetSkus: list prices for experiment arm prices and stock for a quote's
// gifts. Blocking with its own deadline: the quote and the experiment's creation run on the worker pool.
#pragma once

#include <memory>

#include "grpcpp/channel.h"
#include "services/marketing/domain/ports.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::marketing {

class GrpcProductSkus : public ProductSkus {
 public:
  explicit GrpcProductSkus(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout = absl::Milliseconds(500));

  // One BatchGetSkus for all the ids. The product center refuses a whole batch that names an unknown SKU or one not
  // on sale (an operator's mistake, rare): then each id is asked alone, to tell which.
  absl::StatusOr<std::map<std::string, SkuFacts>> Get(const std::vector<std::string>& sku_ids,
                                                      const ShipTo& ship_to) override;

 private:
  absl::StatusOr<std::map<std::string, SkuFacts>> Batch(const std::vector<std::string>& sku_ids, const ShipTo& ship_to);

  std::unique_ptr<product::v1::ProductService::Stub> stub_;
  absl::Duration timeout_;
};

}  // namespace zhongtai::marketing
