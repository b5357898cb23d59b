// FlashSaleStock over the product service's gRPC API: ReserveStock keyed by the sale id, ResizeReservation,
// SettleReservation.
#pragma once

#include <memory>

#include "grpcpp/channel.h"
#include "services/marketing/domain/flash_sale_ports.h"
#include "zhongtai/product/v1/product.grpc.pb.h"

namespace zhongtai::marketing {

class GrpcFlashSaleStock : public FlashSaleStock {
 public:
  explicit GrpcFlashSaleStock(std::shared_ptr<grpc::Channel> channel);

  void Reserve(const FlashSale& sale, absl::Duration ttl, async::StatusCallback done) override;
  void Resize(const std::string& sale_id, int64_t quantity, absl::Duration ttl, const std::string& request_key,
              async::StatusCallback done) override;
  void Settle(const std::string& sale_id, int64_t sold, async::StatusCallback done) override;

 private:
  std::unique_ptr<product::v1::ProductService::Stub> stub_;
};

}  // namespace zhongtai::marketing
