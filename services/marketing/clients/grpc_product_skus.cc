#include "services/marketing/clients/grpc_product_skus.h"

#include <utility>

#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"

namespace zhongtai::marketing {

GrpcProductSkus::GrpcProductSkus(std::shared_ptr<grpc::Channel> channel, absl::Duration timeout)
    : stub_(product::v1::ProductService::NewStub(std::move(channel))), timeout_(timeout) {}

absl::StatusOr<std::map<std::string, SkuFacts>> GrpcProductSkus::Batch(const std::vector<std::string>& sku_ids,
                                                                       const ShipTo& ship_to) {
  product::v1::BatchGetSkusRequest request;
  for (const std::string& id : sku_ids) request.add_sku_ids(id);
  if (!ship_to.province_code.empty()) {
    request.mutable_shipping_region()->set_province_code(ship_to.province_code);
    request.mutable_shipping_region()->set_city_code(ship_to.city_code);
  }
  product::v1::BatchGetSkusResponse response;
  std::unique_ptr<grpc::ClientContext> context = server::NewClientContext(timeout_);
  grpc::Status status = stub_->BatchGetSkus(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  std::map<std::string, SkuFacts> out;
  for (const product::v1::Sku& sku : response.skus()) {
    SkuFacts& facts = out[sku.sku_id()];
    facts.found = true;
    facts.on_sale = true;  // BatchGetSkus answers only SKUs on sale
    facts.currency = sku.list_price().currency().empty() ? sku.price().currency() : sku.list_price().currency();
    facts.list_price = sku.has_list_price() ? sku.list_price().amount_minor() : sku.price().amount_minor();
    facts.available = sku.available();
  }
  return out;
}

absl::StatusOr<std::map<std::string, SkuFacts>> GrpcProductSkus::Get(const std::vector<std::string>& sku_ids,
                                                                     const ShipTo& ship_to) {
  if (sku_ids.empty()) return std::map<std::string, SkuFacts>{};
  absl::StatusOr<std::map<std::string, SkuFacts>> batch = Batch(sku_ids, ship_to);
  if (batch.ok()) return batch;
  const std::string reason = ReasonOf(batch.status());
  if (reason != "SKU_NOT_FOUND" && reason != "SKU_NOT_ON_SALE") return batch.status();
  std::map<std::string, SkuFacts> out;
  for (const std::string& id : sku_ids) {
    absl::StatusOr<std::map<std::string, SkuFacts>> one = Batch({id}, ship_to);
    if (one.ok()) {
      out.insert(one->begin(), one->end());
      continue;
    }
    const std::string why = ReasonOf(one.status());
    if (why == "SKU_NOT_FOUND") {
      out[id] = SkuFacts{};
    } else if (why == "SKU_NOT_ON_SALE") {
      out[id] = SkuFacts{true, false, "", 0, 0};
    } else {
      return one.status();
    }
  }
  return out;
}

}  // namespace zhongtai::marketing
