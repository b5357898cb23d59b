#include "services/product/domain/product_editor.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"
#include "services/product/domain/catalog.h"
#include "services/product/domain/cost_price.h"
#include "services/product/domain/listing_fields.h"
#include "services/product/domain/sales_attributes.h"

namespace zhongtai::product {
namespace {

ProductEvent::Type EventOf(ProductStatus to) {
  switch (to) {
    case ProductStatus::kPublished: return ProductEvent::Type::kPublished;
    case ProductStatus::kUnpublished: return ProductEvent::Type::kUnpublished;
    default: return ProductEvent::Type::kArchived;
  }
}

std::vector<AttributeValues> ActiveCombinations(const Product& product) {
  std::vector<AttributeValues> out;
  for (const Sku& sku : product.skus) {
    if (!sku.retired) out.push_back(sku.attributes);
  }
  return out;
}

}  // namespace

absl::Status VersionConflict(int64_t expected, int64_t current) {
  return Aborted("VERSION_CONFLICT", absl::StrCat("the product is at version ", current, ", not ", expected,
                                                  ": read it again and repeat the change"));
}

absl::StatusOr<AdminProduct> ProductEditor::Get(const std::string& product_id) {
  AdminProduct out;
  ASSIGN_OR_RETURN(out.product, store_.GetProductForAdmin(product_id));
  ASSIGN_OR_RETURN(out.history, store_.ListTransitions(product_id));
  return out;
}

absl::StatusOr<Product> ProductEditor::Update(const ProductEdit& edit) {
  ASSIGN_OR_RETURN(Product product, store_.GetProductForAdmin(edit.product_id));
  if (product.status == ProductStatus::kArchived) {
    return FailedPrecondition("PRODUCT_ARCHIVED", "an archived product cannot change");
  }
  if (edit.expected_version != product.version) return VersionConflict(edit.expected_version, product.version);

  std::vector<std::string> changed;
  auto set_text = [&](const std::optional<std::string>& value, std::string& field, const char* name) {
    if (value && *value != field) {
      field = *value;
      changed.push_back(name);
    }
  };
  set_text(edit.title, product.title, "title");
  set_text(edit.subtitle, product.subtitle, "subtitle");
  set_text(edit.description, product.description, "description");
  set_text(edit.brand_id, product.brand_id, "brandId");
  set_text(edit.category_id, product.category_id, "categoryId");
  if (edit.images && *edit.images != product.images) {
    RETURN_IF_ERROR(ValidateImages(*edit.images));
    product.images = *edit.images;
    changed.push_back("images");
  }
  if (edit.sales_attributes && *edit.sales_attributes != product.sales_attributes) {
    RETURN_IF_ERROR(ValidateSalesAttributes(*edit.sales_attributes));
    product.sales_attributes = *edit.sales_attributes;
    changed.push_back("salesAttributes");
  }

  std::map<std::string, Sku*> by_id;
  for (Sku& sku : product.skus) by_id[sku.sku_id] = &sku;
  for (size_t i = 0; i < edit.retire_sku_ids.size(); ++i) {
    auto it = by_id.find(edit.retire_sku_ids[i]);
    if (it == by_id.end()) {
      return Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND", "the product has no such sku",
                   absl::StrCat("retireSkuIds[", i, "]"));
    }
    if (!it->second->retired) {
      it->second->retired = true;
      changed.push_back("skus");
    }
  }
  std::vector<ProductEvent> events;
  absl::Time now = clock_.Now();
  for (size_t i = 0; i < edit.price_changes.size(); ++i) {
    const SkuPriceChange& change = edit.price_changes[i];
    auto it = by_id.find(change.sku_id);
    if (it == by_id.end()) {
      return Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND", "the product has no such sku",
                   absl::StrCat("priceChanges[", i, "].skuId"));
    }
    Sku& sku = *it->second;
    if (sku.price.currency == change.price.currency && sku.price.amount_minor == change.price.amount_minor) continue;
    ProductEvent event;
    event.type = ProductEvent::Type::kPriceChanged;
    event.product_id = product.product_id;
    event.sku_id = sku.sku_id;
    event.currency = change.price.currency;
    event.old_amount_minor = sku.price.amount_minor;
    event.new_amount_minor = change.price.amount_minor;
    event.at = now;
    events.push_back(event);
    sku.price = change.price;
  }
  // Cost prices are the shop's own figures: they change the SKU, not what shoppers see, so no price event.
  for (size_t i = 0; i < edit.cost_changes.size(); ++i) {
    const SkuCostChange& change = edit.cost_changes[i];
    auto it = by_id.find(change.sku_id);
    if (it == by_id.end()) {
      return Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND", "the product has no such sku",
                   absl::StrCat("costChanges[", i, "].skuId"));
    }
    Sku& sku = *it->second;
    RETURN_IF_ERROR(ValidateCostPrice(change.cost_price, sku.price, absl::StrCat("costChanges[", i, "].costPrice")));
    if (sku.cost_price && sku.cost_price->amount_minor == change.cost_price.amount_minor &&
        sku.cost_price->currency == change.cost_price.currency) {
      continue;
    }
    sku.cost_price = change.cost_price;
    changed.push_back("costPrice");
  }
  for (size_t i = 0; i < edit.shipping_changes.size(); ++i) {
    const SkuShippingChange& change = edit.shipping_changes[i];
    auto it = by_id.find(change.sku_id);
    if (it == by_id.end()) {
      return Error(absl::StatusCode::kNotFound, "SKU_NOT_FOUND", "the product has no such sku",
                   absl::StrCat("shippingChanges[", i, "].skuId"));
    }
    Sku& sku = *it->second;
    if (change.weight_grams) {
      RETURN_IF_ERROR(ValidateSkuWeight(*change.weight_grams, absl::StrCat("shippingChanges[", i, "].weightGrams")));
      if (sku.weight_grams != *change.weight_grams) {
        sku.weight_grams = *change.weight_grams;
        changed.push_back("weightGrams");
      }
    }
    if (change.fragile && sku.fragile != *change.fragile) {
      sku.fragile = *change.fragile;
      changed.push_back("fragile");
    }
  }
  // Existing SKUs on sale must fit the (possibly new) declaration; then the new ones, which must not repeat any.
  RETURN_IF_ERROR(CheckSkuCombinations(product.sales_attributes, ActiveCombinations(product), "skus"));
  std::vector<AttributeValues> added;
  for (const NewSku& in : edit.add_skus) added.push_back(in.attributes);
  RETURN_IF_ERROR(CheckSkuCombinations(product.sales_attributes, added, "addSkus"));
  std::set<AttributeValues> existing;
  for (const AttributeValues& combination : ActiveCombinations(product)) existing.insert(combination);
  for (size_t i = 0; i < edit.add_skus.size(); ++i) {
    if (!product.sales_attributes.empty() && existing.count(added[i]) > 0) {
      return InvalidArgument(absl::StrCat("addSkus[", i, "].attributes"), "DUPLICATE_SKU_COMBINATION",
                             "a sku on sale already has this combination");
    }
    Sku sku;
    sku.sku_id = ids_.NewSkuId();
    sku.product_id = product.product_id;
    sku.sku_code = edit.add_skus[i].sku_code;
    sku.attributes = edit.add_skus[i].attributes;
    sku.spec = edit.add_skus[i].spec.empty() ? SpecFromAttributes(sku.attributes) : edit.add_skus[i].spec;
    sku.price = edit.add_skus[i].price;
    RETURN_IF_ERROR(
        ValidateCostPrice(edit.add_skus[i].cost_price, sku.price, absl::StrCat("addSkus[", i, "].costPrice")));
    sku.cost_price = edit.add_skus[i].cost_price;
    RETURN_IF_ERROR(ValidateSkuWeight(edit.add_skus[i].weight_grams, absl::StrCat("addSkus[", i, "].weightGrams")));
    sku.weight_grams = edit.add_skus[i].weight_grams;
    sku.fragile = edit.add_skus[i].fragile;
    sku.product_title = product.title;
    sku.product_status = product.status;
    product.skus.push_back(std::move(sku));
    changed.push_back("skus");
  }
  if (changed.empty() && events.empty()) return product;

  if (product.status == ProductStatus::kPublished) {
    // A product on the shelf stays compliant: its new text is checked as at publishing.
    ASSIGN_OR_RETURN(ComplianceReport report, compliance_.Check(ListingFieldsOf(product)));
    if (report.blocked()) return NotCompliantError(report);
  }
  int64_t next_version = product.version + 1;
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  for (ProductEvent& event : events) event.version = next_version;
  if (!changed.empty()) {
    ProductEvent updated;
    updated.type = ProductEvent::Type::kUpdated;
    updated.product_id = product.product_id;
    updated.version = next_version;
    updated.changed_fields = changed;
    updated.at = now;
    events.insert(events.begin(), updated);
  }
  product.updated_at = now;
  absl::StatusOr<Product> saved = store_.SaveProduct(product, edit.expected_version, std::nullopt, events);
  Forget(product.product_id);
  return saved;
}

