// Funnel journeys in PostgreSQL (funnel_journeys, migration 0003): folded with the domain's FoldSteps inside the
// transaction that stores the steps (behaviour events, order events), and counted per step for the funnel.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/datahub/domain/funnel.h"

namespace zhongtai::datahub {

class PgFunnelStore : public FunnelStore {
 public:
  explicit PgFunnelStore(pg::Pool& pool) : pool_(pool) {}

  // Folds `steps` into their visitors' journeys (FoldSteps) and writes the journeys that changed. Takes a
  // transaction-scoped advisory lock per visitor (in a fixed order), so concurrent batches of one visitor fold one
  // after the other.
  static void Fold(pqxx::work& tx, const std::vector<StepEvent>& steps, absl::Duration window);

  absl::StatusOr<std::map<std::string, std::array<int64_t, kFunnelSteps>>> ReachedByChannel(
      const FunnelQuery& query) override;

  // The visitor's journeys, oldest first: for tests and support.
  absl::StatusOr<std::vector<Journey>> JourneysOf(const std::string& visitor);

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
