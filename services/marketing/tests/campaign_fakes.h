// In-memory fakes for the campaign ports: budgets (one mutex stands for the row locks, the rules are budget.h's)
// and a calendar source over the in-memory promotion store.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/status/status.h"
#include "services/marketing/domain/budget.h"
#include "services/marketing/domain/campaign_calendar.h"
#include "services/marketing/domain/coupon_issue.h"
#include "services/marketing/domain/experiment.h"
#include "services/marketing/tests/fakes.h"

namespace zhongtai::marketing::testing {

class InMemoryBudgetStore : public BudgetStore {
 public:
  void SetBudget(const Budget& budget) {
    std::lock_guard<std::mutex> lock(mu_);
    budgets_[budget.key] = budget;
  }
  std::optional<int64_t> Remaining(const BudgetKey& key) {
    std::lock_guard<std::mutex> lock(mu_);
    return budgets_.at(key).remaining;
  }
  absl::StatusOr<OrderBudget> Charge(const std::string& order_id, const std::vector<BudgetCharge>& charges,
                                     absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = orders_.find(order_id);
    if (found != orders_.end()) return ReplayCharge(found->second);
    std::map<BudgetKey, Budget> after = budgets_;
    for (const BudgetCharge& c : charges) {
      auto budget = after.find(c.key);
      if (budget == after.end()) return NotFound("BUDGET_OWNER_NOT_FOUND", "no such promotion or coupon template");
      ASSIGN_OR_RETURN(budget->second, Charged(budget->second, c));
    }
    budgets_ = std::move(after);
    OrderBudget held{order_id, OrderBudgetState::kCharged, charges};
    orders_[order_id] = held;
    return held;
  }
  absl::StatusOr<std::vector<BudgetCharge>> Release(const std::string& order_id, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    OrderBudget& order = orders_[order_id];
    if (order.order_id.empty()) {
      order = OrderBudget{order_id, OrderBudgetState::kReleased, {}};
      return std::vector<BudgetCharge>();
    }
    if (order.state == OrderBudgetState::kReleased) return std::vector<BudgetCharge>();
    for (const BudgetCharge& c : order.charges) budgets_[c.key] = Released(budgets_[c.key], c);
    order.state = OrderBudgetState::kReleased;
    return order.charges;
  }

 private:
  std::mutex mu_;
  std::map<BudgetKey, Budget> budgets_;
  std::map<std::string, OrderBudget> orders_;
};

// The promotions of an in-memory store on the calendar.
class InMemoryPromotionCalendar : public CalendarSource {
 public:
  explicit InMemoryPromotionCalendar(InMemoryPromotionStore& store) : store_(store) {}
  absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) override {
    ASSIGN_OR_RETURN(std::vector<Promotion> all, store_.List("", 100000));
    std::vector<CalendarItem> out;
    for (const Promotion& p : all) {
      if (p.start_time < to && p.end_time > from) out.push_back(CalendarItemOf(p));
    }
    return out;
  }

 private:
  InMemoryPromotionStore& store_;
};

// The user center's segments: members per tag or tier, paged by position. Fails the calls listed in fail_at_call.
class FakeSegmentDirectory : public SegmentDirectory {
 public:
  void SetMembers(const std::string& key, std::vector<std::string> user_ids) {
    std::lock_guard<std::mutex> lock(mu_);
    members_[key] = std::move(user_ids);
  }
  absl::StatusOr<MemberPage> ListMembers(const Segment& segment, int page_size,
                                         const std::string& page_token) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    if (calls_ == fail_at_call) return Unavailable("UPSTREAM_UNAVAILABLE", "the user center is down");
    const std::vector<std::string>& all = members_[segment.tag.empty() ? segment.tier : segment.tag];
    size_t from = page_token.empty() ? 0 : std::stoul(page_token);
    MemberPage page;
    for (size_t i = from; i < all.size() && i < from + page_size; ++i) page.user_ids.push_back(all[i]);
    if (from + page_size < all.size()) page.next_page_token = std::to_string(from + page_size);
    return page;
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  int fail_at_call = -1;

 private:
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> members_;
  int calls_ = 0;
};

