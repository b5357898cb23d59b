// The order center's use cases. Placing an order is a saga: quote (marketing), reserve (product),
// then persist the order with its outbox event; any failure undoes the finished steps in reverse.
// Every step is keyed by the order id, so retries and the sweeper can finish or undo it safely.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/order/domain/order.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

struct OrderSettings {
  absl::Duration payment_timeout = absl::Minutes(15);
  // Reservations outlive the payment deadline by this much, so the order's own timeout releases them first.
  absl::Duration reservation_grace = absl::Minutes(5);
  // A saga or payment step untouched this long was interrupted (crash); the sweeper finishes or undoes it.
  absl::Duration stale_after = absl::Seconds(30);
  // How long a duplicate request waits for the first one to finish; below the gateway's upstream
  // deadline (5 s), so the caller gets ORDER_IN_PROGRESS rather than a timeout.
  absl::Duration duplicate_wait = absl::Seconds(3);
  int max_lines = 50;
  int64_t max_quantity = 9999;
};

struct PlaceOrderCommand {
  std::string user_id;
  std::string request_id;
  std::vector<LineRequest> lines;
  std::string channel;
};

// Pays through a payment provider; the local one always succeeds. Charge is idempotent per order.
class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual std::string name() const = 0;
  virtual absl::Status Charge(const std::string& order_id, int64_t amount, const std::string& currency) = 0;
};

class LocalPaymentProvider : public PaymentProvider {
 public:
  std::string name() const override { return "local"; }
  absl::Status Charge(const std::string&, int64_t, const std::string&) override { return absl::OkStatus(); }
};

class Orders {
 public:
  Orders(OrderStore& store, ProductCatalog& catalog, PriceQuoter& quoter, PaymentProvider& payments, Clock& clock,
         IdGenerator& ids, OrderObserver& observer, OrderSettings settings = {});

  absl::StatusOr<Order> PlaceOrder(const PlaceOrderCommand& command);
  absl::StatusOr<Order> GetOrder(const std::string& user_id, const std::string& order_id);
  absl::StatusOr<OrderPage> ListOrders(const std::string& user_id, int page_size, const std::string& page_token);
  // Paying twice returns the paid order; paying a cancelled or overdue order is FAILED_PRECONDITION.
  absl::StatusOr<Order> PayOrder(const std::string& user_id, const std::string& order_id);
  absl::StatusOr<Order> CancelOrder(const std::string& user_id, const std::string& order_id, const std::string& reason);

  // One pass of the background sweeper: cancels overdue unpaid orders, undoes interrupted sagas,
  // finishes interrupted payments and retries stock releases that failed. Returns orders touched.
  int SweepOnce();

 private:
  absl::StatusOr<Order> RunPlacementSaga(Order order, const std::vector<LineRequest>& lines);
  absl::StatusOr<Order> ReplayPlacement(const Order& existing, const std::string& fingerprint);
  absl::StatusOr<Order> FinishPayment(const std::string& order_id);
  absl::StatusOr<Order> LoadOwnOrder(const std::string& user_id, const std::string& order_id);
  absl::Status CancelAndRelease(const std::string& order_id, OrderStatus from, const std::string& reason);
  void ReleaseStock(const std::string& order_id);

  OrderStore& store_;
  ProductCatalog& catalog_;
  PriceQuoter& quoter_;
  PaymentProvider& payments_;
  Clock& clock_;
  IdGenerator& ids_;
  OrderObserver& observer_;
  OrderSettings settings_;
};

// Validates and merges repeated SKUs (quantities add up); field names are the API's, e.g. "lines[1].quantity".
absl::StatusOr<std::vector<LineRequest>> NormalizeLines(const std::vector<LineRequest>& lines, int max_lines,
                                                        int64_t max_quantity);
std::string RequestFingerprint(const std::vector<LineRequest>& normalized_lines, const std::string& channel);

}  // namespace zhongtai::order
