#include "services/order/clients/grpc_clients.h"

#include "common/proto/convert.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"

namespace zhongtai::order {
namespace {

// Writes are retried by the caller with the same order id; reads may take a little longer.
constexpr absl::Duration kCallTimeout = absl::Seconds(3);

}  // namespace

GrpcProductCatalog::GrpcProductCatalog(std::shared_ptr<grpc::Channel> channel)
    : stub_(product::v1::ProductService::NewStub(std::move(channel))) {}

absl::StatusOr<std::vector<SkuInfo>> GrpcProductCatalog::GetSkus(const std::vector<std::string>& sku_ids) {
  product::v1::BatchGetSkusRequest request;
  for (const auto& id : sku_ids) request.add_sku_ids(id);
  product::v1::BatchGetSkusResponse response;
  auto context = server::NewClientContext(kCallTimeout);
  grpc::Status status = stub_->BatchGetSkus(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  std::vector<SkuInfo> skus;
  for (const auto& sku : response.skus()) {
    skus.push_back({sku.sku_id(), sku.price().amount_minor(), sku.price().currency()});
  }
  return skus;
}

absl::Status GrpcProductCatalog::Reserve(const std::string& order_id, const std::vector<LineRequest>& lines,
                                         absl::Duration ttl) {
  product::v1::ReserveStockRequest request;
  request.set_order_id(order_id);
  request.set_ttl_seconds(static_cast<int32_t>(absl::ToInt64Seconds(ttl)));
  for (const auto& line : lines) {
    auto* out = request.add_lines();
    out->set_sku_id(line.sku_id);
    out->set_quantity(line.quantity);
  }
  product::v1::ReserveStockResponse response;
  auto context = server::NewClientContext(kCallTimeout);
  grpc::Status status = stub_->ReserveStock(context.get(), request, &response);
  return status.ok() ? absl::OkStatus() : FromGrpcStatus(status, *context);
}

absl::Status GrpcProductCatalog::Confirm(const std::string& order_id) {
  product::v1::ConfirmReservationRequest request;
  request.set_order_id(order_id);
  product::v1::ConfirmReservationResponse response;
  auto context = server::NewClientContext(kCallTimeout);
  grpc::Status status = stub_->ConfirmReservation(context.get(), request, &response);
  return status.ok() ? absl::OkStatus() : FromGrpcStatus(status, *context);
}

absl::Status GrpcProductCatalog::Release(const std::string& order_id) {
  product::v1::ReleaseReservationRequest request;
  request.set_order_id(order_id);
  product::v1::ReleaseReservationResponse response;
  auto context = server::NewClientContext(kCallTimeout);
  grpc::Status status = stub_->ReleaseReservation(context.get(), request, &response);
  // Nothing reserved under this order id: nothing to give back.
  if (status.error_code() == grpc::StatusCode::NOT_FOUND) return absl::OkStatus();
  return status.ok() ? absl::OkStatus() : FromGrpcStatus(status, *context);
}

GrpcPriceQuoter::GrpcPriceQuoter(std::shared_ptr<grpc::Channel> channel)
    : stub_(marketing::v1::MarketingService::NewStub(std::move(channel))) {}

absl::StatusOr<Quote> GrpcPriceQuoter::QuotePrice(const std::string& user_id, const std::vector<PricedLine>& lines) {
  marketing::v1::QuotePriceRequest request;
  // The buyer travels as the call's signed identity (NewClientContext passes it on), not as a field.
  for (const auto& line : lines) {
    auto* out = request.add_lines();
    out->set_sku_id(line.sku_id);
    out->set_quantity(line.quantity);
    proto::SetMoney(out->mutable_unit_price(), line.currency, line.unit_price);
  }
  marketing::v1::QuotePriceResponse response;
  auto context = server::NewClientContext(kCallTimeout);
  grpc::Status status = stub_->QuotePrice(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  Quote quote;
  quote.subtotal = response.subtotal().amount_minor();
  quote.discount = response.discount().amount_minor();
  quote.total = response.total().amount_minor();
  for (const auto& line : response.lines()) {
    quote.lines.push_back({line.sku_id(), line.quantity(), line.unit_price().amount_minor(),
                           line.subtotal().amount_minor(), line.discount().amount_minor(),
                           line.total().amount_minor()});
  }
  return quote;
}

}  // namespace zhongtai::order
