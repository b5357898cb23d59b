// CampaignChangeLock over PostgreSQL: a transaction-scoped advisory lock, so that the conflict check and the create
// of replicas queue one after the other. A mutex keeps a replica's waiters off the pool: at most one of its
// connections waits on the lock, and the change's own queries get the others.
#pragma once

#include <mutex>

#include "common/pg/pool.h"
#include "services/marketing/domain/campaign_calendar.h"

namespace zhongtai::marketing {

class PgCampaignChangeLock : public CampaignChangeLock {
 public:
  explicit PgCampaignChangeLock(pg::Pool& pool) : pool_(pool) {}
  absl::Status Run(const std::function<absl::Status()>& change) override;

 private:
  pg::Pool& pool_;
  std::mutex mu_;
};

}  // namespace zhongtai::marketing
