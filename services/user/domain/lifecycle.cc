#include "services/user/domain/lifecycle.h"

#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::user {

LifecycleRecord Lifecycle::Decide(const LifecycleFacts& facts, std::optional<absl::Time> last_order_at,
                                  absl::Time now) const {
  const LifecycleDecision decision = DecideLifecycle(facts.registered_at, last_order_at, now, settings_);
  LifecycleRecord record;
  record.stage = decision.stage;
  record.since = decision.since;
  record.review_at = decision.review_at;
  record.last_order_at = last_order_at;
  if (record.stage != facts.stored_stage) {
    record.change = LifecycleChange{facts.stored_stage, record.stage, record.since, now};
  }
  return record;
}

absl::StatusOr<LifecycleRecord> Lifecycle::RecordOrder(const std::string& user_id, absl::Time paid_at) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  const absl::Time now = clock_.Now();
  return store_.UpdateLifecycle(user_id, [&](const LifecycleFacts& facts) {
    std::optional<absl::Time> last = facts.last_order_at;
    if (!last || paid_at > *last) last = paid_at;
    return Decide(facts, last, now);
  });
}

absl::StatusOr<LifecycleRecord> Lifecycle::Refresh(const std::string& user_id) {
  if (user_id.empty()) return InvalidArgument("userId", "USER_ID_MISSING", "user id is required");
  const absl::Time now = clock_.Now();
  return store_.UpdateLifecycle(user_id,
                                [&](const LifecycleFacts& facts) { return Decide(facts, facts.last_order_at, now); });
}

absl::StatusOr<int> Lifecycle::Sweep() {
  constexpr int kBatch = 500;
  int reviewed = 0;
  // Each customer reviewed leaves the due set (its review_at moves past now), so every round makes progress; the
  // bound stops a run that cannot (a customer failing every time) from spinning.
  for (int round = 0; round < 1000; ++round) {
    const absl::Time now = clock_.Now();
    ASSIGN_OR_RETURN(std::vector<std::string> due, store_.DueForReview(now, kBatch));
    int failed = 0;
    for (const std::string& user_id : due) {
      absl::StatusOr<LifecycleRecord> record = store_.UpdateLifecycle(
          user_id, [&](const LifecycleFacts& facts) { return Decide(facts, facts.last_order_at, now); });
      if (record.ok()) {
        ++reviewed;
      } else if (record.status().code() != absl::StatusCode::kNotFound) {  // erased meanwhile: nothing to do
        ++failed;
        log::Error("lifecycle review failed", {{"user_id", user_id}, {"error", record.status().ToString()}});
      }
    }
    if (static_cast<int>(due.size()) < kBatch || failed == static_cast<int>(due.size())) break;
  }
  return reviewed;
}

absl::StatusOr<LifecycleDecision> Lifecycle::Current(const std::string& user_id) {
  ASSIGN_OR_RETURN(LifecycleFacts facts, store_.LoadFacts(user_id));
  return DecideLifecycle(facts.registered_at, facts.last_order_at, clock_.Now(), settings_);
}

}  // namespace zhongtai::user
