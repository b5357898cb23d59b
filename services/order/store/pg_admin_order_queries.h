// AdminOrderQueries over the order service's PostgreSQL database: one statement a page, keyset on
// (created_at, order_id) descending (indexes orders_by_created and orders_by_status_created).
#pragma once

#include "common/pg/pool.h"
#include "services/order/domain/order_admin.h"

namespace zhongtai::order {

class PgAdminOrderQueries : public AdminOrderQueries {
 public:
  explicit PgAdminOrderQueries(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<OrderSummaryPage> ListOrders(const AdminOrderFilter& filter, int limit,
                                              const std::string& cursor) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::order
