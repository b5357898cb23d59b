// What the catalogue (brands, the category tree, product lifecycle and edits, the compliance word list) needs
// from storage. PgProductStore implements it next to ProductStore (store/pg_catalogue_store.cc), and so does the
// in-memory fake of the tests. Every method is one transaction.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/product/domain/compliance.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

class CatalogueStore {
 public:
  virtual ~CatalogueStore() = default;

  // ALREADY_EXISTS BRAND_EXISTS when another brand has the name (case-insensitive). With a request id already
  // used, returns that first brand.
  virtual absl::StatusOr<Brand> CreateBrand(const Brand& brand, const std::string& request_id) = 0;
  // Changes the given fields and updated_at in one statement, so concurrent edits of different fields both stay.
  // NOT_FOUND BRAND_NOT_FOUND, ALREADY_EXISTS BRAND_EXISTS.
  virtual absl::StatusOr<Brand> UpdateBrand(const std::string& brand_id, const BrandChange& change, absl::Time now) = 0;
  // Brands by id after `after_id`, at most `limit`.
  virtual absl::StatusOr<std::vector<Brand>> ListBrands(const std::string& after_id, int limit) = 0;

  // Renames and/or moves a category with the tree locked, so that two concurrent moves cannot make a cycle:
  // CheckCategoryMove (category_tree.h) runs on the tree as stored. NOT_FOUND CATEGORY_NOT_FOUND,
  // FAILED_PRECONDITION CATEGORY_CYCLE, ALREADY_EXISTS CATEGORY_EXISTS (a sibling has the name).
  virtual absl::StatusOr<Category> UpdateCategory(const std::string& category_id,
                                                  const std::optional<std::string>& name,
                                                  const std::optional<std::string>& parent_id) = 0;

  // A product as an admin sees it: any status, retired SKUs included. NOT_FOUND PRODUCT_NOT_FOUND.
  virtual absl::StatusOr<Product> GetProductForAdmin(const std::string& product_id) = 0;
  // Oldest first.
  virtual absl::StatusOr<std::vector<ProductTransition>> ListTransitions(const std::string& product_id) = 0;
  // Writes `updated` (its fields, sales attributes, SKUs: new ones inserted with an empty stock row in the
  // default warehouse, prices and retirement of the others) as version expected_version + 1, if the stored
  // version is still `expected_version`; otherwise ABORTED VERSION_CONFLICT and nothing is written. The
  // transition, if any, joins the history and `events` go to the outbox in the same transaction.
  // NOT_FOUND CATEGORY_NOT_FOUND / BRAND_NOT_FOUND, ALREADY_EXISTS SKU_CODE_EXISTS.
  virtual absl::StatusOr<Product> SaveProduct(const Product& updated, int64_t expected_version,
                                              const std::optional<ProductTransition>& transition,
                                              const std::vector<ProductEvent>& events) = 0;

  // Replaces the SKU's price rules and writes `event` (its product id filled in) to the outbox. NOT_FOUND
  // SKU_NOT_FOUND, INVALID_ARGUMENT CURRENCY_MISMATCH (a rule not in the list price's currency).
  virtual absl::StatusOr<std::vector<PriceRule>> ReplacePriceRules(const std::string& sku_id,
                                                                   const std::vector<PriceRule>& rules,
                                                                   const ProductEvent& event) = 0;
  // The rules of each SKU among `sku_ids` that has any.
  virtual absl::StatusOr<std::map<std::string, std::vector<PriceRule>>> GetPriceRules(
      const std::vector<std::string>& sku_ids) = 0;

  // The word list in force (the newest version).
  virtual absl::StatusOr<ComplianceWordList> GetComplianceWords() = 0;
  virtual absl::StatusOr<int64_t> ComplianceWordsVersion() = 0;
  // Stores `words` as the next version.
  virtual absl::StatusOr<ComplianceWordList> ReplaceComplianceWords(const std::vector<ComplianceWord>& words,
                                                                    absl::Time now) = 0;
};

}  // namespace zhongtai::product
