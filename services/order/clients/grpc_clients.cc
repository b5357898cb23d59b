#include "services/order/clients/grpc_clients.h"

#include "common/proto/convert.h"
#include "common/server/async_call.h"

namespace zhongtai::order {
namespace {

// Writes are retried by the caller with the same order id; reads may take a little longer.
constexpr absl::Duration kCallTimeout = absl::Seconds(3);

using ProductStub = product::v1::ProductService::Stub;
using MarketingStub = marketing::v1::MarketingService::Stub;

// A write's outcome without its (empty) response.
template <typename Response>
std::function<void(absl::StatusOr<Response>)> StatusOnly(StatusCallback done) {
  return [done = std::move(done)](absl::StatusOr<Response> response) { done(response.status()); };
}

}  // namespace

GrpcProductCatalog::GrpcProductCatalog(std::shared_ptr<grpc::Channel> channel)
    : stub_(product::v1::ProductService::NewStub(std::move(channel))) {}

void GrpcProductCatalog::GetSkus(const std::vector<std::string>& sku_ids, Callback<std::vector<SkuInfo>> done) {
  product::v1::BatchGetSkusRequest request;
  for (const auto& id : sku_ids) request.add_sku_ids(id);
  server::CallAsync(stub_->async(), &ProductStub::async::BatchGetSkus, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<product::v1::BatchGetSkusResponse> response) {
                      if (!response.ok()) return done(response.status());
                      std::vector<SkuInfo> skus;
                      for (const auto& sku : response->skus()) {
                        skus.push_back({sku.sku_id(), sku.price().amount_minor(), sku.price().currency()});
                      }
                      done(std::move(skus));
                    });
}

void GrpcProductCatalog::Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, absl::Duration ttl,
                                 StatusCallback done) {
  product::v1::ReserveStockRequest request;
  request.set_order_id(order_id);
  request.set_ttl_seconds(static_cast<int32_t>(absl::ToInt64Seconds(ttl)));
  for (const auto& line : lines) {
    auto* out = request.add_lines();
    out->set_sku_id(line.sku_id);
    out->set_quantity(line.quantity);
  }
  server::CallAsync(stub_->async(), &ProductStub::async::ReserveStock, std::move(request), kCallTimeout,
                    StatusOnly<product::v1::ReserveStockResponse>(std::move(done)));
}

void GrpcProductCatalog::Confirm(const std::string& order_id, StatusCallback done) {
  product::v1::ConfirmReservationRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &ProductStub::async::ConfirmReservation, std::move(request), kCallTimeout,
                    StatusOnly<product::v1::ConfirmReservationResponse>(std::move(done)));
}

void GrpcProductCatalog::Release(const std::string& order_id, StatusCallback done) {
  product::v1::ReleaseReservationRequest request;
  request.set_order_id(order_id);
  server::CallAsync(stub_->async(), &ProductStub::async::ReleaseReservation, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<product::v1::ReleaseReservationResponse> response) {
                      // Nothing reserved under this order id: nothing to give back.
                      if (response.status().code() == absl::StatusCode::kNotFound) return done(absl::OkStatus());
                      done(response.status());
                    });
}

GrpcPriceQuoter::GrpcPriceQuoter(std::shared_ptr<grpc::Channel> channel)
    : stub_(marketing::v1::MarketingService::NewStub(std::move(channel))) {}

void GrpcPriceQuoter::QuotePrice(const std::string& user_id, const std::vector<PricedLine>& lines,
                                 Callback<Quote> done) {
  marketing::v1::QuotePriceRequest request;
  // The buyer travels as the call's signed identity (server::CallAsync passes it on), not as a field.
  for (const auto& line : lines) {
    auto* out = request.add_lines();
    out->set_sku_id(line.sku_id);
    out->set_quantity(line.quantity);
    proto::SetMoney(out->mutable_unit_price(), line.currency, line.unit_price);
  }
  server::CallAsync(stub_->async(), &MarketingStub::async::QuotePrice, std::move(request), kCallTimeout,
                    [done = std::move(done)](absl::StatusOr<marketing::v1::QuotePriceResponse> response) {
                      if (!response.ok()) return done(response.status());
                      Quote quote;
                      quote.subtotal = response->subtotal().amount_minor();
                      quote.discount = response->discount().amount_minor();
                      quote.total = response->total().amount_minor();
                      for (const auto& line : response->lines()) {
                        quote.lines.push_back({line.sku_id(), line.quantity(), line.unit_price().amount_minor(),
                                               line.subtotal().amount_minor(), line.discount().amount_minor(),
                                               line.total().amount_minor()});
                      }
                      done(std::move(quote));
                    });
}

}  // namespace zhongtai::order
