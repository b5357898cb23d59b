// OrderImportStore over the order service's PostgreSQL database: the claim is the primary key of order_imports, so
// of concurrent imports of one marketplace order exactly one inserts it.
#pragma once

#include "common/pg/pool.h"
#include "services/order/domain/order_import.h"

namespace zhongtai::order {

class PgOrderImportStore : public OrderImportStore {
 public:
  explicit PgOrderImportStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::string> Claim(const std::string& channel, const std::string& external_order_id,
                                    const std::string& order_id, absl::Time now) override;
  absl::StatusOr<bool> Reclaim(const std::string& channel, const std::string& external_order_id,
                               const std::string& failed_order_id, const std::string& order_id) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::order
