#include "services/marketing/store/pg_wallet_erasure.h"

#include <pqxx/pqxx>

#include "common/pg/time.h"

namespace zhongtai::marketing {
namespace {

// $1 the user id.
constexpr char kDeleteUnusedCouponsSql[] = "DELETE FROM coupons WHERE user_id = $1 AND order_id = ''";

// $1 the user id, $2 the erasure time (micros). The pseudonym is ErasedCouponOwner's; a store test checks they agree.
// The claim's device id goes too: it identifies the person's phone.
constexpr char kUnlinkOrderCouponsSql[] =
    "UPDATE coupons SET user_id = 'erased:' || coupon_id, claim_device_id = '', "
    "user_erased_at = 'epoch'::timestamptz + $2::bigint * interval '1 microsecond' "
    "WHERE user_id = $1 AND order_id <> ''";

}  // namespace

std::string ErasedCouponOwner(const std::string& coupon_id) { return "erased:" + coupon_id; }

absl::Status EraseWallet(pqxx::work& tx, const std::string& user_id, absl::Time erased_at) {
  tx.exec_params(kDeleteUnusedCouponsSql, user_id);
  tx.exec_params(kUnlinkOrderCouponsSql, user_id, pg::Micros(erased_at));
  return absl::OkStatus();
}

}  // namespace zhongtai::marketing
