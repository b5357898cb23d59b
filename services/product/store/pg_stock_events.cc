#include "services/product/store/pg_stock_events.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/events/outbox.h"
#include "common/ids/ids.h"
#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/proto/convert.h"
#include "services/product/store/pg_store_util.h"
#include "zhongtai/product/v1/events.pb.h"

namespace zhongtai::product::pg_store {
namespace {

// The ledger rows $1 (bigint[]) that moved on hand, with the SKU's product, the row's available after and the
// warehouse's safety stock setting (by the primary keys of skus and safety_stock).
constexpr char kStockMovementsSql[] = R"sql(
SELECT l.entry_id, k.product_id, l.sku_id, l.warehouse_id, l.kind, l.on_hand_delta, l.on_hand_after,
       l.on_hand_after - l.reserved_after, s.mode, COALESCE(s.quantity, 0), COALESCE(s.days_of_cover, 0),
       COALESCE(zt_micros(s.updated_at), 0), l.reason,
       CASE WHEN l.reference <> '' THEN l.reference ELSE COALESCE(l.order_id, '') END, zt_micros(l.created_at)
FROM stock_ledger l
JOIN skus k ON k.sku_id = l.sku_id
LEFT JOIN safety_stock s ON s.sku_id = l.sku_id AND s.warehouse_id = l.warehouse_id
WHERE l.entry_id = ANY ($1::bigint[]) AND l.on_hand_delta <> 0
ORDER BY l.entry_id
)sql";

// A setting just written, with its SKU's product and the stock row's level: $1 SKU id, $2 warehouse id.
constexpr char kSafetySettingSql[] = R"sql(
SELECT k.product_id, s.mode, s.quantity, s.days_of_cover, COALESCE(st.on_hand, 0),
       COALESCE(st.on_hand - st.reserved, 0)
FROM safety_stock s
JOIN skus k ON k.sku_id = s.sku_id
LEFT JOIN stock st ON st.sku_id = s.sku_id AND st.warehouse_id = s.warehouse_id
WHERE s.sku_id = $1 AND s.warehouse_id = $2
)sql";

absl::Status Append(pqxx::work& tx, const google::protobuf::Message& message, const std::string& id,
                    const std::string& key, absl::Time at) {
  events::Event event;
  event.id = id;
  event.type = message.GetDescriptor()->full_name();
  event.key = key;
  event.payload = message.SerializeAsString();
  event.occurred_at = at;
  return events::AppendToOutbox(tx, kProductEventStream, event);
}

}  // namespace

std::vector<int64_t> EntryIds(const pqxx::field& field) {
  std::vector<int64_t> out;
  if (field.is_null()) return out;
  for (const std::string& text : pg::TextArray(field)) {
    int64_t id = 0;
    if (absl::SimpleAtoi(text, &id)) out.push_back(id);
  }
  return out;
}

absl::Status PublishStockMovements(pqxx::work& tx, const std::vector<int64_t>& entry_ids) {
  if (entry_ids.empty()) return absl::OkStatus();
  pqxx::result rows = pg::Exec(tx, kStockMovementsSql, pg::BigintArrayLiteral(entry_ids));
  for (const pqxx::row& row : rows) {
    v1::StockChanged m;
    const int64_t entry_id = row[0].as<int64_t>();
    m.set_product_id(row[1].as<std::string>());
    m.set_sku_id(row[2].as<std::string>());
    m.set_warehouse_id(row[3].as<std::string>());
    m.set_reason(row[4].as<std::string>());
    m.set_on_hand_delta(row[5].as<int64_t>());
    m.set_on_hand_after(row[6].as<int64_t>());
    m.set_available_after(row[7].as<int64_t>());
    if (!row[8].is_null()) {
      if (row[8].as<std::string>() == "fixed") {
        m.set_safety_stock(row[9].as<int64_t>());
      } else {
        m.set_safety_days_of_cover(row[10].as<int>());
      }
      *m.mutable_safety_stock_update_time() = proto::ToTimestamp(absl::FromUnixMicros(row[11].as<int64_t>()));
    }
    m.set_note(row[12].as<std::string>());
    m.set_reference(row[13].as<std::string>());
    m.set_ledger_entry_id(entry_id);
    const absl::Time at = absl::FromUnixMicros(row[14].as<int64_t>());
    *m.mutable_occur_time() = proto::ToTimestamp(at);
    RETURN_IF_ERROR(Append(tx, m, absl::StrCat("stock:", entry_id), m.product_id(), at));
  }
  return absl::OkStatus();
}

absl::Status PublishSafetyStockChanged(pqxx::work& tx, const std::string& sku_id, const std::string& warehouse_id,
                                       absl::Time now) {
  pqxx::result rows = tx.exec_params(kSafetySettingSql, sku_id, warehouse_id);
  if (rows.empty()) return absl::OkStatus();
  const pqxx::row row = rows[0];
  v1::SafetyStockChanged m;
  m.set_product_id(row[0].as<std::string>());
  m.set_sku_id(sku_id);
  m.set_warehouse_id(warehouse_id);
  if (row[1].as<std::string>() == "fixed") {
    m.set_safety_stock(row[2].as<int64_t>());
  } else {
    m.set_safety_days_of_cover(row[3].as<int>());
  }
  m.set_on_hand(row[4].as<int64_t>());
  m.set_available(row[5].as<int64_t>());
  *m.mutable_occur_time() = proto::ToTimestamp(now);
  // A fresh id: the same setting may be written twice within a microsecond (and a retried transaction writes anew).
  return Append(tx, m, ids::NewId("safety_", now), m.product_id(), now);
}

absl::Status PublishSkuCostChanged(pqxx::work& tx, const std::string& product_id, const std::string& sku_id,
                                   const std::string& currency, int64_t cost_minor, absl::Time now) {
  v1::SkuCostChanged m;
  m.set_product_id(product_id);
  m.set_sku_id(sku_id);
  proto::SetMoney(m.mutable_cost_price(), currency, cost_minor);
  *m.mutable_occur_time() = proto::ToTimestamp(now);
  return Append(tx, m, ids::NewId("cost_", now), product_id, now);
}

}  // namespace zhongtai::product::pg_store
