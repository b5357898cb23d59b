// A test fake: facts in memory, folded with Apply and summed with Aggregate.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/datahub/domain/dashboard.h"

namespace zhongtai::datahub {

class InMemoryOrderFactStore : public OrderFactStore {
 public:
  void Record(const OrderEvent& event) {
    std::lock_guard<std::mutex> lock(mu_);
    Apply(event, &facts_[event.order_id]);
  }
  absl::StatusOr<DashboardTotals> Totals(const DashboardQuery& query) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    std::vector<OrderFact> facts;
    for (const auto& entry : facts_) facts.push_back(entry.second);
    return Aggregate(facts, query);
  }
  OrderFact fact(const std::string& id) {
    std::lock_guard<std::mutex> lock(mu_);
    return facts_.at(id);
  }
  int calls() {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, OrderFact> facts_;
  int calls_ = 0;
};

}  // namespace zhongtai::datahub
