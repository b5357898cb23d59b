// ProductService.ListProducts: shoppers' search and listing. The request is checked by the domain
// (ParseSearchRequest names the field); a page the listing cache holds is answered on the gRPC thread, as a cached
// product page is, and anything else runs on the worker pool.
#include <grpcpp/support/byte_buffer.h>

#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/product/api/product_api.h"

namespace zhongtai::product {

SearchRequest SearchRequestFromProto(const v1::ListProductsRequest& request) {
  SearchRequest out;
  out.q = request.q();
  out.category_id = request.category_id();
  out.brand_ids.assign(request.brand_id().begin(), request.brand_id().end());
  out.attributes.assign(request.attribute().begin(), request.attribute().end());
  if (request.has_price_min()) out.price_min = request.price_min();
  if (request.has_price_max()) out.price_max = request.price_max();
  out.in_stock_only = request.in_stock_only();
  out.sort = request.sort();
  out.page_size = request.page_size();
  out.page_token = request.page_token();
  return out;
}

namespace {

void ToProto(const FacetCount& count, v1::FacetCount* out) {
  out->set_value(count.value);
  out->set_label(count.label);
  out->set_count(count.count);
}

}  // namespace

void ToProto(const SearchResult& result, v1::ListProductsResponse* out) {
  for (const Product& product : result.products) ToProto(product, out->add_products());
  out->set_next_page_token(result.next_page_token);
  out->set_total_size(result.total);
  out->set_counts_estimated(result.counts_estimated);
  v1::ProductFacets* facets = out->mutable_facets();
  for (const FacetCount& brand : result.facets.brands) ToProto(brand, facets->add_brands());
  for (const PriceBand& band : result.facets.price_bands) {
    v1::PriceBand* b = facets->add_price_bands();
    b->set_from(band.from);
    b->set_to(band.to);
    b->set_count(band.count);
  }
  for (const AttributeFacet& attribute : result.facets.attributes) {
    v1::AttributeFacet* a = facets->add_attributes();
    a->set_name(attribute.name);
    for (const FacetCount& value : attribute.values) ToProto(value, a->add_values());
  }
}

std::string EncodeListing(const SearchResult& result) {
  v1::ListProductsResponse response;
  ToProto(result, &response);
  return response.SerializeAsString();
}

namespace {

grpc::ByteBuffer Bytes(const std::string& bytes) {
  grpc::Slice slice(bytes.data(), bytes.size());  // copied: the call may outlive the cache entry
  return grpc::ByteBuffer(&slice, 1);
}

bool ParseRequest(const grpc::ByteBuffer& bytes, v1::ListProductsRequest* request) {
  if (bytes.Length() == 0) return true;  // every field at its default (an empty buffer may not even be allocated)
  grpc::Slice slice;
  if (!bytes.DumpToSingleSlice(&slice).ok()) return false;
  return request->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
}

grpc::ServerUnaryReactor* Answer(grpc::CallbackServerContext* context, grpc::Status status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(std::move(status));
  return reactor;
}

}  // namespace

grpc::ServerUnaryReactor* ProductApi::ListProducts(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request_bytes, grpc::ByteBuffer* response) {
  auto request = std::make_shared<v1::ListProductsRequest>();
  if (!ParseRequest(*request_bytes, request.get())) {
    return Answer(context, grpc::Status(grpc::StatusCode::INTERNAL, "the request could not be parsed"));
  }
  if (search_ == nullptr) {
    return server::RunBlocking(workers_, context, [this, request, response]() -> absl::Status {
      RETURN_IF_ERROR(Validate(*request));
      ASSIGN_OR_RETURN(ProductPage page, catalog_.ListProducts(request->page_size(), request->page_token(),
                                                               request->category_id(), request->q()));
      v1::ListProductsResponse out;
      for (const Product& product : page.products) ToProto(product, out.add_products());
      out.set_next_page_token(page.next_page_token);
      *response = Bytes(out.SerializeAsString());
      return absl::OkStatus();
    });
  }
  absl::StatusOr<SearchQuery> query = ParseSearchRequest(SearchRequestFromProto(*request));
  if (query.ok()) {
    ListingCache::Lookup cached = search_->Cached(*query);
    if (cached.page != nullptr) {
      // A page past its TTL is still answered at once; one caller refreshes it in the background.
      if (cached.refresh && !workers_.TrySubmit([this, query = *query] { search_->Refresh(query); })) {
        search_->RefreshAbandoned(*query);
      }
      *response = Bytes(cached.page->encoded);
      return Answer(context, grpc::Status::OK);
    }
  }
  return server::RunBlocking(workers_, context, [this, query = std::move(query), response]() -> absl::Status {
    RETURN_IF_ERROR(query.status());
    ASSIGN_OR_RETURN(ListingPagePtr page, search_->Search(*query));
    *response = Bytes(page->encoded);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::product
