#include "services/order/store/pg_cart_store.h"

#include <map>

#include "common/pg/arrays.h"
#include "common/pg/prepared.h"
#include "common/pg/time.h"
#include "common/status/status.h"

namespace zhongtai::order {
namespace {

using pg::Micros;
using pg::TimeFromMicros;

// Creates the buyer's cart row if needed and locks it until the transaction ends.
constexpr char kLockCart[] =
    "INSERT INTO carts (user_id, updated_at) VALUES ($1, ('epoch'::timestamptz + $2::bigint * interval '1 "
    "microsecond')) ON CONFLICT (user_id) DO UPDATE SET updated_at = EXCLUDED.updated_at";

// Newest added first, as the cart shows them.
constexpr char kSelectItems[] =
    "SELECT sku_id, quantity, selected, (extract(epoch from added_at) * 1000000)::bigint, "
    "(extract(epoch from updated_at) * 1000000)::bigint, last_add_request_id FROM cart_items WHERE user_id = $1 "
    "ORDER BY added_at DESC, sku_id";

constexpr char kUpsertItem[] =
    "INSERT INTO cart_items (user_id, sku_id, quantity, selected, added_at, updated_at, last_add_request_id) "
    "VALUES ($1, $2, $3, $4, ('epoch'::timestamptz + $5::bigint * interval '1 microsecond'), "
    "('epoch'::timestamptz + $6::bigint * interval '1 microsecond'), $7) "
    "ON CONFLICT (user_id, sku_id) DO UPDATE SET quantity = EXCLUDED.quantity, selected = EXCLUDED.selected, "
    "updated_at = EXCLUDED.updated_at, last_add_request_id = EXCLUDED.last_add_request_id";

constexpr char kDeleteItem[] = "DELETE FROM cart_items WHERE user_id = $1 AND sku_id = $2";

constexpr char kSelectCheckout[] =
    "SELECT sku_ids, quantities, taken_at IS NOT NULL FROM cart_checkouts WHERE user_id = $1 AND request_id = $2";

constexpr char kInsertCheckout[] =
    "INSERT INTO cart_checkouts (user_id, request_id, sku_ids, quantities, created_at) "
    "VALUES ($1, $2, $3::text[], $4::bigint[], ('epoch'::timestamptz + $5::bigint * interval '1 microsecond'))";

constexpr char kMarkTaken[] =
    "UPDATE cart_checkouts SET order_id = $3, taken_at = ('epoch'::timestamptz + $4::bigint * interval '1 "
    "microsecond') WHERE user_id = $1 AND request_id = $2";

Cart LoadItems(pqxx::work& tx, const std::string& user_id) {
  Cart cart;
  cart.user_id = user_id;
  for (const auto& row : pg::Exec(tx, kSelectItems, user_id)) {
    cart.items.push_back({row[0].as<std::string>(), row[1].as<int64_t>(), row[2].as<bool>(), TimeFromMicros(row[3]),
                          TimeFromMicros(row[4]), row[5].as<std::string>()});
  }
  return cart;
}

// Writes back the lines `after` changed relative to `before`.
void SaveChanges(pqxx::work& tx, const Cart& before, const Cart& after) {
  std::map<std::string, const CartItem*> old_items;
  for (const CartItem& item : before.items) old_items[item.sku_id] = &item;
  for (const CartItem& item : after.items) {
    auto old = old_items.find(item.sku_id);
    if (old != old_items.end()) {
      const CartItem& was = *old->second;
      old_items.erase(old);
      if (was.quantity == item.quantity && was.selected == item.selected && was.updated_at == item.updated_at &&
          was.last_add_request_id == item.last_add_request_id) {
        continue;
      }
    }
    pg::Exec(tx, kUpsertItem, after.user_id, item.sku_id, item.quantity, item.selected, Micros(item.added_at),
             Micros(item.updated_at), item.last_add_request_id);
  }
  for (const auto& [sku_id, unused] : old_items) pg::Exec(tx, kDeleteItem, after.user_id, sku_id);
}

}  // namespace

absl::StatusOr<Cart> PgCartStore::Load(const std::string& user_id) {
  Cart cart;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    cart = LoadItems(tx, user_id);
    return absl::OkStatus();
  }));
  return cart;
}

absl::Status PgCartStore::Modify(const std::string& user_id, const std::function<absl::Status(Cart&)>& change) {
  return pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    pg::Exec(tx, kLockCart, user_id, Micros(absl::Now()));
    Cart before = LoadItems(tx, user_id);
    Cart after = before;
    RETURN_IF_ERROR(change(after));
    SaveChanges(tx, before, after);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<LineRequest>> PgCartStore::RecordCheckout(
    const std::string& user_id, const std::string& request_id, absl::Time now,
    const std::function<absl::StatusOr<std::vector<LineRequest>>(const Cart&)>& pick) {
  std::vector<LineRequest> lines;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    lines.clear();
    pg::Exec(tx, kLockCart, user_id, Micros(now));
    pqxx::result recorded = pg::Exec(tx, kSelectCheckout, user_id, request_id);
    if (!recorded.empty()) {
      std::vector<std::string> skus = pg::TextArray(recorded[0][0]);
      std::vector<std::string> quantities = pg::TextArray(recorded[0][1]);
      for (size_t i = 0; i < skus.size() && i < quantities.size(); ++i) {
        lines.push_back({skus[i], std::stoll(quantities[i])});
      }
      return absl::OkStatus();
    }
    ASSIGN_OR_RETURN(lines, pick(LoadItems(tx, user_id)));
    std::vector<std::string> skus;
    std::vector<int64_t> quantities;
    for (const LineRequest& line : lines) {
      skus.push_back(line.sku_id);
      quantities.push_back(line.quantity);
    }
    pg::Exec(tx, kInsertCheckout, user_id, request_id, pg::TextArrayLiteral(skus), pg::BigintArrayLiteral(quantities),
             Micros(now));
    return absl::OkStatus();
  }));
  return lines;
}

absl::StatusOr<bool> PgCartStore::FinishCheckout(const std::string& user_id, const std::string& request_id,
                                                 const std::string& order_id, absl::Time now) {
  bool taken = false;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) -> absl::Status {
    taken = false;
    pg::Exec(tx, kLockCart, user_id, Micros(now));
    pqxx::result recorded = pg::Exec(tx, kSelectCheckout, user_id, request_id);
    if (recorded.empty() || recorded[0][2].as<bool>()) return absl::OkStatus();
    std::vector<std::string> skus = pg::TextArray(recorded[0][0]);
    std::vector<std::string> quantities = pg::TextArray(recorded[0][1]);
    std::vector<LineRequest> ordered;
    for (size_t i = 0; i < skus.size() && i < quantities.size(); ++i) {
      ordered.push_back({skus[i], std::stoll(quantities[i])});
    }
    Cart before = LoadItems(tx, user_id);
    Cart after = before;
    TakeOrdered(after, ordered);
    SaveChanges(tx, before, after);
    pg::Exec(tx, kMarkTaken, user_id, request_id, order_id, Micros(now));
    taken = true;
    return absl::OkStatus();
  }));
  return taken;
}

}  // namespace zhongtai::order
