#include "services/product/domain/ids.h"

#include "common/ids/ids.h"

namespace zhongtai::product {

std::string RandomIdGenerator::NewCategoryId() { return ids::NewId("cat_", clock_.Now()); }
std::string RandomIdGenerator::NewProductId() { return ids::NewId("prd_", clock_.Now()); }
std::string RandomIdGenerator::NewSkuId() { return ids::NewId("sku_", clock_.Now()); }
std::string RandomIdGenerator::NewBrandId() { return ids::NewId("brd_", clock_.Now()); }

}  // namespace zhongtai::product