// Issue jobs and the coupons they give, with DecideIssue under one mutex.
class InMemoryCouponIssueStore : public CouponIssueStore {
 public:
  void AddTemplate(const CouponTemplate& t) {
    std::lock_guard<std::mutex> lock(mu_);
    templates_[t.template_id] = t;
  }
  absl::StatusOr<CreateResult> Create(const CouponIssue& issue, absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto t = templates_.find(issue.template_id);
    if (t == templates_.end()) return NotFound("COUPON_TEMPLATE_NOT_FOUND", "no such coupon template");
    for (const auto& [id, existing] : issues_) {
      if (existing.issue.request_id == issue.request_id) return CreateResult{existing.issue, false};
    }
    RETURN_IF_ERROR(CheckIssuable(t->second, now));
    issues_[issue.issue_id] = Job{issue, absl::InfinitePast()};
    return CreateResult{issue, true};
  }
  absl::StatusOr<std::optional<CouponIssue>> TakeRunnable(absl::Time now, absl::Duration lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [id, job] : issues_) {
      if (job.issue.state == CouponIssueState::kRunning && job.lease_until <= now) {
        job.lease_until = now + lease;
        return std::optional<CouponIssue>(job.issue);
      }
    }
    return std::optional<CouponIssue>();
  }
  absl::StatusOr<IssueOutcome> IssueOne(const CouponIssue& issue, const std::string& user_id,
                                        const std::string& coupon_id, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    CouponTemplate& t = templates_.at(issue.template_id);
    if (given_.count({user_id, IssueClaimKey(issue.issue_id)}) > 0) return IssueOutcome::kAlreadyIssued;
    IssueOutcome outcome = DecideIssue(t, held_[{issue.template_id, user_id}]);
    if (outcome != IssueOutcome::kIssued) return outcome;
    ++t.claimed_quantity;
    ++held_[{issue.template_id, user_id}];
    given_[{user_id, IssueClaimKey(issue.issue_id)}] = coupon_id;
    return outcome;
  }
  absl::Status SaveProgress(const CouponIssue& issue, absl::Time now, absl::Duration lease) override {
    std::lock_guard<std::mutex> lock(mu_);
    issues_[issue.issue_id] = Job{issue, now + lease};
    return absl::OkStatus();
  }
  // Users the user center's claim gave one of the template before any issue.
  void SetHeld(const std::string& template_id, const std::string& user_id, int64_t n) {
    std::lock_guard<std::mutex> lock(mu_);
    held_[{template_id, user_id}] = n;
  }
  CouponIssue Issue(const std::string& issue_id) {
    std::lock_guard<std::mutex> lock(mu_);
    return issues_.at(issue_id).issue;
  }
  int64_t CouponsGiven() {
    std::lock_guard<std::mutex> lock(mu_);
    return static_cast<int64_t>(given_.size());
  }

 private:
  struct Job {
    CouponIssue issue;
    absl::Time lease_until;
  };
  std::mutex mu_;
  std::map<std::string, CouponTemplate> templates_;
  std::map<std::string, Job> issues_;
  std::map<std::pair<std::string, std::string>, int64_t> held_;
  std::map<std::pair<std::string, std::string>, std::string> given_;
};

class InMemoryExperimentStore : public ExperimentStore {
 public:
  absl::StatusOr<CreateResult> Create(const Experiment& e) override {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, existing] : experiments_) {
      if (existing.request_id == e.request_id) return CreateResult{existing, false};
    }
    experiments_[e.experiment_id] = e;
    return CreateResult{e, true};
  }
  absl::StatusOr<std::vector<Experiment>> List(const std::string& before_id, int limit) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Experiment> out;
    for (auto it = experiments_.rbegin(); it != experiments_.rend() && static_cast<int>(out.size()) < limit; ++it) {
      if (before_id.empty() || it->first < before_id) out.push_back(it->second);
    }
    return out;
  }
  absl::StatusOr<std::vector<Experiment>> ListRunning(absl::Time now) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::vector<Experiment> out;
    for (const auto& [id, e] : experiments_) {
      if (e.start_time <= now && now < e.end_time) out.push_back(e);
    }
    return out;
  }
  absl::Status RecordExposure(const Exposure& exposure, const std::string& user_id, absl::Time) override {
    std::lock_guard<std::mutex> lock(mu_);
    exposures_.emplace(std::make_pair(exposure.experiment_id, user_id), exposure.arm);
    return absl::OkStatus();
  }
  std::map<std::pair<std::string, std::string>, std::string> exposures() {
    std::lock_guard<std::mutex> lock(mu_);
    return exposures_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, Experiment> experiments_;
  std::map<std::pair<std::string, std::string>, std::string> exposures_;
};

// The product center's SKU facts, in memory; counts the calls (a quote makes at most one per round of gifts).
class FakeProductSkus : public ProductSkus {
 public:
  void Put(const std::string& sku_id, int64_t list_price, int64_t available, bool on_sale = true) {
    std::lock_guard<std::mutex> lock(mu_);
    skus_[sku_id] = {true, on_sale, "CNY", list_price, available};
  }
  void SetDown(bool down) {
    std::lock_guard<std::mutex> lock(mu_);
    down_ = down;
  }
  // What the warehouses shipping to `province_code` have of a SKU (Put's figure is over all warehouses).
  void PutInProvince(const std::string& sku_id, const std::string& province_code, int64_t available) {
    std::lock_guard<std::mutex> lock(mu_);
    in_province_[{sku_id, province_code}] = available;
  }
  absl::StatusOr<std::map<std::string, SkuFacts>> Get(const std::vector<std::string>& sku_ids,
                                                      const ShipTo& ship_to) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    asked_.push_back(sku_ids);
    if (down_) return absl::UnavailableError("product center down");
    std::map<std::string, SkuFacts> out;
    for (const std::string& id : sku_ids) {
      auto it = skus_.find(id);
      out[id] = it == skus_.end() ? SkuFacts{} : it->second;
      auto regional = in_province_.find({id, ship_to.province_code});
      if (!ship_to.province_code.empty() && regional != in_province_.end()) out[id].available = regional->second;
    }
    return out;
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<std::vector<std::string>> asked() {
    std::lock_guard<std::mutex> lock(mu_);
    return asked_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, SkuFacts> skus_;
  std::map<std::pair<std::string, std::string>, int64_t> in_province_;
  bool down_ = false;
  int calls_ = 0;
  std::vector<std::vector<std::string>> asked_;
};

}  // namespace zhongtai::marketing::testing
