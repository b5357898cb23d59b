// AddressStore over PostgreSQL (migration 0005_addresses.sql). SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/addresses.h"

namespace zhongtai::user {

class PgAddressStore : public AddressStore {
 public:
  explicit PgAddressStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<Address>> List(const std::string& user_id) override;
  absl::Status Update(const std::string& user_id, const AddressDecision& decide) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
