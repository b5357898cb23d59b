#include "services/marketing/clients/grpc_flash_sale_stock.h"

#include <utility>

#include "common/server/async_call.h"

namespace zhongtai::marketing {
namespace {

// Both calls are idempotent on the sale id: a timeout is retried by the sweeper.
constexpr absl::Duration kCallTimeout = absl::Seconds(3);

using ProductStub = product::v1::ProductService::Stub;

template <typename Response>
std::function<void(absl::StatusOr<Response>)> StatusOnly(async::StatusCallback done) {
  return [done = std::move(done)](absl::StatusOr<Response> response) { done(response.status()); };
}

}  // namespace

GrpcFlashSaleStock::GrpcFlashSaleStock(std::shared_ptr<grpc::Channel> channel)
    : stub_(product::v1::ProductService::NewStub(std::move(channel))) {}

void GrpcFlashSaleStock::Reserve(const FlashSale& sale, absl::Duration ttl, async::StatusCallback done) {
  product::v1::ReserveStockRequest request;
  request.set_order_id(sale.sale_id);
  request.set_ttl_seconds(static_cast<int32_t>(absl::ToInt64Seconds(ttl)));
  auto* line = request.add_lines();
  line->set_sku_id(sale.sku_id);
  line->set_quantity(sale.quantity);
  server::CallAsync(stub_->async(), &ProductStub::async::ReserveStock, std::move(request), kCallTimeout,
                    StatusOnly<product::v1::ReserveStockResponse>(std::move(done)));
}

void GrpcFlashSaleStock::Resize(const std::string& sale_id, int64_t quantity, absl::Duration ttl,
                                const std::string& request_key, async::StatusCallback done) {
  product::v1::ResizeReservationRequest request;
  request.set_order_id(sale_id);
  request.set_quantity(quantity);
  request.set_request_id(request_key);
  request.set_ttl_seconds(static_cast<int32_t>(absl::ToInt64Seconds(ttl)));
  server::CallAsync(stub_->async(), &ProductStub::async::ResizeReservation, std::move(request), kCallTimeout,
                    StatusOnly<product::v1::ResizeReservationResponse>(std::move(done)));
}

void GrpcFlashSaleStock::Settle(const std::string& sale_id, int64_t sold, async::StatusCallback done) {
  product::v1::SettleReservationRequest request;
  request.set_order_id(sale_id);
  request.set_confirm_quantity(sold);
  server::CallAsync(stub_->async(), &ProductStub::async::SettleReservation, std::move(request), kCallTimeout,
                    StatusOnly<product::v1::SettleReservationResponse>(std::move(done)));
}

}  // namespace zhongtai::marketing
