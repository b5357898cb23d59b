// TagStore, LifecycleStore and MemberDirectory in memory, for unit tests: one mutex plays the per-member locks, and
// the member list applies the same filters and order as the PostgreSQL directory.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "services/user/domain/segments_ports.h"
#include "services/user/domain/tags.h"

namespace zhongtai::user::testing {

class InMemorySegmentStores : public TagStore, public LifecycleStore, public MemberDirectory {
 public:
  struct Customer {
    std::string nickname;
    absl::Time registered_at;
    Tier tier = Tier::kNormal;
    int64_t points_balance = 0;
  };

  void AddCustomer(const std::string& user_id, Customer customer) {
    std::lock_guard<std::mutex> lock(mu_);
    customers_[user_id] = std::move(customer);
  }

  absl::StatusOr<MemberTags> UpdateTags(const std::string& user_id, const TagDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!customers_.count(user_id)) return NotFound("USER_NOT_FOUND", "no such user");
    MemberTags& tags = tags_[user_id];
    ASSIGN_OR_RETURN(TagChange change, decide(tags));
    for (const std::string& tag : change.add_manual) tags.manual.push_back(tag);
    for (const std::string& tag : change.remove_manual) {
      tags.manual.erase(std::remove(tags.manual.begin(), tags.manual.end(), tag), tags.manual.end());
    }
    std::sort(tags.manual.begin(), tags.manual.end());
    tags.manual.erase(std::unique(tags.manual.begin(), tags.manual.end()), tags.manual.end());
    for (const ComputedTag& put : change.put_computed) {
      auto same = std::find_if(tags.computed.begin(), tags.computed.end(),
                               [&](const ComputedTag& t) { return t.kind == put.kind; });
      if (same == tags.computed.end()) {
        tags.computed.push_back(put);
      } else {
        *same = put;
      }
    }
    return tags;
  }

  absl::StatusOr<MemberTags> LoadTags(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = tags_.find(user_id);
    return found == tags_.end() ? MemberTags{} : found->second;
  }

  absl::StatusOr<LifecycleRecord> UpdateLifecycle(const std::string& user_id, const LifecycleUpdate& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto customer = customers_.find(user_id);
    if (customer == customers_.end()) return NotFound("USER_NOT_FOUND", "no such user");
    LifecycleFacts facts{customer->second.registered_at, std::nullopt};
    auto stored = lifecycle_.find(user_id);
    if (stored != lifecycle_.end()) {
      facts.last_order_at = stored->second.last_order_at;
      facts.stored_stage = stored->second.stage;
    }
    LifecycleRecord record = decide(facts);
    lifecycle_[user_id] = record;
    ++lifecycle_writes_;
    if (record.change) lifecycle_changes_.push_back({user_id, *record.change});
    return record;
  }

  absl::StatusOr<LifecycleFacts> LoadFacts(const std::string& user_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto customer = customers_.find(user_id);
    if (customer == customers_.end()) return NotFound("USER_NOT_FOUND", "no such user");
    LifecycleFacts facts{customer->second.registered_at, std::nullopt};
    auto stored = lifecycle_.find(user_id);
    if (stored != lifecycle_.end()) facts.last_order_at = stored->second.last_order_at;
    return facts;
  }

  absl::StatusOr<std::vector<std::string>> DueForReview(absl::Time now, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> due;
    for (const auto& [id, customer] : customers_) {
      auto stored = lifecycle_.find(id);
      if (stored == lifecycle_.end() || (stored->second.review_at && *stored->second.review_at <= now)) {
        due.push_back(id);
      }
      if (static_cast<int>(due.size()) == limit) break;
    }
    return due;
  }

  absl::StatusOr<std::vector<MemberRow>> ListMembers(const MemberFilter& filter,
                                                     const std::optional<MemberCursor>& after, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<MemberRow> rows;
    for (const auto& [id, customer] : customers_) {
      MemberRow row = RowLocked(id);
      if (filter.tier && row.tier != *filter.tier) continue;
      if (filter.stage && row.stage != *filter.stage) continue;
      if (!filter.tag.empty() && std::find(row.tags.begin(), row.tags.end(), filter.tag) == row.tags.end()) continue;
      if (filter.registered_from && row.registered_at < *filter.registered_from) continue;
      if (filter.registered_before && row.registered_at >= *filter.registered_before) continue;
      if (after &&
          std::make_pair(row.registered_at, row.user_id) >= std::make_pair(after->registered_at, after->user_id)) {
        continue;
      }
      rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), [](const MemberRow& a, const MemberRow& b) {
      return std::make_pair(a.registered_at, a.user_id) > std::make_pair(b.registered_at, b.user_id);
    });
    if (static_cast<int>(rows.size()) > limit) rows.resize(limit);
    return rows;
  }

  absl::StatusOr<std::vector<std::string>> ListSegmentMembers(const SegmentQuery& query) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> ids;
    for (const auto& [id, customer] : customers_) {
      if (id <= query.after_user_id) continue;
      MemberRow row = RowLocked(id);
      if (query.tier && row.tier != *query.tier) continue;
      if (!query.tag.empty() && std::find(row.tags.begin(), row.tags.end(), query.tag) == row.tags.end()) continue;
      ids.push_back(id);
      if (static_cast<int>(ids.size()) == query.limit) break;
    }
    return ids;
  }

  absl::StatusOr<std::vector<MemberRow>> ListByStage(LifecycleStage stage, const std::optional<Tier>& tier,
                                                     int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<MemberRow> rows;
    for (const auto& [id, customer] : customers_) {
      MemberRow row = RowLocked(id);
      if (row.stage == stage && (!tier || row.tier == *tier)) rows.push_back(std::move(row));
    }
    std::sort(rows.begin(), rows.end(), [](const MemberRow& a, const MemberRow& b) {
      return std::make_pair(a.last_order_at, a.user_id) > std::make_pair(b.last_order_at, b.user_id);
    });
    if (static_cast<int>(rows.size()) > limit) rows.resize(limit);
    return rows;
  }

  int lifecycle_writes() {
    std::lock_guard<std::mutex> lock(mu_);
    return lifecycle_writes_;
  }

  // Every change stored, in order: what the PostgreSQL store publishes as UserLifecycleChanged events.
  struct PublishedChange {
    std::string user_id;
    LifecycleChange change;
  };
  std::vector<PublishedChange> lifecycle_changes() {
    std::lock_guard<std::mutex> lock(mu_);
    return lifecycle_changes_;
  }

 private:
  MemberRow RowLocked(const std::string& id) {
    const Customer& customer = customers_.at(id);
    MemberRow row;
    row.user_id = id;
    row.nickname = customer.nickname;
    row.tier = customer.tier;
    row.points_balance = customer.points_balance;
    row.registered_at = customer.registered_at;
    auto stored = lifecycle_.find(id);
    if (stored != lifecycle_.end()) {
      row.stage = stored->second.stage;
      row.stage_since = stored->second.since;
      row.last_order_at = stored->second.last_order_at;
    }
    auto tags = tags_.find(id);
    if (tags != tags_.end()) row.tags = AllTags(tags->second);
    return row;
  }

  std::mutex mu_;
  std::map<std::string, Customer> customers_;
  std::map<std::string, MemberTags> tags_;
  std::map<std::string, LifecycleRecord> lifecycle_;
  int lifecycle_writes_ = 0;
  std::vector<PublishedChange> lifecycle_changes_;
};

}  // namespace zhongtai::user::testing
