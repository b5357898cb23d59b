// ProductStore over PostgreSQL, in two files by concern: pg_catalog_store.cc (categories, products,
// SKUs) and pg_inventory_store.cc (stock, reservations). Every transaction that moves stock locks the
// stock rows in (sku id, warehouse id) byte order (COLLATE "C", as std::string compares), so
// reservations, confirmations and sweeps never deadlock.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

class PgProductStore : public ProductStore {
 public:
  explicit PgProductStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<Category> CreateCategory(const Category& category, const std::string& request_id) override;
  absl::StatusOr<std::vector<Category>> ListCategories(const std::string& after_id, int limit) override;
  absl::StatusOr<Product> CreateProduct(const Product& product, const std::vector<InitialStock>& stock,
                                        const std::string& request_id, absl::Time now) override;
  absl::StatusOr<Product> GetProduct(const std::string& product_id) override;
  absl::StatusOr<std::vector<Product>> ListProducts(const ProductQuery& query) override;
  absl::StatusOr<std::vector<Sku>> GetSkus(const std::vector<std::string>& sku_ids) override;
  absl::StatusOr<ReserveOutcome> Reserve(const Reservation& draft) override;
  absl::StatusOr<TransitionOutcome> Transition(const std::string& order_id, ReservationAction action,
                                               absl::Time now) override;
  absl::StatusOr<int> ExpireDue(absl::Time now, int limit) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::product
