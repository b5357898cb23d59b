#include "services/product/domain/brands.h"

#include <algorithm>

#include "common/status/status.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/listing_fields.h"

namespace zhongtai::product {

absl::StatusOr<Brand> Brands::Create(const std::string& name, const std::string& logo_url,
                                     const std::string& description, const std::string& request_id) {
  if (!logo_url.empty()) RETURN_IF_ERROR(ValidateImageUrl(logo_url, "logoUrl"));
  Brand brand;
  brand.brand_id = ids_.NewBrandId();
  brand.name = name;
  brand.logo_url = logo_url;
  brand.description = description;
  brand.created_at = brand.updated_at = clock_.Now();
  return store_.CreateBrand(brand, request_id);
}

absl::StatusOr<Brand> Brands::Update(const std::string& brand_id, const BrandChange& change) {
  if (change.logo_url && !change.logo_url->empty()) RETURN_IF_ERROR(ValidateImageUrl(*change.logo_url, "logoUrl"));
  return store_.UpdateBrand(brand_id, change, clock_.Now());
}

absl::StatusOr<BrandPage> Brands::List(int page_size, const std::string& page_token) {
  int size = page_size <= 0 ? kDefaultBrandPageSize : std::min(page_size, kMaxBrandPageSize);
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, DecodePageToken("b", page_token));
  }
  ASSIGN_OR_RETURN(std::vector<Brand> brands, store_.ListBrands(after, size + 1));
  BrandPage page;
  if (static_cast<int>(brands.size()) > size) {
    brands.resize(size);
    page.next_page_token = EncodePageToken("b", brands.back().brand_id);
  }
  page.brands = std::move(brands);
  return page;
}

}  // namespace zhongtai::product
