// ProductStore and CatalogueStore over PostgreSQL, in three files by concern: pg_catalog_store.cc (categories,
// products, SKUs), pg_inventory_store.cc (stock, reservations) and pg_catalogue_store.cc (brands, category moves,
// product edits and lifecycle with their outbox events, the compliance word list). Every transaction that moves stock
// locks the stock rows in (sku id, warehouse id) byte order (COLLATE "C", as std::string compares), so reservations,
// confirmations and sweeps never deadlock.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/product/domain/catalogue_ports.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

class PgProductStore : public ProductStore, public CatalogueStore {
 public:
  explicit PgProductStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id) override;
  absl::StatusOr<std::vector<Category>> ListCategories(const std::string& after_id, int limit) override;
  absl::StatusOr<Product> CreateProduct(const Product& product, const std::vector<InitialStock>& stock,
                                        const std::string& request_id, absl::Time now) override;
  absl::StatusOr<Product> GetProduct(const std::string& product_id) override;
  absl::StatusOr<std::vector<Product>> ListProducts(const ProductQuery& query) override;
  absl::StatusOr<std::vector<Sku>> GetSkus(const std::vector<std::string>& sku_ids,
                                           const ShippingRegion& region) override;
  absl::StatusOr<ReserveOutcome> Reserve(const Reservation& draft) override;
  absl::StatusOr<TransitionOutcome> Transition(const std::string& order_id, ReservationAction action,
                                               absl::Time now) override;
  absl::StatusOr<TransitionOutcome> Settle(const std::string& order_id, int64_t confirm_quantity,
                                           absl::Time now) override;
  absl::StatusOr<TransitionOutcome> Resize(const std::string& order_id, int64_t new_quantity,
                                           const std::string& request_id, absl::Time now,
                                           absl::Time hold_until) override;
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit) override;

  // Catalogue (pg_catalogue_store.cc)
  absl::StatusOr<Brand> CreateBrand(const Brand& brand, const std::string& request_id) override;
  absl::StatusOr<Brand> UpdateBrand(const std::string& brand_id, const BrandChange& change, absl::Time now) override;
  absl::StatusOr<std::vector<Brand>> ListBrands(const std::string& after_id, int limit) override;
  absl::StatusOr<Category> UpdateCategory(const std::string& category_id, const std::optional<std::string>& name,
                                          const std::optional<std::string>& parent_id) override;
  absl::StatusOr<Product> GetProductForAdmin(const std::string& product_id) override;
  absl::StatusOr<std::vector<ProductTransition>> ListTransitions(const std::string& product_id) override;
  absl::StatusOr<Product> SaveProduct(const Product& updated, int64_t expected_version,
                                      const std::optional<ProductTransition>& transition,
                                      const std::vector<ProductEvent>& events) override;
  absl::StatusOr<std::vector<PriceRule>> ReplacePriceRules(const std::string& sku_id,
                                                           const std::vector<PriceRule>& rules,
                                                           const ProductEvent& event) override;
  absl::StatusOr<std::map<std::string, std::vector<PriceRule>>> GetPriceRules(
      const std::vector<std::string>& sku_ids) override;
  absl::StatusOr<ComplianceWordList> GetComplianceWords() override;
  absl::StatusOr<int64_t> ComplianceWordsVersion() override;
  absl::StatusOr<ComplianceWordList> ReplaceComplianceWords(const std::vector<ComplianceWord>& words,
                                                            absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::product
