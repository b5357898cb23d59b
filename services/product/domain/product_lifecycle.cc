#include "services/product/domain/product_lifecycle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

const char* ProductStatusName(ProductStatus status) {
  switch (status) {
    case ProductStatus::kDraft: return "draft";
    case ProductStatus::kPublished: return "published";
    case ProductStatus::kUnpublished: return "unpublished";
    case ProductStatus::kArchived: return "archived";
  }
  return "draft";
}

bool ParseProductStatus(const std::string& name, ProductStatus* out) {
  for (ProductStatus status :
       {ProductStatus::kDraft, ProductStatus::kPublished, ProductStatus::kUnpublished, ProductStatus::kArchived}) {
    if (name == ProductStatusName(status)) {
      *out = status;
      return true;
    }
  }
  return false;
}

absl::StatusOr<std::optional<ProductStatus>> DecideLifecycle(ProductStatus current, LifecycleAction action) {
  ProductStatus target = action == LifecycleAction::kPublish     ? ProductStatus::kPublished
                         : action == LifecycleAction::kUnpublish ? ProductStatus::kUnpublished
                                                                 : ProductStatus::kArchived;
  if (current == target) return std::optional<ProductStatus>();
  bool allowed = current != ProductStatus::kArchived &&
                 !(action == LifecycleAction::kUnpublish && current != ProductStatus::kPublished);
  if (!allowed) {
    return FailedPrecondition(
        "INVALID_PRODUCT_TRANSITION",
        absl::StrCat("a product that is ", ProductStatusName(current), " cannot become ", ProductStatusName(target)));
  }
  return std::optional<ProductStatus>(target);
}

bool OnSale(const Sku& sku) { return sku.product_status == ProductStatus::kPublished && !sku.retired; }

std::optional<Product> ShopperView(Product product) {
  if (product.status != ProductStatus::kPublished) return std::nullopt;
  product.skus.erase(std::remove_if(product.skus.begin(), product.skus.end(), [](const Sku& s) { return s.retired; }),
                     product.skus.end());
  // The shop's cost and its own classification are not the shopper's business, whichever store read them.
  for (Sku& sku : product.skus) {
    sku.cost_price.reset();
    sku.abc_class = 0;
  }
  return product;
}

}  // namespace zhongtai::product
