// Erasure of a buyer's personal data from their orders (the user service's UserErased event). Orders stay, with their
// lines, amounts, history and payments, for accounting. SQL lives here only.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/pg/pool.h"

namespace zhongtai::order {

// In the consumer's inbox transaction: replaces the personal data the buyer's orders hold (recipient name, phone and
// address) and marks every order of the buyer as erased. The one place that knows which order columns are
// personal: a table that gains such a column gains its statement in kAnonymiseBuyerSql. Idempotent.
absl::Status AnonymiseBuyer(pqxx::work& tx, const std::string& user_id, absl::Time erased_at);

}  // namespace zhongtai::order
