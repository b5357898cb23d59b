// Order facts in PostgreSQL: written by the event consumer inside its inbox transaction, summed
// for the dashboard.
#pragma once

#include "common/pg/pool.h"
#include "services/datahub/domain/dashboard.h"

namespace zhongtai::datahub {

class PgOrderFactStore : public OrderFactStore {
 public:
  explicit PgOrderFactStore(pg::Pool& pool) : pool_(pool) {}

  // Upserts the fact of event.order_id with the same rules as Apply(); idempotent.
  static void Record(pqxx::work& tx, const OrderEvent& event);

  absl::StatusOr<DashboardTotals> Totals(const DashboardQuery& query) override;
  // The stored fact, for tests and support; nullopt when unknown.
  absl::StatusOr<std::optional<OrderFact>> Find(const std::string& order_id);

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::datahub
