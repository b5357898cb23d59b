#include "services/product/domain/listing_fields.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/status/status.h"

namespace zhongtai::product {

absl::Status ValidateImageUrl(const std::string& url, const std::string& field) {
  auto invalid = [&](const char* why) {
    return InvalidArgument(field, "INVALID_IMAGE_URL", absl::StrCat("an image is an http(s) URL: ", why));
  };
  if (url.size() > kMaxImageUrlBytes) return invalid("at most 1024 bytes");
  absl::string_view rest(url);
  if (!absl::ConsumePrefix(&rest, "https://") && !absl::ConsumePrefix(&rest, "http://")) {
    return invalid("it must start with https:// or http://");
  }
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return invalid("no spaces or control characters");
  }
  absl::string_view host = rest.substr(0, rest.find_first_of("/?#"));
  if (host.empty() || host.front() == ':' || host.front() == '.' || host.find('@') != absl::string_view::npos) {
    return invalid("it needs a host");
  }
  return absl::OkStatus();
}

absl::Status ValidateImages(const std::vector<std::string>& urls) {
  if (urls.size() > static_cast<size_t>(kMaxImages)) {
    return InvalidArgument("images", "TOO_MANY_IMAGES", absl::StrCat("at most ", kMaxImages, " images"));
  }
  for (size_t i = 0; i < urls.size(); ++i) RETURN_IF_ERROR(ValidateImageUrl(urls[i], absl::StrCat("images[", i, "]")));
  return absl::OkStatus();
}

ListingFields ListingFieldsOf(const Product& product) {
  ListingFields fields = {
      {"title", product.title}, {"subtitle", product.subtitle}, {"description", product.description}};
  std::set<std::string> declared;
  for (const SalesAttribute& attribute : product.sales_attributes) {
    declared.insert(attribute.name);
    fields.emplace_back(absl::StrCat("salesAttributes[", attribute.name, "]"), absl::StrJoin(attribute.values, " / "));
  }
  for (size_t i = 0; i < product.skus.size(); ++i) {
    if (product.skus[i].retired) continue;
    for (const auto& [name, value] : product.skus[i].attributes) {
      if (declared.count(name) == 0) fields.emplace_back(absl::StrCat("skus[", i, "].attributes[", name, "]"), value);
    }
  }
  return fields;
}

}  // namespace zhongtai::product
