// The product lifecycle: draft -> published (on shelf) -> unpublished (off shelf) -> published again, and from
// any of them -> archived, which is final. Shoppers see and buy published products only.
#pragma once

#include <optional>

#include "absl/status/statusor.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

enum class LifecycleAction { kPublish, kUnpublish, kArchive };

// The status `action` leads to from `current`; nullopt when the product is already there (a repeated call
// changes nothing). FAILED_PRECONDITION INVALID_PRODUCT_TRANSITION otherwise (unpublishing a draft, anything
// on an archived product).
absl::StatusOr<std::optional<ProductStatus>> DecideLifecycle(ProductStatus current, LifecycleAction action);

// Published and not retired: shown to shoppers and orderable.
bool OnSale(const Sku& sku);

// The product as a shopper may see it (published, retired SKUs left out, no cost price or ABC class); nullopt for any
// other status.
std::optional<Product> ShopperView(Product product);

}  // namespace zhongtai::product
