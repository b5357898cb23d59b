#include "services/product/domain/returned_goods.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {

absl::Status ValidateReturnedGoods(const ReturnedGoods& goods) {
  if (goods.return_id.empty() || goods.return_id.size() > 64) {
    return InvalidArgument("returnId", "RETURN_ID_INVALID", "returnId has 1 to 64 characters");
  }
  if (goods.warehouse_id.empty())
    return InvalidArgument("warehouseId", "INVALID_WAREHOUSE_ID", "warehouseId is required");
  if (goods.lines.empty()) return InvalidArgument("lines", "LINES_EMPTY", "name at least one line");
  std::set<std::string> seen;
  for (size_t i = 0; i < goods.lines.size(); ++i) {
    const auto& [sku_id, quantity] = goods.lines[i];
    if (sku_id.empty() || !seen.insert(sku_id).second) {
      return InvalidArgument(absl::StrCat("lines[", i, "].skuId"), "SKU_ID_MISSING", "each line names a SKU, once");
    }
    if (quantity <= 0) {
      return InvalidArgument(absl::StrCat("lines[", i, "].quantity"), "QUANTITY_NOT_POSITIVE",
                             "quantity must be at least 1");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> ReturnedGoodsIntake::Book(const ReturnedGoods& goods) {
  if (absl::Status valid = ValidateReturnedGoods(goods); !valid.ok()) return valid;
  return store_.BookReturn(goods, clock_.Now());
}

}  // namespace zhongtai::product
