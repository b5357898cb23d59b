// TagStore over PostgreSQL (migration 0008_segments.sql): manual and computed tags, changed under a
// transaction-scoped advisory lock of the member. SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/segments_ports.h"
#include "services/user/store/tx_scope.h"

namespace zhongtai::user {

class PgTagStore : public TagStore {
 public:
  explicit PgTagStore(pg::Pool& pool) : scope_(pool) {}
  // In the caller's transaction (the inbox's).
  explicit PgTagStore(pqxx::work& tx) : scope_(tx) {}

  absl::StatusOr<MemberTags> UpdateTags(const std::string& user_id, const TagDecision& decide) override;
  absl::StatusOr<MemberTags> LoadTags(const std::string& user_id) override;

 private:
  TxScope scope_;
};

}  // namespace zhongtai::user
