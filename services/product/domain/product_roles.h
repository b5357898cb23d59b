// The operator's side of the product matrix: give a product its role, read it back, and the matrix report (counts
// per role × lifecycle stage, and the products whose figures suggest another role, a page at a time).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/product/domain/datahub_metrics.h"
#include "services/product/domain/product_matrix.h"

namespace zhongtai::product {

inline constexpr int kDefaultMatrixPageSize = 50;
inline constexpr int kMaxMatrixPageSize = 200;

// Storage of roles, the figures the matrix is built from, and the data hub's daily metrics. Implementation:
// store/pg_product_matrix_store.cc.
class ProductMatrixStore {
 public:
  virtual ~ProductMatrixStore() = default;
  // NOT_FOUND PRODUCT_NOT_FOUND.
  virtual absl::Status SetRole(const std::string& product_id, ProductRole role, absl::Time now) = 0;
  // kUnspecified when none was given.
  virtual absl::StatusOr<ProductRole> GetRole(const std::string& product_id) = 0;
  // Every published product's figures over [now - kMatrixWindowDays, now): from the data hub's daily metrics for a
  // product that has any day in the window, from the stock ledger (confirmations and outbound goods) otherwise.
  virtual absl::StatusOr<std::vector<ProductFigures>> PublishedProductFigures(absl::Time now) = 0;
  // Stores the day's metrics, replacing an earlier computation of the same product and day; a computation older
  // than the stored one changes nothing (false).
  virtual absl::StatusOr<bool> SaveDailyMetrics(const DailyProductMetrics& metrics) = 0;
};

struct MatrixPage {
  MatrixReport report;          // mismatches: this page only
  std::string next_page_token;  // empty at the end
  absl::Time window_start;
  absl::Time window_end;
};

class ProductRoles {
 public:
  ProductRoles(ProductMatrixStore& store, Clock& clock, MatrixSettings settings)
      : store_(store), clock_(clock), settings_(settings) {}

  // INVALID_ARGUMENT INVALID_PRODUCT_ROLE (field "role") for kUnspecified; NOT_FOUND PRODUCT_NOT_FOUND. Returns when
  // it was set.
  absl::StatusOr<absl::Time> SetRole(const std::string& product_id, ProductRole role);
  absl::StatusOr<ProductRole> GetRole(const std::string& product_id);
  // page_size 0: the default; above the maximum: the maximum. INVALID_ARGUMENT INVALID_PAGE_TOKEN.
  absl::StatusOr<MatrixPage> Matrix(int page_size, const std::string& page_token);

 private:
  ProductMatrixStore& store_;
  Clock& clock_;
  MatrixSettings settings_;
};

}  // namespace zhongtai::product
