// ProductMatrixStore over PostgreSQL: product roles, the matrix figures (data hub daily metrics, else the stock
// ledger) and the data hub's daily metrics as the ingest stores them.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/product/domain/product_roles.h"

namespace zhongtai::product {

class PgProductMatrixStore : public ProductMatrixStore {
 public:
  explicit PgProductMatrixStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status SetRole(const std::string& product_id, ProductRole role, absl::Time now) override;
  absl::StatusOr<ProductRole> GetRole(const std::string& product_id) override;
  absl::StatusOr<std::vector<ProductFigures>> PublishedProductFigures(absl::Time now) override;
  absl::StatusOr<bool> SaveDailyMetrics(const DailyProductMetrics& metrics) override;

 private:
  pg::Pool& pool_;
};

namespace pg_store {
// SaveDailyMetrics inside the caller's transaction (the ingest's, which also records the event in the inbox).
bool SaveDailyMetrics(pqxx::work& tx, const DailyProductMetrics& metrics);
}  // namespace pg_store

}  // namespace zhongtai::product
