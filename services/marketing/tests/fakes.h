// In-memory fakes of the marketing domain's ports, for unit tests.
#pragma once

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing::testing {

class InMemoryPromotionStore : public PromotionStore {
 public:
  absl::StatusOr<CreateResult> Create(const Promotion& promotion) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, p] : promotions_) {
      if (p.request_id == promotion.request_id) return CreateResult{p, false};
    }
    promotions_[promotion.promotion_id] = promotion;
    return CreateResult{promotion, true};
  }
  absl::StatusOr<std::vector<Promotion>> List(const std::string& before_id, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Promotion> out;
    for (auto it = promotions_.rbegin(); it != promotions_.rend() && static_cast<int>(out.size()) < limit; ++it) {
      if (before_id.empty() || it->first < before_id) out.push_back(it->second);
    }
    return out;
  }
  absl::StatusOr<std::vector<Promotion>> ListOverlapping(absl::Time from, absl::Time to) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Promotion> out;
    for (const auto& [id, p] : promotions_) {
      if (p.start_time < to && from < p.end_time) out.push_back(p);
    }
    return out;
  }
  absl::StatusOr<Promotion> Get(const std::string& promotion_id) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = promotions_.find(promotion_id);
    if (it == promotions_.end()) return NotFound("PROMOTION_NOT_FOUND", "no such promotion");
    return it->second;
  }
  absl::StatusOr<Promotion> Update(const Promotion& promotion) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = promotions_.find(promotion.promotion_id);
    if (it == promotions_.end()) return NotFound("PROMOTION_NOT_FOUND", "no such promotion");
    Promotion stored = promotion;
    stored.request_id = it->second.request_id;
    stored.currency = it->second.currency;
    stored.created_at = it->second.created_at;
    stored.budget_remaining = it->second.budget_remaining;
    it->second = stored;
    return stored;
  }
  int size() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int>(promotions_.size());
  }

 private:
  std::mutex mu_;
  std::map<std::string, Promotion> promotions_;
};

using FakeClock = zhongtai::FakeClock;

class SequentialIds : public IdGenerator {
 public:
  std::string NewPromotionId() override { return absl::StrFormat("pr_%06d", ++next_); }
  std::string NewCouponTemplateId() override { return absl::StrFormat("ct_%06d", ++next_); }
  std::string NewCouponId() override { return absl::StrFormat("cp_%06d", ++next_); }
  std::string NewCouponIssueId() override { return absl::StrFormat("ci_%06d", ++next_); }
  std::string NewExperimentId() override { return absl::StrFormat("ex_%06d", ++next_); }

 private:
  std::atomic<int> next_{0};
};

}  // namespace zhongtai::marketing::testing
