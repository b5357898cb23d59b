// LifecycleStore over PostgreSQL (migration 0008_segments.sql): one user_lifecycle row per customer, changed under
// its row lock. The stage is the domain's decision (lifecycle_rules.h); SQL only keeps it. SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/segments_ports.h"
#include "services/user/store/tx_scope.h"

namespace zhongtai::user {

class PgLifecycleStore : public LifecycleStore {
 public:
  explicit PgLifecycleStore(pg::Pool& pool) : scope_(pool) {}
  // In the caller's transaction (the inbox's).
  explicit PgLifecycleStore(pqxx::work& tx) : scope_(tx) {}

  absl::StatusOr<LifecycleRecord> UpdateLifecycle(const std::string& user_id, const LifecycleUpdate& decide) override;
  absl::StatusOr<LifecycleFacts> LoadFacts(const std::string& user_id) override;
  absl::StatusOr<std::vector<std::string>> DueForReview(absl::Time now, int limit) override;

 private:
  TxScope scope_;
};

}  // namespace zhongtai::user
