#include "services/product/domain/warehouses.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/status.h"

namespace zhongtai::product {
namespace {

constexpr size_t kMaxWarehouseIdLength = 64;
constexpr size_t kMaxWarehouseNameLength = 100;

bool SixDigits(const std::string& code) {
  if (code.size() != 6) return false;
  for (char c : code) {
    if (!absl::ascii_isdigit(c)) return false;
  }
  return code.substr(0, 2) != "00";
}

bool Contains(const std::vector<std::string>& regions, const std::string& code) {
  if (code.empty()) return false;
  for (const auto& r : regions) {
    if (r == code) return true;
  }
  return false;
}

}  // namespace

const char* WarehouseTypeName(WarehouseType type) {
  switch (type) {
    case WarehouseType::kFront: return "front";
    case WarehouseType::kRegional: return "regional";
    case WarehouseType::kCentral: return "central";
  }
  return "central";
}

std::optional<WarehouseType> ParseWarehouseType(const std::string& name) {
  if (name == "front") return WarehouseType::kFront;
  if (name == "regional") return WarehouseType::kRegional;
  if (name == "central") return WarehouseType::kCentral;
  return std::nullopt;
}

int SourcingRank(WarehouseType type) {
  switch (type) {
    case WarehouseType::kFront: return 0;
    case WarehouseType::kRegional: return 1;
    case WarehouseType::kCentral: return 2;
  }
  return 2;
}

absl::Status ValidateWarehouseId(const std::string& id, const std::string& field, bool allow_empty) {
  if (id.empty()) {
    if (allow_empty) return absl::OkStatus();
    return InvalidArgument(field, "FIELD_REQUIRED", absl::StrCat(field, " is required"));
  }
  bool ok = id.size() <= kMaxWarehouseIdLength;
  for (char c : id) ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_');
  if (!ok) {
    return InvalidArgument(field, "INVALID_WAREHOUSE_ID",
                           "warehouse id is lower-case letters, digits, '-' and '_', at most 64");
  }
  return absl::OkStatus();
}

bool IsProvinceCode(const std::string& code) { return SixDigits(code) && absl::EndsWith(code, "0000"); }

bool IsCityCode(const std::string& code) {
  return SixDigits(code) && absl::EndsWith(code, "00") && !absl::EndsWith(code, "0000");
}

absl::Status ValidateRegionCode(const std::string& code, const std::string& field) {
  if (IsProvinceCode(code) || IsCityCode(code)) return absl::OkStatus();
  return InvalidArgument(field, "REGION_CODE_INVALID",
                         "a region is a 6-digit division code of a province (440000) or a city (440300)");
}

absl::Status ValidateShippingRegion(const ShippingRegion& region, const std::string& prefix) {
  if (region.empty()) return absl::OkStatus();
  const std::string province_field = prefix + ".provinceCode", city_field = prefix + ".cityCode";
  if (!IsProvinceCode(region.province_code)) {
    return InvalidArgument(province_field, "REGION_CODE_INVALID",
                           "the province is a 6-digit division code ending in 0000, e.g. 440000");
  }
  if (region.city_code.empty()) return absl::OkStatus();
  if (!IsCityCode(region.city_code)) {
    return InvalidArgument(city_field, "REGION_CODE_INVALID",
                           "the city is a 6-digit division code ending in 00, e.g. 440300");
  }
  if (region.city_code.substr(0, 2) != region.province_code.substr(0, 2)) {
    return InvalidArgument(city_field, "REGION_CITY_OUTSIDE_PROVINCE",
                           absl::StrCat("city ", region.city_code, " is not in province ", region.province_code));
  }
  return absl::OkStatus();
}

absl::Status ValidateWarehouse(const Warehouse& warehouse, const std::string& prefix) {
  RETURN_IF_ERROR(ValidateWarehouseId(warehouse.warehouse_id, prefix + "warehouseId"));
  if (absl::StripAsciiWhitespace(warehouse.name).empty()) {
    return InvalidArgument(prefix + "name", "FIELD_REQUIRED", "name is required");
  }
  if (warehouse.name.size() > kMaxWarehouseNameLength) {
    return InvalidArgument(prefix + "name", "FIELD_TOO_LONG",
                           absl::StrCat("name is longer than ", kMaxWarehouseNameLength));
  }
  if (warehouse.regions.size() > kMaxWarehouseRegions) {
    return InvalidArgument(prefix + "regions", "TOO_MANY_REGIONS",
                           absl::StrCat("at most ", kMaxWarehouseRegions, " regions"));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < warehouse.regions.size(); ++i) {
    const std::string field = absl::StrCat(prefix, "regions[", i, "]");
    RETURN_IF_ERROR(ValidateRegionCode(warehouse.regions[i], field));
    if (!seen.insert(warehouse.regions[i]).second) {
      return InvalidArgument(field, "DUPLICATE_REGION",
                             absl::StrCat("region ", warehouse.regions[i], " is listed twice"));
    }
  }
  if (warehouse.regions.empty() && warehouse.type != WarehouseType::kCentral) {
    return InvalidArgument(prefix + "regions", "WAREHOUSE_REGIONS_REQUIRED",
                           "a front or regional warehouse names the provinces or cities it serves");
  }
  if (warehouse.priority < 0 || warehouse.priority > kMaxWarehousePriority) {
    return InvalidArgument(prefix + "priority", "PRIORITY_OUT_OF_RANGE", "priority is 0 to 1000000 (smaller first)");
  }
  return absl::OkStatus();
}

absl::StatusOr<Warehouse> ApplyPatch(Warehouse current, const WarehousePatch& patch, absl::Time now) {
  if (patch.name) current.name = std::string(absl::StripAsciiWhitespace(*patch.name));
  if (patch.type) current.type = *patch.type;
  if (patch.regions) current.regions = *patch.regions;
  if (patch.priority) current.priority = *patch.priority;
  if (patch.active) current.active = *patch.active;
  RETURN_IF_ERROR(ValidateWarehouse(current));
  current.updated_at = now;
  return current;
}

bool Serves(const Warehouse& warehouse, const ShippingRegion& region) {
  if (!warehouse.active) return false;
  if (region.empty() || warehouse.regions.empty()) return true;
  return Contains(warehouse.regions, region.province_code) || Contains(warehouse.regions, region.city_code);
}

}  // namespace zhongtai::product
