// ReturnStore over the order service's PostgreSQL database. A return is created and refunded in a transaction that
// locks its order's row (SELECT ... FOR UPDATE), so concurrent requests on the same order queue up and each one is
// drafted from the returns committed before it: a unit is never claimed, nor refunded, twice. Status changes are
// conditional UPDATEs (WHERE status = from) and write their history row and outbox event in the same transaction.
#pragma once

#include <string>
#include <vector>

#include "common/pg/pool.h"
#include "services/order/domain/after_sales_ports.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

// Where an exchange's replacement is held (empty until it is), as the return store and the shipment store read it.
std::vector<ReplacementHold> LoadReplacementHolds(pqxx::work& tx, const std::string& return_id);

class PgReturnStore : public ReturnStore {
 public:
  // `orders` reads an order's lines, shares and children, which never change once it was placed.
  PgReturnStore(pg::Pool& pool, OrderStore& orders) : pool_(pool), orders_(orders) {}

  absl::StatusOr<Created> Create(const std::string& order_id, const std::string& user_id, const std::string& request_id,
                                 const std::string& return_id, const Drafter& draft) override;
  absl::StatusOr<Return> Get(const std::string& return_id) override;
  absl::StatusOr<bool> Update(const Return& updated, ReturnStatus from) override;
  absl::StatusOr<bool> CompleteRefund(const Return& refunded, ReturnStatus from,
                                      const FullRefundRule& fully_refunded) override;
  absl::Status MarkRestocked(const std::string& return_id) override;
  absl::Status MarkReplacementHeld(const std::string& return_id, const std::vector<ReplacementHold>& holds) override;
  absl::StatusOr<std::vector<std::string>> ListEffectsDue(int limit) override;

 private:
  pg::Pool& pool_;
  OrderStore& orders_;
};

// The sweeper's condition in SQL (exposed so a test can hold it against RefundDue and RestockDue).
extern const char kEffectsDue[];

}  // namespace zhongtai::order
