#include "services/order/store/pg_buyer_erasure.h"

#include <pqxx/pqxx>

#include "common/pg/time.h"

namespace zhongtai::order {
namespace {

// The statements that take a buyer's personal data out of their orders, in order; $1 the user id, $2 the erasure
// time (micros). Orders name the buyer only by the user id, which identifies nobody once the user service has erased
// the account; their shipping address snapshots lose the recipient's name, phone, district and street (the province
// and city stay for the accounts' regional figures). buyer_erased_at (migration 0005) keeps the first erasure time.
constexpr const char* kAnonymiseBuyerSql[] = {
    "UPDATE order_addresses SET recipient_name = '', recipient_phone = '', district_code = '', detail = '' "
    "WHERE order_id IN (SELECT order_id FROM orders WHERE user_id = $1) AND $2::bigint IS NOT NULL",
    "UPDATE orders SET buyer_erased_at = COALESCE(buyer_erased_at, 'epoch'::timestamptz + $2::bigint * interval "
    "'1 microsecond') WHERE user_id = $1",
    // The cart (migration 0007) and what was checked out of it go entirely.
    "DELETE FROM cart_items WHERE user_id = $1 AND $2::bigint IS NOT NULL",
    "DELETE FROM carts WHERE user_id = $1 AND $2::bigint IS NOT NULL",
    "DELETE FROM cart_checkouts WHERE user_id = $1 AND $2::bigint IS NOT NULL",
};

}  // namespace

absl::Status AnonymiseBuyer(pqxx::work& tx, const std::string& user_id, absl::Time erased_at) {
  for (const char* sql : kAnonymiseBuyerSql) tx.exec_params(sql, user_id, pg::Micros(erased_at));
  return absl::OkStatus();
}

}  // namespace zhongtai::order
