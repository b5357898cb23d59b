// MemberDirectory over PostgreSQL: the member list, segment listing and stage lists, reading users with their tier
// (members), stage (user_lifecycle), tags and points balance. SQL lives here only.
#pragma once

#include "common/pg/pool.h"
#include "services/user/domain/segments_ports.h"

namespace zhongtai::user {

class PgMemberDirectory : public MemberDirectory {
 public:
  explicit PgMemberDirectory(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::vector<MemberRow>> ListMembers(const MemberFilter& filter,
                                                     const std::optional<MemberCursor>& after, int limit) override;
  absl::StatusOr<std::vector<std::string>> ListSegmentMembers(const SegmentQuery& query) override;
  absl::StatusOr<std::vector<MemberRow>> ListByStage(LifecycleStage stage, const std::optional<Tier>& tier,
                                                     int limit) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::user
