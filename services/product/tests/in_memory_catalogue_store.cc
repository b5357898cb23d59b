// InMemoryProductStore, the CatalogueStore half: brands, category moves, product edits, the word list.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "common/status/status.h"
#include "services/product/domain/category_tree.h"
#include "services/product/domain/product_editor.h"
#include "services/product/tests/in_memory_store.h"

namespace zhongtai::product {
namespace {

bool SameName(const std::string& a, const std::string& b) {
  return absl::AsciiStrToLower(a) == absl::AsciiStrToLower(b);
}

}  // namespace

absl::StatusOr<Brand> InMemoryProductStore::CreateBrand(const Brand& brand, const std::string& request_id) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!request_id.empty()) {
    auto it = brand_requests_.find(request_id);
    if (it != brand_requests_.end()) return brands_.at(it->second);
  }
  for (const auto& [id, other] : brands_) {
    if (SameName(other.name, brand.name)) return AlreadyExists("BRAND_EXISTS", "a brand has this name");
  }
  brands_[brand.brand_id] = brand;
  if (!request_id.empty()) brand_requests_[request_id] = brand.brand_id;
  return brand;
}

absl::StatusOr<Brand> InMemoryProductStore::UpdateBrand(const std::string& brand_id, const BrandChange& change,
                                                        absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = brands_.find(brand_id);
  if (it == brands_.end()) return NotFound("BRAND_NOT_FOUND", "brand does not exist");
  if (change.name) {
    for (const auto& [id, other] : brands_) {
      if (id != brand_id && SameName(other.name, *change.name)) {
        return AlreadyExists("BRAND_EXISTS", "a brand has this name");
      }
    }
    it->second.name = *change.name;
  }
  if (change.logo_url) it->second.logo_url = *change.logo_url;
  if (change.description) it->second.description = *change.description;
  it->second.updated_at = now;
  return it->second;
}

absl::StatusOr<std::vector<Brand>> InMemoryProductStore::ListBrands(const std::string& after_id, int limit) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Brand> out;
  for (auto it = brands_.upper_bound(after_id); it != brands_.end() && static_cast<int>(out.size()) < limit; ++it) {
    out.push_back(it->second);
  }
  return out;
}

absl::StatusOr<Category> InMemoryProductStore::UpdateCategory(const std::string& category_id,
                                                              const std::optional<std::string>& name,
                                                              const std::optional<std::string>& parent_id) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::string> parents;
  for (const auto& [id, category] : categories_) parents[id] = category.parent_id;
  if (parent_id) RETURN_IF_ERROR(CheckCategoryMove(parents, category_id, *parent_id));
  auto it = categories_.find(category_id);
  if (it == categories_.end()) return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
  Category updated = it->second;
  if (name) updated.name = *name;
  if (parent_id) updated.parent_id = *parent_id;
  for (const auto& [id, other] : categories_) {
    if (id != category_id && other.parent_id == updated.parent_id && SameName(other.name, updated.name)) {
      return AlreadyExists("CATEGORY_EXISTS", "a category with this name exists under the same parent");
    }
  }
  it->second = updated;
  return updated;
}

absl::StatusOr<Product> InMemoryProductStore::GetProductForAdmin(const std::string& product_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = products_.find(product_id);
  if (it == products_.end()) return NotFound("PRODUCT_NOT_FOUND", "product does not exist");
  return FillLocked(it->second);
}

absl::StatusOr<std::vector<ProductTransition>> InMemoryProductStore::ListTransitions(const std::string& product_id) {
  std::lock_guard<std::mutex> lock(mu_);
  return transitions_[product_id];
}

absl::StatusOr<Product> InMemoryProductStore::SaveProduct(const Product& updated, int64_t expected_version,
                                                          const std::optional<ProductTransition>& transition,
                                                          const std::vector<ProductEvent>& events) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = products_.find(updated.product_id);
  if (it == products_.end()) return NotFound("PRODUCT_NOT_FOUND", "product does not exist");
  if (it->second.version != expected_version) return VersionConflict(expected_version, it->second.version);
  if (!categories_.count(updated.category_id)) return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
  if (!updated.brand_id.empty() && !brands_.count(updated.brand_id)) {
    return NotFound("BRAND_NOT_FOUND", "brand does not exist");
  }
  for (const Sku& sku : updated.skus) {
    if (sku_product_.count(sku.sku_id)) continue;
    for (const auto& [id, p] : products_) {
      for (const auto& other : p.skus) {
        if (other.sku_code == sku.sku_code) return AlreadyExists("SKU_CODE_EXISTS", "sku code is taken");
      }
    }
  }
  Product stored = updated;
  stored.version = expected_version + 1;
  for (Sku& sku : stored.skus) {
    if (!sku_product_.count(sku.sku_id)) {
      sku_product_[sku.sku_id] = stored.product_id;
      StockLevel& level = stock_[{sku.sku_id, kDefaultWarehouse}];
      level.sku_id = sku.sku_id;
      level.warehouse_id = kDefaultWarehouse;
    }
    sku.available = 0;
  }
  it->second = stored;
  if (transition) transitions_[stored.product_id].push_back(*transition);
  outbox_.insert(outbox_.end(), events.begin(), events.end());
  return FillLocked(stored);
}

absl::StatusOr<ComplianceWordList> InMemoryProductStore::GetComplianceWords() {
  std::lock_guard<std::mutex> lock(mu_);
  if (word_lists_.empty()) return ComplianceWordList{};
  return word_lists_.back();
}

absl::StatusOr<int64_t> InMemoryProductStore::ComplianceWordsVersion() {
  std::lock_guard<std::mutex> lock(mu_);
  return word_lists_.empty() ? 0 : word_lists_.back().version;
}

absl::StatusOr<ComplianceWordList> InMemoryProductStore::ReplaceComplianceWords(
    const std::vector<ComplianceWord>& words, absl::Time now) {
  std::lock_guard<std::mutex> lock(mu_);
  ComplianceWordList list;
  list.version = static_cast<int64_t>(word_lists_.size()) + 1;
  list.words = words;
  list.updated_at = now;
  word_lists_.push_back(list);
  return list;
}

absl::StatusOr<std::vector<PriceRule>> InMemoryProductStore::ReplacePriceRules(const std::string& sku_id,
                                                                               const std::vector<PriceRule>& rules,
                                                                               const ProductEvent& event) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!sku_product_.count(sku_id)) return NotFound("SKU_NOT_FOUND", "sku does not exist");
  for (const Sku& sku : products_.at(sku_product_.at(sku_id)).skus) {
    for (size_t i = 0; sku.sku_id == sku_id && i < rules.size(); ++i) {
      if (rules[i].currency != sku.price.currency) {
        return InvalidArgument("rules[" + std::to_string(i) + "].price.currency", "CURRENCY_MISMATCH",
                               "a rule's price is in the SKU's list price currency");
      }
    }
  }
  price_rules_[sku_id] = rules;
  outbox_.push_back(event);
  outbox_.back().product_id = sku_product_.at(sku_id);
  return rules;
}

absl::StatusOr<std::map<std::string, std::vector<PriceRule>>> InMemoryProductStore::GetPriceRules(
    const std::vector<std::string>& sku_ids) {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::vector<PriceRule>> out;
  for (const auto& id : sku_ids) {
    auto it = price_rules_.find(id);
    if (it != price_rules_.end() && !it->second.empty()) out[id] = it->second;
  }
  return out;
}

std::vector<ProductEvent> InMemoryProductStore::Outbox() {
  std::lock_guard<std::mutex> lock(mu_);
  return outbox_;
}

}  // namespace zhongtai::product
