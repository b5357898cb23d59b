// A/B experiments on promotions: arms with traffic shares, each enabling its promotions for the users assigned to
// it; the experiment's other promotions do not apply to them. A user's arm is fixed by a stable hash (ArmBucket),
// so every quote prices a user the same way for the experiment's whole run. Quotes record one exposure per user and
// experiment (ExperimentExposure on the outbox) for the data hub's analysis.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

inline constexpr int32_t kTrafficBuckets = 10000;  // basis points
inline constexpr size_t kMaxArms = 10;

struct ExperimentArm {
  std::string name;
  int32_t traffic_bp = 0;
  std::vector<std::string> promotion_ids;
};

struct Experiment {
  std::string experiment_id;
  std::string request_id;
  std::string name;
  absl::Time start_time;
  absl::Time end_time;  // exclusive
  std::vector<ExperimentArm> arms;
  absl::Time created_at;
};

struct ExperimentPage {
  std::vector<Experiment> experiments;
  std::string next_page_token;
};

// INVALID_ARGUMENT with the field: name, window, 2 to 10 arms with distinct names, shares of 1 or more basis points
// summing to exactly 10000 (EXPERIMENT_TRAFFIC_INVALID), a promotion in at most one arm.
absl::Status ValidateExperiment(const Experiment& experiment);

// The user's bucket in [0, 10000): FNV-1a 64 of "<experiment_id>:<user_id>" (offset basis 14695981039346656037,
// prime 1099511628211, over the bytes), modulo 10000. Stable across processes, releases and platforms.
int32_t ArmBucket(const std::string& experiment_id, const std::string& user_id);

// The arm whose share holds the user's bucket: arms take consecutive bucket ranges in their order.
const ExperimentArm& AssignArm(const Experiment& experiment, const std::string& user_id);

struct Exposure {
  std::string experiment_id;
  std::string arm;
};

// What the running experiments mean for one user's quote: the promotions that must not apply (those of the arms the
// user is not in) and the arms the user is exposed to. Without a user, no experiment's promotion applies.
struct ExperimentView {
  std::set<std::string> withheld_promotion_ids;
  std::vector<Exposure> exposures;
};
ExperimentView ViewFor(const std::vector<Experiment>& running, const std::string& user_id);

class ExperimentStore {
 public:
  virtual ~ExperimentStore() = default;
  struct CreateResult {
    Experiment experiment;
    bool created = false;
  };
  // Idempotent on request_id.
  virtual absl::StatusOr<CreateResult> Create(const Experiment& experiment) = 0;
  // Newest first: up to `limit` with id < before_id (all when empty).
  virtual absl::StatusOr<std::vector<Experiment>> List(const std::string& before_id, int limit) = 0;
  // start_time <= now < end_time.
  virtual absl::StatusOr<std::vector<Experiment>> ListRunning(absl::Time now) = 0;
  // Records the exposure with its ExperimentExposure event unless the user has one for the experiment already.
  virtual absl::Status RecordExposure(const Exposure& exposure, const std::string& user_id, absl::Time now) = 0;
};

class Experiments {
 public:
  Experiments(ExperimentStore& store, Clock& clock, IdGenerator& ids) : store_(store), clock_(clock), ids_(ids) {}

  absl::StatusOr<Experiment> Create(Experiment experiment, const std::string& request_id);
  absl::StatusOr<ExperimentPage> List(int page_size, const std::string& page_token);
  // For a quote by `user_id` now: the view of the running experiments; exposures are recorded (a failure to record
  // is logged, never fails the quote).
  absl::StatusOr<ExperimentView> ForQuote(const std::string& user_id);

 private:
  ExperimentStore& store_;
  Clock& clock_;
  IdGenerator& ids_;
};

}  // namespace zhongtai::marketing
