// Sales attributes (规格): an SPU declares attribute names and their values (colour: black, white; size: S, M);
// each SKU is one combination, one value per declared name. These rules say which SKU lists fit a declaration.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/product/domain/catalogue_model.h"

namespace zhongtai::product {

inline constexpr int kMaxSalesAttributes = 5;
inline constexpr int kMaxSalesAttributeValues = 50;
inline constexpr int kMaxSkusPerSpu = 100;

using AttributeValues = std::map<std::string, std::string>;

// INVALID_ARGUMENT naming salesAttributes[i].name / salesAttributes[i].values[j]: names and values non-empty,
// at most 32 / 64 bytes, unique within their list; at most 5 attributes of at most 50 values.
absl::Status ValidateSalesAttributes(const std::vector<SalesAttribute>& attributes);

// With no declaration every SKU list fits. Otherwise each SKU must name every declared attribute with a declared
// value and nothing else, and no two SKUs the same combination; INVALID_ARGUMENT naming
// `<field>[i].attributes[name]` (SKU_ATTRIBUTE_MISSING, UNDECLARED_ATTRIBUTE, UNDECLARED_ATTRIBUTE_VALUE) or
// `<field>[i].attributes` (DUPLICATE_SKU_COMBINATION). `field` is how the request names the list ("skus").
absl::Status CheckSkuCombinations(const std::vector<SalesAttribute>& declared, const std::vector<AttributeValues>& skus,
                                  const std::string& field);

// Every combination, the first attribute varying slowest. INVALID_ARGUMENT TOO_MANY_SKUS (field
// salesAttributes) past kMaxSkusPerSpu.
absl::StatusOr<std::vector<AttributeValues>> AllCombinations(const std::vector<SalesAttribute>& declared);

}  // namespace zhongtai::product
