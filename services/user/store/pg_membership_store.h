// MembershipStore over PostgreSQL (migration 0004_membership.sql). A tier change writes its history row and its
// TierChanged event (the outbox, stream zt.events.user) in the same transaction. SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/membership_ports.h"

namespace zhongtai::user {

inline constexpr char kUserEventStream[] = "zt.events.user";

class PgMembershipStore : public MembershipStore {
 public:
  explicit PgMembershipStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<TierTable> LoadTiers() override;
  absl::Status SaveTiers(const TierTable& table) override;
  absl::StatusOr<GrowthOutcome> AddOrderGrowth(const OrderGrowth& growth, absl::Time window_start,
                                               const TierDecision& decide) override;
  absl::StatusOr<GrowthOutcome> ReverseOrderGrowth(const std::string& order_id, absl::Time at, absl::Time window_start,
                                                   const TierDecision& decide) override;
  absl::StatusOr<RefundOutcome> ApplyOrderRefund(const OrderRefund& refund, absl::Time window_start,
                                                 const RefundShare& share, const TierDecision& decide) override;
  absl::StatusOr<GrowthOutcome> Reevaluate(const std::string& user_id, absl::Time now, absl::Time window_start,
                                           const TierDecision& decide) override;
  absl::StatusOr<std::vector<std::string>> MembersDueForEvaluation(absl::Time evaluated_before, int limit) override;
  absl::StatusOr<std::pair<Member, int64_t>> Standing(const std::string& user_id, absl::Time window_start) override;
  absl::StatusOr<std::vector<TierChange>> TierHistory(const std::string& user_id, int limit) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
