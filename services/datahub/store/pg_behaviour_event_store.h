// Behaviour events into PostgreSQL (behaviour_events, behaviour_hourly, funnel_journeys; migration 0003): one COPY
// per batch into a session-local staging table, then one statement that keeps the new rows and rolls them up, and
// the funnel fold, all in one transaction.
#pragma once

#include <vector>

#include "common/pg/pool.h"
#include "services/datahub/domain/behaviour_events.h"
#include "services/datahub/store/behaviour_partitions.h"

namespace zhongtai::datahub {

class PgBehaviourEventStore : public BehaviourEventStore {
 public:
  PgBehaviourEventStore(pg::Pool& pool, BehaviourPartitions& partitions, absl::Duration funnel_window)
      : pool_(pool), partitions_(partitions), funnel_window_(funnel_window) {}

  absl::StatusOr<int> Insert(const std::vector<BehaviourEvent>& events) override;

 private:
  pg::Pool& pool_;
  BehaviourPartitions& partitions_;
  absl::Duration funnel_window_;
};

}  // namespace zhongtai::datahub
