// PointsStore over PostgreSQL (migration 0003_points.sql). SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/points_ports.h"

namespace zhongtai::user {

class PgPointsStore : public PointsStore {
 public:
  explicit PgPointsStore(pg::Pool& pool) : pool_(pool) {}

  absl::Status Update(const PointsScope& scope, const PointsDecision& decide) override;
  absl::StatusOr<PointsAccount> Load(const PointsScope& scope) override;
  absl::StatusOr<PointsHold> FindHold(const std::string& order_id) override;
  absl::StatusOr<std::vector<std::string>> AccountsDue(absl::Time now, int limit) override;
  absl::StatusOr<std::vector<std::string>> OverdueHolds(const std::string& user_id, absl::Time now) override;
  absl::StatusOr<LedgerPage> ListLedger(const std::string& user_id, int64_t before_seq, int limit) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
