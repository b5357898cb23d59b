// A customer's lifecycle stage from their registration and their last paid order. Pure functions; the lifecycle
// use cases (lifecycle.h) and the sweep call them, and the store only keeps what they decide.
//
// A customer who never ordered counts from their registration: new during the new window, then active, dormant
// and churned like a customer whose last order was at registration. Every stage has a start time that follows
// from these two times alone, so deciding again never moves it (the sweep is idempotent).
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace zhongtai::user {

enum class LifecycleStage { kNew, kActive, kDormant, kChurned };
const char* LifecycleStageCode(LifecycleStage stage);  // "new", "active", "dormant", "churned"
bool ParseLifecycleStage(const std::string& code, LifecycleStage* stage);

struct LifecycleSettings {
  // Registered within this and not ordered yet: new.
  absl::Duration new_window = absl::Hours(24 * 30);
  // No order for this long: dormant.
  absl::Duration dormant_after = absl::Hours(24 * 90);
  // No order for this long: churned.
  absl::Duration churned_after = absl::Hours(24 * 180);
};

// INVALID_ARGUMENT unless 0 < new_window <= dormant_after < churned_after.
absl::Status ValidateLifecycleSettings(const LifecycleSettings& settings);

struct LifecycleDecision {
  LifecycleStage stage = LifecycleStage::kNew;
  absl::Time since;  // when this stage began
  // When the stage changes next if no order comes; none once churned.
  std::optional<absl::Time> review_at;
};

LifecycleDecision DecideLifecycle(absl::Time registered_at, std::optional<absl::Time> last_order_at, absl::Time now,
                                  const LifecycleSettings& settings);

}  // namespace zhongtai::user
