// ExperimentStore over PostgreSQL: experiments with their arms, and one exposure per user and experiment with its
// ExperimentExposure event.
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/experiment.h"

namespace zhongtai::marketing {

class PgExperimentStore : public ExperimentStore {
 public:
  explicit PgExperimentStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<CreateResult> Create(const Experiment& experiment) override;
  absl::StatusOr<std::vector<Experiment>> List(const std::string& before_id, int limit) override;
  absl::StatusOr<std::vector<Experiment>> ListRunning(absl::Time now) override;
  absl::Status RecordExposure(const Exposure& exposure, const std::string& user_id, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
