// The category tree: rename a category, or move it (with its subtree) under another parent, never under itself
// or one of its descendants.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/product/domain/catalogue_ports.h"

namespace zhongtai::product {

// `parents`: every category's parent ('' for a root). OK when `category_id` may move under `new_parent_id`
// ('' for the top level); FAILED_PRECONDITION CATEGORY_CYCLE (field parentId) when the new parent is the
// category itself or below it; NOT_FOUND CATEGORY_NOT_FOUND for an unknown category or parent.
absl::Status CheckCategoryMove(const std::map<std::string, std::string>& parents, const std::string& category_id,
                               const std::string& new_parent_id);

class CategoryTree {
 public:
  explicit CategoryTree(CatalogueStore& store) : store_(store) {}
  // name/parent_id: nullopt leaves it as it is; parent_id "" moves the category to the top level.
  absl::StatusOr<Category> Update(const std::string& category_id, const std::optional<std::string>& name,
                                  const std::optional<std::string>& parent_id);

 private:
  CatalogueStore& store_;
};

}  // namespace zhongtai::product
