// Product metrics and daily reports over PostgreSQL (migration 0006): visitors from behaviour_events (the product's
// index), sales from order_line_facts of the paid orders in order_facts, returns from refund_line_facts, SKUs mapped to
// products by sku_products, costs from sku_cost_history, low stock from stock_levels, points from points_facts
// (migration 0007); ProductMetricsComputed and DailyReportPublished events into the outbox
// (zt.events.datahub); the reports in daily_reports.
#pragma once

#include "common/pg/pool.h"
#include "services/datahub/domain/daily_report.h"
#include "services/datahub/domain/product_metrics.h"

namespace zhongtai::datahub {

class PgProductMetricsStore : public ProductMetricsStore, public DailyReportStore {
 public:
  explicit PgProductMetricsStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<ProductMetrics> Count(const ProductMetricsQuery& query) override;
  absl::StatusOr<int64_t> PublishDay(absl::Time start, absl::Time end, const std::string& currency,
                                     absl::Time computed_at) override;
  absl::StatusOr<std::vector<ProductSummary>> ListProducts(const ProductListStoreQuery& query) override;

  absl::StatusOr<std::vector<ProductSales>> TopProducts(absl::Time start, absl::Time end, const std::string& currency,
                                                        int limit) override;
  absl::StatusOr<std::vector<ExpiringCouponGroup>> CouponsExpiring(absl::Time from, absl::Time to) override;
  absl::StatusOr<LowStockList> LowStock(absl::Time sales_end, int64_t threshold, int limit) override;
  absl::StatusOr<PointsFigures> Points(absl::Time start, absl::Time end) override;
  absl::StatusOr<bool> Save(const DailyReport& report, const std::string& html) override;
  absl::StatusOr<std::optional<StoredReport>> Get(absl::CivilDay day) override;
  absl::StatusOr<std::vector<StoredReport>> List(std::optional<absl::CivilDay> before, int limit) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
