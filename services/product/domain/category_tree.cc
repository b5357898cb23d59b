#include "services/product/domain/category_tree.h"

#include <set>

#include "common/status/status.h"

namespace zhongtai::product {

absl::Status CheckCategoryMove(const std::map<std::string, std::string>& parents, const std::string& category_id,
                               const std::string& new_parent_id) {
  if (parents.count(category_id) == 0) return NotFound("CATEGORY_NOT_FOUND", "category does not exist");
  if (new_parent_id.empty()) return absl::OkStatus();
  if (parents.count(new_parent_id) == 0) return NotFound("CATEGORY_NOT_FOUND", "parent category does not exist");
  // Walk up from the new parent; meeting the category means the parent is inside its subtree. `seen` stops the
  // walk on a tree that is already broken.
  std::set<std::string> seen;
  for (std::string at = new_parent_id; !at.empty() && seen.insert(at).second;) {
    if (at == category_id) {
      return Error(absl::StatusCode::kFailedPrecondition, "CATEGORY_CYCLE",
                   "a category cannot move under itself or one of its descendants", "parentId");
    }
    auto it = parents.find(at);
    at = it == parents.end() ? "" : it->second;
  }
  return absl::OkStatus();
}

absl::StatusOr<Category> CategoryTree::Update(const std::string& category_id, const std::optional<std::string>& name,
                                              const std::optional<std::string>& parent_id) {
  return store_.UpdateCategory(category_id, name, parent_id);
}

}  // namespace zhongtai::product
