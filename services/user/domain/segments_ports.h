// What tags, lifecycle and the member directory need from their stores.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/user/domain/lifecycle_rules.h"
#include "services/user/domain/membership_model.h"
#include "services/user/domain/tag_rules.h"

namespace zhongtai::user {

// A member's tags, loaded under the member's tag lock.
struct MemberTags {
  std::vector<std::string> manual;  // sorted
  std::vector<ComputedTag> computed;
};

struct TagChange {
  std::vector<std::string> add_manual;
  std::vector<std::string> remove_manual;
  std::vector<ComputedTag> put_computed;  // replaces the member's tag of the same kind
  absl::Time at;
};

using TagDecision = std::function<absl::StatusOr<TagChange>(const MemberTags&)>;

class TagStore {
 public:
  virtual ~TagStore() = default;
  // Atomically, under a lock of the member's tags: loads them, runs `decide`, writes its change, and returns the
  // tags after. NOT_FOUND USER_NOT_FOUND when there is no such user (nothing is decided). A non-OK decision
  // writes nothing and is returned as is.
  virtual absl::StatusOr<MemberTags> UpdateTags(const std::string& user_id, const TagDecision& decide) = 0;
  // Without a lock; empty for an unknown user.
  virtual absl::StatusOr<MemberTags> LoadTags(const std::string& user_id) = 0;
};

// What the lifecycle rules look at, loaded under the member's lifecycle row lock.
struct LifecycleFacts {
  absl::Time registered_at;
  std::optional<absl::Time> last_order_at;
  // The stage last stored (new for a customer never decided before).
  LifecycleStage stored_stage = LifecycleStage::kNew;
};

// A stage that differs from the stored one: the store publishes it (UserLifecycleChanged) with the record.
struct LifecycleChange {
  LifecycleStage from = LifecycleStage::kNew;
  LifecycleStage to = LifecycleStage::kNew;
  absl::Time since;       // when the new stage began
  absl::Time decided_at;  // when the change was noticed
};

struct LifecycleRecord {
  LifecycleStage stage = LifecycleStage::kNew;
  absl::Time since;
  std::optional<absl::Time> last_order_at;
  std::optional<absl::Time> review_at;
  std::optional<LifecycleChange> change;
};

using LifecycleUpdate = std::function<LifecycleRecord(const LifecycleFacts&)>;

class LifecycleStore {
 public:
  virtual ~LifecycleStore() = default;
  // Atomically, under the member's lifecycle lock: loads the facts (the registration, the last order recorded, the
  // stage stored), runs `decide` and stores the record it returns, with a UserLifecycleChanged event in the outbox
  // when the record carries a change. NOT_FOUND USER_NOT_FOUND for an unknown or erased user.
  virtual absl::StatusOr<LifecycleRecord> UpdateLifecycle(const std::string& user_id,
                                                          const LifecycleUpdate& decide) = 0;
  // The facts without a lock; NOT_FOUND USER_NOT_FOUND.
  virtual absl::StatusOr<LifecycleFacts> LoadFacts(const std::string& user_id) = 0;
  // Up to `limit` customers whose stage is due for review at `now`: never decided, or review_at <= now.
  virtual absl::StatusOr<std::vector<std::string>> DueForReview(absl::Time now, int limit) = 0;
};

// The admin's member list: every filter given must hold.
struct MemberFilter {
  std::optional<Tier> tier;
  std::string tag;  // normalised (NormalizeTagFilter); empty: any
  std::optional<LifecycleStage> stage;
  std::optional<absl::Time> registered_from;    // inclusive
  std::optional<absl::Time> registered_before;  // exclusive
};

// Position in the member list (newest registration first): the last member shown.
struct MemberCursor {
  absl::Time registered_at;
  std::string user_id;
};

struct MemberRow {
  std::string user_id;
  std::string nickname;
  Tier tier = Tier::kNormal;
  // As stored; a customer the lifecycle sweep has not seen yet is new.
  LifecycleStage stage = LifecycleStage::kNew;
  std::vector<std::string> tags;  // manual, then computed
  int64_t points_balance = 0;
  absl::Time registered_at;
  std::optional<absl::Time> last_order_at;
  std::optional<absl::Time> stage_since;
};

// Segment listing for marketing: by tag and/or tier, in user id order.
struct SegmentQuery {
  std::string tag;  // normalised; empty: any
  std::optional<Tier> tier;
  std::string after_user_id;  // keyset: ids greater than this
  int limit = 500;
};

class MemberDirectory {
 public:
  virtual ~MemberDirectory() = default;
  // Customers matching `filter`, newest registration first (then user id), after `after` when given.
  virtual absl::StatusOr<std::vector<MemberRow>> ListMembers(const MemberFilter& filter,
                                                             const std::optional<MemberCursor>& after, int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListSegmentMembers(const SegmentQuery& query) = 0;
  // Customers at `stage` (and `tier` when given), the most recent last order first, at most `limit`.
  virtual absl::StatusOr<std::vector<MemberRow>> ListByStage(LifecycleStage stage, const std::optional<Tier>& tier,
                                                             int limit) = 0;
};

}  // namespace zhongtai::user
