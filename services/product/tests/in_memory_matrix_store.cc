#include "services/product/tests/in_memory_matrix_store.h"

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

void InMemoryMatrixStore::Put(const ProductFigures& figures) {
  std::lock_guard<std::mutex> lock(mu_);
  products_[figures.product_id] = figures;
}

absl::Status InMemoryMatrixStore::SetRole(const std::string& product_id, ProductRole role, absl::Time) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = products_.find(product_id);
  if (it == products_.end())
    return NotFound("PRODUCT_NOT_FOUND", absl::StrCat("product ", product_id, " does not exist"));
  it->second.role = role;
  return absl::OkStatus();
}

absl::StatusOr<ProductRole> InMemoryMatrixStore::GetRole(const std::string& product_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = products_.find(product_id);
  return it == products_.end() ? ProductRole::kUnspecified : it->second.role;
}

absl::StatusOr<std::vector<ProductFigures>> InMemoryMatrixStore::PublishedProductFigures(absl::Time) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<ProductFigures> out;
  for (const auto& [id, figures] : products_) out.push_back(figures);
  return out;
}

absl::StatusOr<bool> InMemoryMatrixStore::SaveDailyMetrics(const DailyProductMetrics& metrics) {
  std::lock_guard<std::mutex> lock(mu_);
  auto key = std::make_pair(metrics.product_id, metrics.day_start);
  auto it = days_.find(key);
  if (it != days_.end() && it->second.computed_at > metrics.computed_at) return false;
  days_[key] = metrics;
  return true;
}

std::vector<DailyProductMetrics> InMemoryMatrixStore::saved() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<DailyProductMetrics> out;
  for (const auto& [key, day] : days_) out.push_back(day);
  return out;
}

}  // namespace zhongtai::product
