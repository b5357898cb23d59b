// What a listing shows a shopper, as the compliance check reads it, and the rules for its images.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/product/domain/compliance.h"
#include "services/product/domain/model.h"

namespace zhongtai::product {

inline constexpr int kMaxImages = 20;
inline constexpr size_t kMaxImageUrlBytes = 1024;

// An absolute http(s) URL with a host, no white space or control characters, at most 1024 bytes;
// INVALID_ARGUMENT INVALID_IMAGE_URL naming `field` otherwise.
absl::Status ValidateImageUrl(const std::string& url, const std::string& field);
// At most 20 valid URLs; the field is images[i].
absl::Status ValidateImages(const std::vector<std::string>& urls);

// The texts the Advertising Law check reads: title, subtitle, description, the sales attributes' values
// (salesAttributes[name]) and the SKUs' own attribute values (skus[i].attributes[name]) not declared as sales
// attributes.
ListingFields ListingFieldsOf(const Product& product);

}  // namespace zhongtai::product
