// Brands: admins create and edit them, everyone may list them, a product may name one.
#pragma once

#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "services/product/domain/catalogue_ports.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

inline constexpr int kDefaultBrandPageSize = 100;
inline constexpr int kMaxBrandPageSize = 1000;

class Brands {
 public:
  Brands(CatalogueStore& store, Clock& clock, IdGenerator& ids) : store_(store), clock_(clock), ids_(ids) {}

  // Idempotent on a non-empty request id. INVALID_ARGUMENT INVALID_IMAGE_URL (logoUrl), ALREADY_EXISTS BRAND_EXISTS.
  absl::StatusOr<Brand> Create(const std::string& name, const std::string& logo_url, const std::string& description,
                               const std::string& request_id);
  // Changes the fields given; the others keep their value. NOT_FOUND BRAND_NOT_FOUND.
  absl::StatusOr<Brand> Update(const std::string& brand_id, const BrandChange& change);
  // By id; page_size 0: the default. INVALID_ARGUMENT INVALID_PAGE_TOKEN.
  absl::StatusOr<BrandPage> List(int page_size, const std::string& page_token);

 private:
  CatalogueStore& store_;
  Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace zhongtai::product
