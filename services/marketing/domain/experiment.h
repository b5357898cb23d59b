// A/B experiments on promotions and prices: arms with traffic shares, each enabling its promotions for the users
// assigned to it (the experiment's other promotions do not apply to them) and setting its prices for SKUs. A user's arm
// is fixed by a stable hash (ArmBucket), so every quote prices a user the same way for the experiment's whole run.
// Quotes record one exposure per user and experiment (ExperimentExposure on the outbox) for the data hub's analysis.
#pragma once

#include <cstdint>
#include <map>
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

inline constexpr size_t kMaxArmPrices = 100;

// An arm's fixed price for one SKU (a price test: arm A pays 89.00, arm B 79.00, the control arm its usual price).
// It replaces the buyer's catalogue price (list, scheduled or member price, as the order center passes it) when it is
// lower, never when it is higher; promotions then apply to it as to any price. At most the SKU's list price.
struct ArmPrice {
  std::string sku_id;
  std::string currency;
  int64_t price = 0;  // minor units
};

struct ExperimentArm {
  std::string name;
  int32_t traffic_bp = 0;
  std::vector<std::string> promotion_ids;
  std::vector<ArmPrice> prices;  // at most one per SKU
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
// summing to exactly 10000 (EXPERIMENT_TRAFFIC_INVALID), a promotion in at most one arm; arm prices: at most 100 per
// arm, one per SKU (EXPERIMENT_ARMS_INVALID), an ISO currency (CURRENCY_INVALID), not negative (ARM_PRICE_NEGATIVE).
absl::Status ValidateExperiment(const Experiment& experiment);

// The arm prices against the product center's facts (one entry per priced SKU), with the field
// "experiment.arms[i].prices[j]...": NOT_FOUND SKU_NOT_FOUND, FAILED_PRECONDITION SKU_NOT_ON_SALE, INVALID_ARGUMENT
// CURRENCY_MISMATCH (another currency than the list price's) or ARM_PRICE_ABOVE_LIST_PRICE.
absl::Status CheckArmPrices(const Experiment& experiment, const std::map<std::string, SkuFacts>& skus);

// The user's bucket in [0, 10000): FNV-1a 64 of "<experiment_id>:<user_id>" (offset basis 14695981039346656037,
// prime 1099511628211, over the bytes), modulo 10000. Stable across processes, releases and platforms.
int32_t ArmBucket(const std::string& experiment_id, const std::string& user_id);

// The arm whose share holds the user's bucket: arms take consecutive bucket ranges in their order.
const ExperimentArm& AssignArm(const Experiment& experiment, const std::string& user_id);

struct Exposure {
  std::string experiment_id;
  std::string arm;
};

// The price an arm gives a SKU, and whose it is.
struct ArmPriceFor {
  std::string experiment_id;
  std::string arm;
  std::string currency;
  int64_t price = 0;
};

// What the running experiments mean for one user's quote: the promotions that must not apply (those of the arms the
// user is not in), the prices of the user's arms by SKU, and the arms the user is exposed to. Without a user, no
// experiment's promotion or price applies. When two running experiments price one SKU for the user, the lower price
// holds (on a tie, the experiment with the smaller id).
struct ExperimentView {
  std::set<std::string> withheld_promotion_ids;
  std::map<std::string, ArmPriceFor> prices;
  std::vector<Exposure> exposures;
};
ExperimentView ViewFor(const std::vector<Experiment>& running, const std::string& user_id);

// Sets each line's unit price to its arm price where that is lower than the line's price (in the same currency); such
// a line is no longer member-priced. Returns the origin of each line's price, in line order.
std::vector<LinePriceOrigin> ApplyArmPrices(const ExperimentView& view, std::vector<QuoteLineInput>& lines);

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
  // `skus` (the product center) checks arm prices against list prices; without it an experiment with prices is
  // refused (FAILED_PRECONDITION PRODUCT_CENTER_UNAVAILABLE).
  Experiments(ExperimentStore& store, Clock& clock, IdGenerator& ids, ProductSkus* skus = nullptr)
      : store_(store), clock_(clock), ids_(ids), skus_(skus) {}

  absl::StatusOr<Experiment> Create(Experiment experiment, const std::string& request_id);
  absl::StatusOr<ExperimentPage> List(int page_size, const std::string& page_token);
  // For a quote by `user_id` now: the view of the running experiments; exposures are recorded (a failure to record
  // is logged, never fails the quote).
  absl::StatusOr<ExperimentView> ForQuote(const std::string& user_id);

 private:
  ExperimentStore& store_;
  Clock& clock_;
  IdGenerator& ids_;
  ProductSkus* skus_;
};

}  // namespace zhongtai::marketing
