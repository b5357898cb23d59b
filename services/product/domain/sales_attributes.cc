#include "services/product/domain/sales_attributes.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

constexpr size_t kMaxNameBytes = 32;
constexpr size_t kMaxValueBytes = 64;

absl::Status ValidText(const std::string& text, const std::string& field, size_t max_bytes) {
  if (absl::StripAsciiWhitespace(text).empty()) {
    return InvalidArgument(field, "FIELD_REQUIRED", absl::StrCat(field, " is required"));
  }
  if (text.size() > max_bytes) {
    return InvalidArgument(field, "FIELD_TOO_LONG", absl::StrCat(field, " is longer than ", max_bytes));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSalesAttributes(const std::vector<SalesAttribute>& attributes) {
  if (attributes.size() > static_cast<size_t>(kMaxSalesAttributes)) {
    return InvalidArgument("salesAttributes", "TOO_MANY_ATTRIBUTES",
                           absl::StrCat("at most ", kMaxSalesAttributes, " sales attributes"));
  }
  std::set<std::string> names;
  for (size_t i = 0; i < attributes.size(); ++i) {
    std::string field = absl::StrCat("salesAttributes[", i, "]");
    RETURN_IF_ERROR(ValidText(attributes[i].name, field + ".name", kMaxNameBytes));
    if (!names.insert(attributes[i].name).second) {
      return InvalidArgument(field + ".name", "DUPLICATE_ATTRIBUTE", "sales attribute names must differ");
    }
    if (attributes[i].values.empty()) {
      return InvalidArgument(field + ".values", "FIELD_REQUIRED", "a sales attribute needs at least one value");
    }
    if (attributes[i].values.size() > static_cast<size_t>(kMaxSalesAttributeValues)) {
      return InvalidArgument(field + ".values", "TOO_MANY_VALUES",
                             absl::StrCat("at most ", kMaxSalesAttributeValues, " values"));
    }
    std::set<std::string> values;
    for (size_t j = 0; j < attributes[i].values.size(); ++j) {
      std::string value_field = absl::StrCat(field, ".values[", j, "]");
      RETURN_IF_ERROR(ValidText(attributes[i].values[j], value_field, kMaxValueBytes));
      if (!values.insert(attributes[i].values[j]).second) {
        return InvalidArgument(value_field, "DUPLICATE_ATTRIBUTE_VALUE", "the values of an attribute must differ");
      }
    }
  }
  return absl::OkStatus();
}

absl::Status CheckSkuCombinations(const std::vector<SalesAttribute>& declared, const std::vector<AttributeValues>& skus,
                                  const std::string& field) {
  if (declared.empty()) return absl::OkStatus();
  std::map<AttributeValues, size_t> seen;
  for (size_t i = 0; i < skus.size(); ++i) {
    std::string sku_field = absl::StrCat(field, "[", i, "].attributes");
    for (const auto& [name, value] : skus[i]) {
      bool known = false;
      for (const SalesAttribute& attribute : declared) known = known || attribute.name == name;
      if (!known) {
        return InvalidArgument(absl::StrCat(sku_field, "[", name, "]"), "UNDECLARED_ATTRIBUTE",
                               absl::StrCat("the product declares no sales attribute ", name));
      }
    }
    for (const SalesAttribute& attribute : declared) {
      std::string value_field = absl::StrCat(sku_field, "[", attribute.name, "]");
      auto it = skus[i].find(attribute.name);
      if (it == skus[i].end()) {
        return InvalidArgument(value_field, "SKU_ATTRIBUTE_MISSING",
                               absl::StrCat("every sku needs a value for ", attribute.name));
      }
      bool declared_value = false;
      for (const std::string& value : attribute.values) declared_value = declared_value || value == it->second;
      if (!declared_value) {
        return InvalidArgument(value_field, "UNDECLARED_ATTRIBUTE_VALUE",
                               absl::StrCat(it->second, " is not a declared value of ", attribute.name));
      }
    }
    auto [other, inserted] = seen.emplace(skus[i], i);
    if (!inserted) {
      return InvalidArgument(sku_field, "DUPLICATE_SKU_COMBINATION",
                             absl::StrCat("the same combination as ", field, "[", other->second, "]"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<AttributeValues>> AllCombinations(const std::vector<SalesAttribute>& declared) {
  size_t count = declared.empty() ? 0 : 1;
  for (const SalesAttribute& attribute : declared) {
    count *= attribute.values.size();
    if (count > static_cast<size_t>(kMaxSkusPerSpu)) {
      return InvalidArgument("salesAttributes", "TOO_MANY_SKUS",
                             absl::StrCat("the attributes make more than ", kMaxSkusPerSpu, " combinations"));
    }
  }
  std::vector<AttributeValues> out;
  if (count == 0) return out;
  out.push_back({});
  for (const SalesAttribute& attribute : declared) {
    std::vector<AttributeValues> next;
    for (const AttributeValues& prefix : out) {
      for (const std::string& value : attribute.values) {
        AttributeValues combination = prefix;
        combination[attribute.name] = value;
        next.push_back(std::move(combination));
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace zhongtai::product