absl::StatusOr<LifecycleResult> ProductEditor::ChangeStatus(const std::string& product_id, LifecycleAction action,
                                                            int64_t expected_version) {
  ASSIGN_OR_RETURN(Product product, store_.GetProductForAdmin(product_id));
  if (expected_version != 0 && expected_version != product.version) {
    return VersionConflict(expected_version, product.version);
  }
  ASSIGN_OR_RETURN(std::optional<ProductStatus> target, DecideLifecycle(product.status, action));
  LifecycleResult result;
  if (action == LifecycleAction::kPublish) {
    bool any_on_sale = false;
    for (const Sku& sku : product.skus) any_on_sale = any_on_sale || !sku.retired;
    if (!any_on_sale) return FailedPrecondition("PRODUCT_HAS_NO_SKUS", "a product needs a sku on sale to publish");
    ASSIGN_OR_RETURN(result.compliance, compliance_.Check(ListingFieldsOf(product)));
    if (result.compliance.blocked()) return NotCompliantError(result.compliance);
  }
  if (!target) {
    result.product = std::move(product);
    return result;
  }
  absl::Time now = clock_.Now();
  ProductTransition transition{product.status, *target, product.version + 1, now};
  ProductEvent event;
  event.type = EventOf(*target);
  event.product_id = product.product_id;
  event.version = transition.version;
  event.at = now;
  int64_t read_version = product.version;
  product.status = *target;
  for (Sku& sku : product.skus) sku.product_status = *target;
  product.updated_at = now;
  absl::StatusOr<Product> saved = store_.SaveProduct(product, read_version, transition, {event});
  Forget(product_id);
  if (!saved.ok()) return saved.status();
  result.product = *std::move(saved);
  return result;
}

void ProductEditor::Forget(const std::string& product_id) {
  if (cache_ != nullptr) cache_->InvalidateProduct(product_id);
}

}  // namespace zhongtai::product
