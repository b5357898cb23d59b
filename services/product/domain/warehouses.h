// Warehouses as records: what they are, which regions they ship to, and the checks an admin's input passes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::product {

// Sourcing tries front warehouses (前置仓, close to the buyer) before regional ones (区域仓) before
// central ones (中心仓).
enum class WarehouseType { kFront, kRegional, kCentral };
// "front", "regional", "central": the stored names.
const char* WarehouseTypeName(WarehouseType type);
std::optional<WarehouseType> ParseWarehouseType(const std::string& name);
// 0 front, 1 regional, 2 central: the first sort key of sourcing.
int SourcingRank(WarehouseType type);

struct Warehouse {
  std::string warehouse_id;  // its code: lower-case letters, digits, '-', '_'
  std::string name;
  WarehouseType type = WarehouseType::kCentral;
  // National administrative division codes: a province ("440000") covers all its cities, a city
  // ("440300") itself. Empty: the whole country (central warehouses only).
  std::vector<std::string> regions;
  int32_t priority = 100;  // among warehouses of one type, the smaller first
  bool active = true;      // an inactive warehouse keeps its stock but is never sourced from
  absl::Time created_at;
  absl::Time updated_at;
};

// Where an order ships to. Both empty: no region (every active warehouse is eligible).
struct ShippingRegion {
  std::string province_code;  // "440000"
  std::string city_code;      // "440300" (optional); must lie in the province
  bool empty() const { return province_code.empty() && city_code.empty(); }
  bool operator==(const ShippingRegion& o) const {
    return province_code == o.province_code && city_code == o.city_code;
  }
};

// The fields a PATCH may change; unset ones stay.
struct WarehousePatch {
  std::optional<std::string> name;
  std::optional<WarehouseType> type;
  std::optional<std::vector<std::string>> regions;
  std::optional<int32_t> priority;
  std::optional<bool> active;
};

inline constexpr int32_t kMaxWarehousePriority = 1000000;
inline constexpr size_t kMaxWarehouseRegions = 500;

// INVALID_ARGUMENT INVALID_WAREHOUSE_ID when the id is not a code (empty allowed only if allow_empty).
absl::Status ValidateWarehouseId(const std::string& id, const std::string& field, bool allow_empty = false);
// A province code is 6 digits ending in 0000 ("440000"), a city code 6 digits ending in 00 but not 0000
// ("440300"). INVALID_ARGUMENT REGION_CODE_INVALID naming the field.
bool IsProvinceCode(const std::string& code);
bool IsCityCode(const std::string& code);
absl::Status ValidateRegionCode(const std::string& code, const std::string& field);
// The region of a reservation: empty, or a province with an optional city inside it. INVALID_ARGUMENT
// REGION_CODE_INVALID / REGION_CITY_OUTSIDE_PROVINCE (fields `<prefix>.provinceCode` / `.cityCode`).
absl::Status ValidateShippingRegion(const ShippingRegion& region, const std::string& prefix);
// The whole record, fields named as in the API (name, type, regions[i], priority):
// FIELD_REQUIRED, FIELD_TOO_LONG, REGION_CODE_INVALID, DUPLICATE_REGION, TOO_MANY_REGIONS,
// WAREHOUSE_REGIONS_REQUIRED (front and regional warehouses name the regions they serve),
// PRIORITY_OUT_OF_RANGE (0 to 1e6); `prefix` goes before each field name ("warehouse." when the record is
// nested in the request).
absl::Status ValidateWarehouse(const Warehouse& warehouse, const std::string& prefix = "");
// `current` with the patch applied and validated; `now` becomes its update time.
absl::StatusOr<Warehouse> ApplyPatch(Warehouse current, const WarehousePatch& patch, absl::Time now);

// Whether the warehouse ships to the region: active, and the whole country, or the region's province, or
// its city is among its regions. Every active warehouse serves an empty region.
bool Serves(const Warehouse& warehouse, const ShippingRegion& region);

}  // namespace zhongtai::product
