// MembershipStore in memory, for unit tests: one mutex plays the member lock; tier changes are kept as the
// history and as the events that the PostgreSQL store would write to its outbox.
#pragma once

#include <algorithm>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "services/user/domain/membership_ports.h"
#include "services/user/domain/membership_rules.h"

namespace zhongtai::user::testing {

class InMemoryMembershipStore : public MembershipStore {
 public:
  InMemoryMembershipStore() : tiers_(DefaultTierTable()) {}

  absl::StatusOr<TierTable> LoadTiers() override {
    std::lock_guard<std::mutex> lock(mu_);
    return tiers_;
  }
  absl::Status SaveTiers(const TierTable& table) override {
    std::lock_guard<std::mutex> lock(mu_);
    tiers_ = table;
    return absl::OkStatus();
  }

  absl::StatusOr<GrowthOutcome> AddOrderGrowth(const OrderGrowth& growth, absl::Time window_start,
                                               const TierDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    Member& member = MemberLocked(growth.user_id, growth.paid_at);
    GrowthOutcome outcome;
    auto [it, fresh] = orders_.try_emplace(growth.order_id, growth);
    if (fresh) it->second.tier_at_payment = member.tier;
    outcome.order = it->second;
    if (!fresh) {
      outcome.member = member;
      return outcome;
    }
    outcome.applied = true;
    Decide(member, growth.paid_at, window_start, decide, TierChangeCause::kGrowth, outcome);
    return outcome;
  }

  absl::StatusOr<GrowthOutcome> ReverseOrderGrowth(const std::string& order_id, absl::Time at, absl::Time window_start,
                                                   const TierDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    GrowthOutcome outcome;
    auto it = orders_.find(order_id);
    if (it == orders_.end()) return outcome;
    outcome.order = it->second;
    Member& member = MemberLocked(it->second.user_id, at);
    if (it->second.reversed_at) {
      outcome.member = member;
      return outcome;
    }
    it->second.reversed_at = at;
    outcome.applied = true;
    Decide(member, at, window_start, decide, TierChangeCause::kGrowth, outcome);
    return outcome;
  }

  absl::StatusOr<RefundOutcome> ApplyOrderRefund(const OrderRefund& refund, absl::Time window_start,
                                                 const RefundShare& share, const TierDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    RefundOutcome outcome;
    auto it = orders_.find(refund.order_id);
    if (it == orders_.end()) return outcome;
    OrderGrowth& order = it->second;
    Member& member = MemberLocked(order.user_id, refund.at);
    outcome.member = member;
    auto [seen, fresh] = refunds_.try_emplace({refund.order_id, refund.refund_id});
    if (!fresh) {
      outcome.order = order;
      outcome.refunded_before = seen->second.refunded_before;
      outcome.refunded_after = seen->second.refunded_after;
      outcome.completes = seen->second.completes;
      return outcome;
    }
    outcome.refunded_before = order.refunded_minor;
    outcome.refunded_after = order.refunded_minor;
    if (!order.reversed_at) {
      outcome.refunded_after = std::min(order.amount_minor, order.refunded_minor + refund.amount_minor);
      outcome.completes = refund.full || outcome.refunded_after >= order.amount_minor;
      order.refunded_minor = outcome.refunded_after;
      order.growth_reversed = share(order.growth, order.amount_minor, outcome.refunded_after, outcome.completes);
      if (outcome.completes) order.reversed_at = refund.at;
    }
    seen->second = outcome;
    outcome.order = order;
    outcome.applied = true;
    GrowthOutcome decided;
    Decide(member, refund.at, window_start, decide, TierChangeCause::kGrowth, decided);
    outcome.member = decided.member;
    outcome.window_growth = decided.window_growth;
    return outcome;
  }

  absl::StatusOr<GrowthOutcome> Reevaluate(const std::string& user_id, absl::Time now, absl::Time window_start,
                                           const TierDecision& decide) override {
    std::lock_guard<std::mutex> lock(mu_);
    Member& member = MemberLocked(user_id, now);
    GrowthOutcome outcome;
    outcome.applied = true;
    member.evaluated_at = now;
    Decide(member, now, window_start, decide, TierChangeCause::kEvaluation, outcome);
    return outcome;
  }

  absl::StatusOr<std::vector<std::string>> MembersDueForEvaluation(absl::Time evaluated_before, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const auto& [id, member] : members_) {
      if (member.evaluated_at <= evaluated_before && static_cast<int>(out.size()) < limit) out.push_back(id);
    }
    return out;
  }

  absl::StatusOr<std::pair<Member, int64_t>> Standing(const std::string& user_id, absl::Time window_start) override {
    std::lock_guard<std::mutex> lock(mu_);
    Member member;
    member.user_id = user_id;
    auto it = members_.find(user_id);
    if (it != members_.end()) member = it->second;
    return std::make_pair(member, WindowGrowth(user_id, window_start));
  }

  absl::StatusOr<std::vector<TierChange>> TierHistory(const std::string& user_id, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<TierChange> out;
    for (auto it = history_.rbegin(); it != history_.rend() && static_cast<int>(out.size()) < limit; ++it) {
      if (it->user_id == user_id) out.push_back(*it);
    }
    return out;
  }

  // The TierChanged events the PostgreSQL store would have written to its outbox.
  std::vector<TierChange> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return history_;
  }

 private:
  Member& MemberLocked(const std::string& user_id, absl::Time now) {
    auto [it, fresh] = members_.try_emplace(user_id);
    if (fresh) {
      it->second.user_id = user_id;
      it->second.tier_since = now;
      it->second.evaluated_at = now;
    }
    return it->second;
  }
  int64_t WindowGrowth(const std::string& user_id, absl::Time window_start) {
    int64_t total = 0;
    for (const auto& [id, order] : orders_) {
      if (order.user_id == user_id && !order.reversed_at && order.paid_at > window_start) {
        total += order.growth - order.growth_reversed;
      }
    }
    return total;
  }
  void Decide(Member& member, absl::Time now, absl::Time window_start, const TierDecision& decide,
              TierChangeCause cause, GrowthOutcome& outcome) {
    outcome.window_growth = WindowGrowth(member.user_id, window_start);
    const Tier to = decide(member, outcome.window_growth);
    if (to != member.tier) {
      TierChange change{member.user_id, member.tier, to, outcome.window_growth, cause, now};
      history_.push_back(change);
      outcome.change = change;
      member.tier = to;
      member.tier_since = now;
    }
    outcome.member = member;
  }

  std::mutex mu_;
  TierTable tiers_;
  std::map<std::string, Member> members_;
  std::map<std::string, OrderGrowth> orders_;
  std::map<std::pair<std::string, std::string>, RefundOutcome> refunds_;
  std::vector<TierChange> history_;
};

}  // namespace zhongtai::user::testing
