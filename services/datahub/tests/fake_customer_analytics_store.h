// Test fakes of the customer analytics ports: histories and paid orders set by the test, counted with the
// domain's own rules, and a lease that remembers the days done.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "services/datahub/domain/analytics_ports.h"

namespace zhongtai::datahub {

class FakeCustomerAnalyticsStore : public CustomerAnalyticsStore {
 public:
  absl::StatusOr<CohortCounts> CountCohorts(CohortPeriod period, absl::Time start, absl::Time end,
                                            const std::string&) override {
    std::map<std::string, absl::Time> first;
    for (const PaidOrder& o : orders) {
      auto [it, inserted] = first.emplace(o.user_id, o.paid_at);
      if (!inserted && o.paid_at < it->second) it->second = o.paid_at;
    }
    std::vector<PaidOrder> in_range;
    for (const PaidOrder& o : orders) {
      if (first[o.user_id] >= start && first[o.user_id] < end) in_range.push_back(o);
    }
    CohortCounts counts;
    datahub::CountCohorts(in_range, period, &counts.sizes, &counts.activity);
    return counts;
  }
  absl::StatusOr<std::vector<CustomerHistory>> CustomerHistories(const std::string&, absl::Time) override {
    return customers;
  }
  absl::StatusOr<std::vector<ArmOutcome>> ExperimentOutcomes(const std::string&, const std::string&) override {
    return arms;
  }
  absl::StatusOr<int64_t> SaveSegments(const std::vector<CustomerSegments>& segments, absl::Time) override {
    saved = segments;
    return static_cast<int64_t>(segments.size());
  }

  std::vector<PaidOrder> orders;
  std::vector<CustomerHistory> customers;
  std::vector<ArmOutcome> arms;
  std::vector<CustomerSegments> saved;
};

class FakeDailyRunLease : public DailyRunLease {
 public:
  absl::StatusOr<bool> TryAcquire(const std::string& job, const std::string& day, const std::string& owner,
                                  absl::Time now, absl::Time until) override {
    if (done_.count({job, day})) return false;
    auto it = leases_.find(job);
    if (it != leases_.end() && it->second.first != owner && it->second.second > now) return false;
    leases_[job] = {owner, until};
    return true;
  }
  absl::Status Complete(const std::string& job, const std::string& day, const std::string&) override {
    done_.insert({job, day});
    return absl::OkStatus();
  }

 private:
  std::map<std::string, std::pair<std::string, absl::Time>> leases_;
  std::set<std::pair<std::string, std::string>> done_;
};

}  // namespace zhongtai::datahub
