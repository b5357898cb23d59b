// PgStockStore, warehouses: create (a repeat of the same record returns it), list, patch under a row lock.
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/pg/arrays.h"
#include "common/status/status.h"
#include "services/product/store/pg_stock_store.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg::TextArrayLiteral;
using pg_store::FromMicros;
using pg_store::Micros;

constexpr char kWarehouseColumns[] =
    "warehouse_id, name, type, array_to_string(regions, ','), priority, active, zt_micros(created_at), "
    "zt_micros(updated_at)";

// $1 id, $2 name, $3 type, $4 text[] regions, $5 priority, $6 active, $7 now (Unix micros). Nothing comes
// back when the id is taken.
constexpr char kInsertWarehouseSql[] =
    "INSERT INTO warehouses (warehouse_id, name, type, regions, priority, active, created_at, updated_at) "
    "VALUES ($1, $2, $3, $4::text[], $5, $6, zt_ts($7), zt_ts($7)) ON CONFLICT (warehouse_id) DO NOTHING "
    "RETURNING warehouse_id";
// $1 id; `FOR UPDATE` variant for a patch.
const std::string kWarehouseByIdSql =
    absl::StrCat("SELECT ", kWarehouseColumns, " FROM warehouses WHERE warehouse_id = $1");
const std::string kLockWarehouseSql = kWarehouseByIdSql + " FOR UPDATE";
// Keyset page: $1 after this id ('' from the start), $2 limit.
const std::string kListWarehousesSql =
    absl::StrCat("SELECT ", kWarehouseColumns,
                 " FROM warehouses WHERE warehouse_id > $1 COLLATE \"C\" ORDER BY warehouse_id COLLATE \"C\" LIMIT $2");
// $1 id, $2 name, $3 type, $4 text[] regions, $5 priority, $6 active, $7 now (Unix micros).
constexpr char kUpdateWarehouseSql[] =
    "UPDATE warehouses SET name = $2, type = $3, regions = $4::text[], priority = $5, active = $6, "
    "updated_at = zt_ts($7) WHERE warehouse_id = $1";

Warehouse FromRow(const pqxx::row& row) {
  Warehouse w;
  w.warehouse_id = row[0].as<std::string>();
  w.name = row[1].as<std::string>();
  w.type = ParseWarehouseType(row[2].as<std::string>()).value_or(WarehouseType::kCentral);
  const std::string regions = row[3].as<std::string>();
  if (!regions.empty()) w.regions = absl::StrSplit(regions, ',');
  w.priority = row[4].as<int32_t>();
  w.active = row[5].as<bool>();
  w.created_at = FromMicros(row[6]);
  w.updated_at = FromMicros(row[7]);
  return w;
}

bool SameRecord(const Warehouse& a, const Warehouse& b) {
  return a.warehouse_id == b.warehouse_id && a.name == b.name && a.type == b.type && a.regions == b.regions &&
         a.priority == b.priority && a.active == b.active;
}

}  // namespace

absl::StatusOr<Warehouse> PgStockStore::CreateWarehouse(const Warehouse& warehouse) {
  Warehouse result = warehouse;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result inserted = tx.exec_params(
        kInsertWarehouseSql, warehouse.warehouse_id, warehouse.name, std::string(WarehouseTypeName(warehouse.type)),
        TextArrayLiteral(warehouse.regions), warehouse.priority, warehouse.active, Micros(warehouse.created_at));
    if (!inserted.empty()) return absl::OkStatus();
    // A retried create of the same record answers with it; anything else under that code is a conflict.
    pqxx::result existing = tx.exec_params(kWarehouseByIdSql, warehouse.warehouse_id);
    if (!existing.empty() && SameRecord(FromRow(existing[0]), warehouse)) {
      result = FromRow(existing[0]);
      return absl::OkStatus();
    }
    return AlreadyExists("WAREHOUSE_EXISTS", absl::StrCat("warehouse ", warehouse.warehouse_id, " already exists"));
  }));
  return result;
}

absl::StatusOr<std::vector<Warehouse>> PgStockStore::ListWarehouses(const std::string& after_id, int limit) {
  std::vector<Warehouse> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    out.clear();
    for (const auto& row : tx.exec_params(kListWarehousesSql, after_id, limit)) out.push_back(FromRow(row));
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Warehouse> PgStockStore::UpdateWarehouse(const std::string& warehouse_id, const WarehousePatch& patch,
                                                        absl::Time now) {
  Warehouse result;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(kLockWarehouseSql, warehouse_id);
    if (rows.empty()) {
      return NotFound("WAREHOUSE_NOT_FOUND", absl::StrCat("warehouse ", warehouse_id, " does not exist"));
    }
    ASSIGN_OR_RETURN(result, ApplyPatch(FromRow(rows[0]), patch, now));
    tx.exec_params(kUpdateWarehouseSql, result.warehouse_id, result.name, std::string(WarehouseTypeName(result.type)),
                   TextArrayLiteral(result.regions), result.priority, result.active, Micros(now));
    return absl::OkStatus();
  }));
  return result;
}

}  // namespace zhongtai::product
