// What the marketing domain needs from the outside world.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

class PromotionStore {
 public:
  virtual ~PromotionStore() = default;

  struct CreateResult {
    Promotion promotion;
    bool created = false;  // false: a promotion with this request_id already existed and is returned
  };
  // Idempotent on promotion.request_id: a replay returns the first promotion unchanged.
  virtual absl::StatusOr<CreateResult> Create(const Promotion& promotion) = 0;
  // Newest first (ids are time-ordered): up to `limit` promotions with id < `before_id` (all when empty).
  virtual absl::StatusOr<std::vector<Promotion>> List(const std::string& before_id, int limit) = 0;
  // Status ACTIVE and start_time <= now < end_time.
  virtual absl::StatusOr<std::vector<Promotion>> ListApplicable(absl::Time now) = 0;
};

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewPromotionId() = 0;
};

}  // namespace zhongtai::marketing
