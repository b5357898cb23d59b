#include "services/product/domain/product_roles.h"

#include <algorithm>
#include <utility>

#include "common/status/status.h"
#include "services/product/domain/catalog.h"

namespace zhongtai::product {

absl::StatusOr<absl::Time> ProductRoles::SetRole(const std::string& product_id, ProductRole role) {
  if (role == ProductRole::kUnspecified) {
    return InvalidArgument("role", "INVALID_PRODUCT_ROLE",
                           "role is PRODUCT_ROLE_TRAFFIC, PRODUCT_ROLE_PROFIT, PRODUCT_ROLE_IMAGE or "
                           "PRODUCT_ROLE_LONG_TAIL");
  }
  const absl::Time now = clock_.Now();
  RETURN_IF_ERROR(store_.SetRole(product_id, role, now));
  return now;
}

absl::StatusOr<ProductRole> ProductRoles::GetRole(const std::string& product_id) { return store_.GetRole(product_id); }

absl::StatusOr<MatrixPage> ProductRoles::Matrix(int page_size, const std::string& page_token) {
  const int size = page_size <= 0 ? kDefaultMatrixPageSize : std::min(page_size, kMaxMatrixPageSize);
  std::string after;
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(after, DecodePageToken("m", page_token));
  }
  const absl::Time now = clock_.Now();
  ASSIGN_OR_RETURN(std::vector<ProductFigures> figures, store_.PublishedProductFigures(now));
  MatrixPage page;
  page.window_end = now;
  page.window_start = now - absl::Hours(24) * kMatrixWindowDays;
  page.report = BuildMatrix(figures, now, settings_);
  std::vector<MatrixEntry>& all = page.report.mismatches;
  auto first = std::upper_bound(all.begin(), all.end(), after,
                                [](const std::string& id, const MatrixEntry& e) { return id < e.figures.product_id; });
  all.erase(all.begin(), first);
  if (static_cast<int>(all.size()) > size) {
    all.resize(size);
    page.next_page_token = EncodePageToken("m", all.back().figures.product_id);
  }
  return page;
}

}  // namespace zhongtai::product
