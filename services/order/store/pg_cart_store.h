// CartStore over the order service's PostgreSQL database. Every change locks the buyer's row in `carts` first, so
// the rules (domain/cart.h) run on a cart no one else changes meanwhile; what they changed is written back as it is.
#pragma once

#include "common/pg/pool.h"
#include "services/order/domain/cart.h"

namespace zhongtai::order {

class PgCartStore : public CartStore {
 public:
  explicit PgCartStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<Cart> Load(const std::string& user_id) override;
  absl::Status Modify(const std::string& user_id, const std::function<absl::Status(Cart&)>& change) override;
  absl::StatusOr<std::vector<LineRequest>> RecordCheckout(
      const std::string& user_id, const std::string& request_id, absl::Time now,
      const std::function<absl::StatusOr<std::vector<LineRequest>>(const Cart&)>& pick) override;
  absl::StatusOr<bool> FinishCheckout(const std::string& user_id, const std::string& request_id,
                                      const std::string& order_id, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::order
