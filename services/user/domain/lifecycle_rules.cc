#include "services/user/domain/lifecycle_rules.h"

#include "common/status/status.h"

namespace zhongtai::user {

const char* LifecycleStageCode(LifecycleStage stage) {
  switch (stage) {
    case LifecycleStage::kNew: return "new";
    case LifecycleStage::kActive: return "active";
    case LifecycleStage::kDormant: return "dormant";
    case LifecycleStage::kChurned: return "churned";
  }
  return "new";
}

bool ParseLifecycleStage(const std::string& code, LifecycleStage* stage) {
  for (LifecycleStage candidate :
       {LifecycleStage::kNew, LifecycleStage::kActive, LifecycleStage::kDormant, LifecycleStage::kChurned}) {
    if (code == LifecycleStageCode(candidate)) {
      *stage = candidate;
      return true;
    }
  }
  return false;
}

absl::Status ValidateLifecycleSettings(const LifecycleSettings& settings) {
  if (settings.new_window <= absl::ZeroDuration() || settings.new_window > settings.dormant_after ||
      settings.dormant_after >= settings.churned_after) {
    return InvalidArgument("lifecycle", "LIFECYCLE_THRESHOLDS_INVALID",
                           "lifecycle thresholds must satisfy 0 < new window <= dormant after < churned after");
  }
  return absl::OkStatus();
}

LifecycleDecision DecideLifecycle(absl::Time registered_at, std::optional<absl::Time> last_order_at, absl::Time now,
                                  const LifecycleSettings& settings) {
  LifecycleDecision decision;
  // An order stamped before the registration (clock skew between services) counts from the registration.
  const absl::Time reference = last_order_at && *last_order_at > registered_at ? *last_order_at : registered_at;
  const absl::Time dormant_at = reference + settings.dormant_after;
  const absl::Time churned_at = reference + settings.churned_after;
  if (now >= churned_at) {
    decision.stage = LifecycleStage::kChurned;
    decision.since = churned_at;
  } else if (now >= dormant_at) {
    decision.stage = LifecycleStage::kDormant;
    decision.since = dormant_at;
    decision.review_at = churned_at;
  } else if (!last_order_at && now < registered_at + settings.new_window) {
    decision.stage = LifecycleStage::kNew;
    decision.since = registered_at;
    decision.review_at = registered_at + settings.new_window;
  } else {
    decision.stage = LifecycleStage::kActive;
    decision.since = last_order_at ? reference : registered_at + settings.new_window;
    decision.review_at = dormant_at;
  }
  return decision;
}

}  // namespace zhongtai::user
