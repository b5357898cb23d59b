// The daily partitions of behaviour_events (migration 0003): created ahead by a periodic task and on demand for the
// days a batch needs (late events), each once per process thanks to a cache of the days known to exist.
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "common/pg/pool.h"

namespace zhongtai::datahub {

// behaviour_events_pYYYYMMDD: the UTC day [day, day + 1).
std::string BehaviourPartitionName(absl::CivilDay day);

class BehaviourPartitions {
 public:
  explicit BehaviourPartitions(pg::Pool& pool) : pool_(pool) {}

  // Creates the missing partitions of `days` (UTC), each in a short transaction of its own under an advisory lock,
  // so that concurrent callers and processes never race on the same one.
  absl::Status Ensure(const std::vector<absl::CivilDay>& days);
  // The days from `first` to `last` (inclusive).
  absl::Status EnsureRange(absl::CivilDay first, absl::CivilDay last);
  // Retention: drops every partition of a day before `first_kept` (the rollups, journeys and facts stay), each in a
  // short transaction under the same advisory lock; the names dropped, oldest first.
  absl::StatusOr<std::vector<std::string>> DropBefore(absl::CivilDay first_kept);
  // The days that have a partition, oldest first.
  absl::StatusOr<std::vector<absl::CivilDay>> Days();

 private:
  pg::Pool& pool_;
  std::mutex mu_;
  std::set<absl::CivilDay> known_;
};

}  // namespace zhongtai::datahub
