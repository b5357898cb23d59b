// Lifecycle stages of customers (lifecycle_rules.h): recorded on every paid order (the order events), decided
// again by a sweep for customers whose stage is due to change, and read by GetMember and the member list.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/user/domain/segments_ports.h"

namespace zhongtai::user {

class Lifecycle {
 public:
  // `settings` must pass ValidateLifecycleSettings.
  Lifecycle(LifecycleStore& store, Clock& clock, LifecycleSettings settings)
      : store_(store), clock_(clock), settings_(settings) {}

  // A paid order at `paid_at`: the last order is the latest ever recorded (a redelivery or an older event changes
  // nothing), and the stage is decided again. NOT_FOUND USER_NOT_FOUND.
  absl::StatusOr<LifecycleRecord> RecordOrder(const std::string& user_id, absl::Time paid_at);
  // Decides the stage again from what is recorded (another order event of the user, the sweep).
  absl::StatusOr<LifecycleRecord> Refresh(const std::string& user_id);
  // Decides again every customer due; idempotent (a second run finds nothing due). Returns how many it reviewed.
  absl::StatusOr<int> Sweep();
  // The stage now, from the stored facts (also for a customer the sweep has not seen yet).
  absl::StatusOr<LifecycleDecision> Current(const std::string& user_id);

  const LifecycleSettings& settings() const { return settings_; }

 private:
  LifecycleRecord Decide(const LifecycleFacts& facts, std::optional<absl::Time> last_order_at, absl::Time now) const;

  LifecycleStore& store_;
  Clock& clock_;
  LifecycleSettings settings_;
};

}  // namespace zhongtai::user
