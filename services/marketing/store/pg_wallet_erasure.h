// Erasure of a user's coupon wallet (the user service's UserErased event). SQL lives here only.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"

namespace zhongtai::marketing {

// In the consumer's inbox transaction: the user's coupons that no order holds or used are deleted (the templates'
// claimed counts stay: they were claimed); a coupon an order holds or used stays for that order's accounting, its user
// id replaced by a pseudonym made from the coupon id (so the wallet of the user id is empty), marked user_erased_at
// (migration 0006). Idempotent.
absl::Status EraseWallet(pqxx::work& tx, const std::string& user_id, absl::Time erased_at);

// The pseudonym a kept coupon's user id becomes.
std::string ErasedCouponOwner(const std::string& coupon_id);

}  // namespace zhongtai::marketing
