// Categories and products (SPU with SKUs). Request fields are validated by the API layer; this
// class assigns ids and times, fills defaults and owns the page tokens.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "services/product/domain/model.h"
#include "services/product/domain/page_tokens.h"
#include "services/product/domain/ports.h"
#include "services/product/domain/product_cache.h"

namespace zhongtai::product {

inline constexpr int kDefaultProductPageSize = 20;
inline constexpr int kMaxProductPageSize = 100;
inline constexpr int kDefaultCategoryPageSize = 100;
inline constexpr int kMaxCategoryPageSize = 1000;

class Catalog {
 public:
  // cache: optional; GetProduct reads through it.
  Catalog(ProductStore& store, Clock& clock, IdGenerator& ids, ProductCache* cache = nullptr);

  // Idempotent on a non-empty request id. NOT_FOUND CATEGORY_NOT_FOUND for an unknown parent.
  absl::StatusOr<Category> CreateCategory(const std::string& name, const std::string& parent_id,
                                          const std::string& request_id);
  // page_size 0: default; above the maximum: the maximum.
  absl::StatusOr<CategoryPage> ListCategories(int page_size, const std::string& page_token);

  // Idempotent on a non-empty request id. NOT_FOUND CATEGORY_NOT_FOUND, ALREADY_EXISTS SKU_CODE_EXISTS.
  absl::StatusOr<Product> CreateProduct(const NewProduct& request);
  absl::StatusOr<Product> GetProduct(const std::string& product_id);
  // The cached product, without touching the store (so a caller may answer without blocking).
  std::optional<Product> CachedProduct(const std::string& product_id);
  // Newest first. q: words that must all occur in the title. INVALID_ARGUMENT INVALID_PAGE_TOKEN.
  absl::StatusOr<ProductPage> ListProducts(int page_size, const std::string& page_token, const std::string& category_id,
                                           const std::string& q);

 private:
  ProductStore& store_;
  Clock& clock_;
  IdGenerator& ids_;
  ProductCache* cache_;
};

// "red / XL" from {"color": "red", "size": "XL"} (values in key order).
std::string SpecFromAttributes(const std::map<std::string, std::string>& attributes);

}  // namespace zhongtai::product
