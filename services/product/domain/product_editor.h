// An admin's work on one product after it exists: read it with its history, edit it (optimistic concurrency:
// every edit names the version it read), add and retire SKUs, change prices, and move it through its lifecycle,
// where publishing runs the Advertising Law check. Every change is an outbox event.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/clock/clock.h"
#include "services/product/domain/catalogue_ports.h"
#include "services/product/domain/listing_compliance.h"
#include "services/product/domain/ports.h"
#include "services/product/domain/product_cache.h"
#include "services/product/domain/product_lifecycle.h"

namespace zhongtai::product {

struct SkuPriceChange {
  std::string sku_id;
  Money price;
};

struct SkuCostChange {
  std::string sku_id;
  Money cost_price;
};

// nullopt keeps the SKU's value.
struct SkuShippingChange {
  std::string sku_id;
  std::optional<int64_t> weight_grams;
  std::optional<bool> fragile;
};

// nullopt / empty leaves a part as it is.
struct ProductEdit {
  std::string product_id;
  int64_t expected_version = 0;  // the version the editor read; required
  std::optional<std::string> title;
  std::optional<std::string> subtitle;
  std::optional<std::string> description;
  std::optional<std::string> brand_id;  // "" removes the brand
  std::optional<std::string> category_id;
  std::optional<std::vector<std::string>> images;
  std::optional<std::vector<SalesAttribute>> sales_attributes;
  std::vector<NewSku> add_skus;  // stock is not set here: new SKUs start with none (AdjustStock adds it)
  std::vector<std::string> retire_sku_ids;
  std::vector<SkuPriceChange> price_changes;
  std::vector<SkuCostChange> cost_changes;  // applied after the price changes; in the SKU's (new) price currency
  std::vector<SkuShippingChange> shipping_changes;  // weight and fragility of existing SKUs
};

struct AdminProduct {
  Product product;
  std::vector<ProductTransition> history;  // oldest first
};

struct LifecycleResult {
  Product product;
  ComplianceReport compliance;  // publishing: the warnings (a blocked listing is an error instead)
};

class ProductEditor {
 public:
  ProductEditor(CatalogueStore& store, ListingCompliance& compliance, Clock& clock, IdGenerator& ids,
                ProductCache* cache = nullptr)
      : store_(store), compliance_(compliance), clock_(clock), ids_(ids), cache_(cache) {}

  absl::StatusOr<AdminProduct> Get(const std::string& product_id);

  // ABORTED VERSION_CONFLICT when the product changed since `expected_version` (read it again and redo the
  // edit), FAILED_PRECONDITION PRODUCT_ARCHIVED, INVALID_ARGUMENT naming the field (images[i], salesAttributes,
  // skus[i].attributes[...], addSkus[i]..., retireSkuIds[i], priceChanges[i].skuId, costChanges[i].costPrice,
  // shippingChanges[i].weightGrams), and for a published product whose new text the Advertising Law forbids
  // FAILED_PRECONDITION LISTING_NOT_COMPLIANT. An edit that changes nothing returns the product as it is.
  absl::StatusOr<Product> Update(const ProductEdit& edit);

  // expected_version 0: whatever the current version is. Publishing needs a SKU on sale (FAILED_PRECONDITION
  // PRODUCT_HAS_NO_SKUS) and a compliant listing (FAILED_PRECONDITION LISTING_NOT_COMPLIANT, every hit in the
  // details). A product already in the target status is returned unchanged.
  absl::StatusOr<LifecycleResult> ChangeStatus(const std::string& product_id, LifecycleAction action,
                                               int64_t expected_version);

 private:
  void Forget(const std::string& product_id);

  CatalogueStore& store_;
  ListingCompliance& compliance_;
  Clock& clock_;
  IdGenerator& ids_;
  ProductCache* cache_;
};

// ABORTED VERSION_CONFLICT naming both versions.
absl::Status VersionConflict(int64_t expected, int64_t current);

}  // namespace zhongtai::product
