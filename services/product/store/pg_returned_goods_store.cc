#include "services/product/store/pg_returned_goods_store.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/pg/arrays.h"
#include "common/status/status.h"
#include "services/product/store/pg_stock_events.h"
#include "services/product/store/pg_store_util.h"

namespace zhongtai::product {
namespace {

using pg_store::Micros;

// $1 warehouse id.
constexpr char kWarehouseExistsSql[] = "SELECT 1 FROM warehouses WHERE warehouse_id = $1";
// Which of the SKUs $1 (text[]) exist.
constexpr char kExistingSkusSql[] = "SELECT sku_id FROM skus WHERE sku_id = ANY ($1::text[])";
// The return's lines, once: $1 return id, $2 warehouse id, $3 SKU ids, $4 quantities, $5 damaged, $6 now. Nothing comes
// back for a return booked before; a concurrent first booking makes this wait until that transaction ends.
constexpr char kRecordReturnSql[] =
    "INSERT INTO returned_stock (return_id, sku_id, warehouse_id, quantity, damaged, created_at) "
    "SELECT $1, l.sku_id, $2, l.quantity, $5, zt_ts($6) FROM unnest($3::text[], $4::bigint[]) AS l(sku_id, quantity) "
    "ON CONFLICT (return_id, sku_id) DO NOTHING RETURNING sku_id";
// The stock row of a warehouse the SKU has none in yet: $1 SKU id, $2 warehouse id, $3 now.
constexpr char kEnsureStockRowSql[] =
    "INSERT INTO stock (sku_id, warehouse_id, on_hand, reserved, updated_at) VALUES ($1, $2, 0, 0, zt_ts($3)) "
    "ON CONFLICT (sku_id, warehouse_id) DO NOTHING";
// Sellable goods back on hand: $1 SKU id, $2 warehouse id, $3 quantity, $4 now.
constexpr char kBackOnHandSql[] =
    "UPDATE stock SET on_hand = on_hand + $3, updated_at = zt_ts($4) WHERE sku_id = $1 AND warehouse_id = $2 "
    "RETURNING on_hand, reserved";
// Damaged goods counted apart: $1 SKU id, $2 warehouse id, $3 quantity, $4 now.
constexpr char kDamagedSql[] =
    "UPDATE stock SET damaged = damaged + $3, updated_at = zt_ts($4) WHERE sku_id = $1 AND warehouse_id = $2";
// The ledger row of goods back on hand: $1 SKU id, $2 warehouse id, $3 quantity, $4/$5 on hand/reserved after,
// $6 return id, $7 now.
constexpr char kLedgerSql[] =
    "INSERT INTO stock_ledger (sku_id, warehouse_id, kind, on_hand_delta, reserved_delta, on_hand_after, "
    "reserved_after, reason, reference, actor, created_at) "
    "VALUES ($1, $2, 'return_in', $3, 0, $4, $5, 'returned by the buyer', $6, 'order', zt_ts($7)) RETURNING entry_id";

}  // namespace

absl::StatusOr<bool> PgReturnedGoodsStore::BookReturn(const ReturnedGoods& goods, absl::Time now) {
  // Rows locked in SKU order, as every other stock transaction does, so two bookings never deadlock.
  std::vector<std::pair<std::string, int64_t>> lines = goods.lines;
  std::sort(lines.begin(), lines.end());
  std::vector<std::string> skus;
  std::vector<int64_t> quantities;
  for (const auto& [sku, quantity] : lines) {
    skus.push_back(sku);
    quantities.push_back(quantity);
  }
  bool booked = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    booked = false;
    if (tx.exec_params(kWarehouseExistsSql, goods.warehouse_id).empty()) {
      return NotFound("WAREHOUSE_NOT_FOUND", absl::StrCat("warehouse ", goods.warehouse_id, " does not exist"));
    }
    if (tx.exec_params(kExistingSkusSql, pg::TextArrayLiteral(skus)).size() != skus.size()) {
      return NotFound("SKU_NOT_FOUND", "a returned SKU does not exist");
    }
    pqxx::result recorded =
        tx.exec_params(kRecordReturnSql, goods.return_id, goods.warehouse_id, pg::TextArrayLiteral(skus),
                       pg::BigintArrayLiteral(quantities), goods.damaged, Micros(now));
    if (recorded.empty()) return absl::OkStatus();  // booked before
    booked = true;
    std::vector<int64_t> entries;
    for (const auto& [sku, quantity] : lines) {
      tx.exec_params(kEnsureStockRowSql, sku, goods.warehouse_id, Micros(now));
      if (goods.damaged) {
        tx.exec_params(kDamagedSql, sku, goods.warehouse_id, quantity, Micros(now));
        continue;
      }
      pqxx::result level = tx.exec_params(kBackOnHandSql, sku, goods.warehouse_id, quantity, Micros(now));
      entries.push_back(tx.exec_params(kLedgerSql, sku, goods.warehouse_id, quantity, level[0][0].as<int64_t>(),
                                       level[0][1].as<int64_t>(), goods.return_id, Micros(now))[0][0]
                            .as<int64_t>());
    }
    // Goods back on hand are stock movements: StockChanged (pg_stock_events.h).
    return pg_store::PublishStockMovements(tx, entries);
  }));
  return booked;
}

}  // namespace zhongtai::product
