// The dashboard's figures from PostgreSQL: orders from order_facts, traffic from the hourly rollup of behaviour
// events (never the raw events), each grouped by shop day and channel in one pass (GROUPING SETS).
#pragma once

#include "common/pg/pool.h"
#include "services/datahub/domain/kpi_dashboard.h"

namespace zhongtai::datahub {

class PgDashboardStore : public DashboardStore {
 public:
  explicit PgDashboardStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<DashboardBreakdown> Breakdown(const std::string& currency, const TimeRange& range,
                                               const std::vector<ShopDay>& days) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
