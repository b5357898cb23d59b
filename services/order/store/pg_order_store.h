// OrderStore over the order service's own PostgreSQL database. State changes are conditional
// UPDATEs (WHERE status = from), so concurrent callers cannot both win a transition, and every
// visible change writes its history row and outbox event in the same transaction.
#pragma once

#include "common/pg/pool.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

inline constexpr char kOrderEventStream[] = "zt.events.order";

class PgOrderStore : public OrderStore {
 public:
  explicit PgOrderStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::optional<Order>> BeginPlacement(const Order& draft, int max_open_orders = 0) override;
  absl::Status CompletePlacement(const Order& order) override;
  absl::Status FailPlacement(const std::string& order_id, const absl::Status& error, absl::Time now) override;
  absl::StatusOr<Order> Get(const std::string& order_id) override;
  absl::StatusOr<OrderPage> ListByUser(const std::string& user_id, int limit, const std::string& cursor) override;
  absl::StatusOr<bool> HasPaidOrder(const std::string& user_id) override;
  absl::StatusOr<bool> ClaimForPayment(const std::string& order_id, absl::Time now) override;
  absl::StatusOr<bool> MarkPaid(const Payment& payment) override;
  absl::StatusOr<bool> Cancel(const std::string& order_id, OrderStatus from, const std::string& reason,
                              absl::Time now) override;
  absl::Status MarkHoldsReleased(const std::string& order_id) override;
  absl::Status MarkPaidEffectsApplied(const std::string& order_id, absl::Time now) override;
  absl::StatusOr<std::vector<std::string>> ListStale(OrderStatus status, absl::Time before, int limit) override;
  absl::StatusOr<std::vector<std::string>> ListPaymentOverdue(absl::Time now, int limit) override;
  absl::StatusOr<std::vector<std::string>> ListUnreleased(int limit) override;
  absl::StatusOr<std::vector<std::string>> ListPaidEffectsPending(absl::Time paid_before, int limit) override;

 private:
  absl::StatusOr<std::vector<std::string>> ListIds(const std::string& sql, const std::vector<std::string>& params);
  pg::Pool& pool_;
};

}  // namespace zhongtai::order
