// Funnel journeys in PostgreSQL (funnel_journeys, migration 0003): folded with the domain's FoldSteps inside the
// transaction that stores the steps (behaviour events, order events), and counted per step for the funnel.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/datahub/domain/funnel.h"

namespace zhongtai::datahub {

// The journeys a fold changed, as the upsert's array parameters (PgFunnelStore::UpsertSql): visitors, start times,
// channels and the four later steps' times (UTC microseconds, NULL for a step not taken).
struct JourneyWrites {
  int count = 0;
  std::string visitors = "{}", started_at = "{}", channels = "{}";
  std::string steps[kFunnelSteps - 1] = {"{}", "{}", "{}", "{}"};
};

class PgFunnelStore : public FunnelStore {
 public:
  explicit PgFunnelStore(pg::Pool& pool) : pool_(pool) {}

  // Folds `steps` into their visitors' journeys (FoldSteps) and writes the journeys that changed. Takes a
  // transaction-scoped advisory lock per visitor (in a fixed order), so concurrent batches of one visitor fold one
  // after the other.
  static void Fold(pqxx::work& tx, const std::vector<StepEvent>& steps, absl::Duration window);

  // Fold in two parts, for a caller that writes the journeys with a statement of its own later in the same
  // transaction (the behaviour store, inside its rollup statement: one statement fewer a batch): takes the locks,
  // reads and folds, and returns what Fold would write.
  static JourneyWrites FoldToWrite(pqxx::work& tx, const std::vector<StepEvent>& steps, absl::Duration window);
  // The upsert of JourneyWrites with its parameters numbered from $first_parameter (7 of them), for a WITH clause.
  static std::string UpsertSql(int first_parameter);

  absl::StatusOr<std::map<std::string, std::array<int64_t, kFunnelSteps>>> ReachedByChannel(
      const FunnelQuery& query) override;

  // The visitor's journeys, oldest first: for tests and support.
  absl::StatusOr<std::vector<Journey>> JourneysOf(const std::string& visitor);

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
