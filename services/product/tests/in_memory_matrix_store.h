// ProductMatrixStore in memory for tests: the figures of each published product are whatever the test puts.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/product/domain/product_roles.h"

namespace zhongtai::product {

class InMemoryMatrixStore : public ProductMatrixStore {
 public:
  // Adds or replaces a published product's figures (its role kept when it already had one set).
  void Put(const ProductFigures& figures);

  absl::Status SetRole(const std::string& product_id, ProductRole role, absl::Time now) override;
  absl::StatusOr<ProductRole> GetRole(const std::string& product_id) override;
  absl::StatusOr<std::vector<ProductFigures>> PublishedProductFigures(absl::Time now) override;
  absl::StatusOr<bool> SaveDailyMetrics(const DailyProductMetrics& metrics) override;

  std::vector<DailyProductMetrics> saved() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, ProductFigures> products_;
  std::map<std::pair<std::string, absl::Time>, DailyProductMetrics> days_;
};

}  // namespace zhongtai::product
