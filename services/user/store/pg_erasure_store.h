// ErasureStore over PostgreSQL: one transaction removes an account's personal data and appends UserErased to the
// outbox (stream zt.events.user). SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/privacy_ports.h"

namespace zhongtai::user {

class PgErasureStore : public ErasureStore {
 public:
  explicit PgErasureStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status EraseAccount(const Erasure& erasure) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
