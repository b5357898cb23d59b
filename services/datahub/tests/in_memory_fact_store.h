// A test fake: facts in memory, folded with Apply and summed with Aggregate (the old totals) or BreakdownOrders (the
// dashboard), with traffic figures a test sets.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "services/datahub/domain/dashboard.h"
#include "services/datahub/domain/kpi_dashboard.h"

namespace zhongtai::datahub {

class InMemoryOrderFactStore : public OrderFactStore, public DashboardStore {
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
  absl::StatusOr<DashboardBreakdown> Breakdown(const std::string& currency, const TimeRange& range,
                                               const std::vector<ShopDay>& days) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++calls_;
    last_days_ = days;
    std::vector<OrderFact> facts;
    for (const auto& entry : facts_) facts.push_back(entry.second);
    DashboardBreakdown out = BreakdownOrders(facts, currency, range, days);
    out.total.page_views = traffic.total.page_views;
    out.total.visitors = traffic.total.visitors;
    for (const auto& [day, f] : traffic.by_day) {
      out.by_day[day].page_views = f.page_views;
      out.by_day[day].visitors = f.visitors;
    }
    for (const auto& [channel, f] : traffic.by_channel) {
      out.by_channel[channel].page_views = f.page_views;
      out.by_channel[channel].visitors = f.visitors;
    }
    return out;
  }
  std::vector<ShopDay> last_days() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_days_;
  }
  // Page views and visitors per level, as the rollup would give them.
  DashboardBreakdown traffic;

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
  std::vector<ShopDay> last_days_;
};

}  // namespace zhongtai::datahub
