// The order center's use cases. Placing an order is a saga: quote (marketing), reserve (product),
// then persist the order with its outbox event; any failure undoes the finished steps in reverse.
// Every step is keyed by the order id, so retries and the sweeper can finish or undo it safely.
//
// The use cases that call other services are asynchronous: call them from a thread that may block (their first store
// step runs on it); no thread waits while another service answers, and `done` runs exactly once, on any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/saga.h"
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

class Orders {
 public:
  // Blocking work that follows a call to another service runs on `blocking` (the worker pool).
  Orders(OrderStore& store, ProductCatalog& catalog, PriceQuoter& quoter, Clock& clock, IdGenerator& ids,
         OrderObserver& observer, Executor& blocking, OrderSettings settings = {});

  void PlaceOrder(const PlaceOrderCommand& command, Callback<Order> done);
  absl::StatusOr<Order> GetOrder(const std::string& user_id, const std::string& order_id);
  absl::StatusOr<OrderPage> ListOrders(const std::string& user_id, int page_size, const std::string& page_token);
  void CancelOrder(const std::string& user_id, const std::string& order_id, const std::string& reason,
                   Callback<Order> done);

  // One pass of the background sweeper: cancels overdue unpaid orders, undoes interrupted sagas and retries stock
  // releases that failed. Returns orders touched. (Payments has its own sweeper for orders being paid.)
  // It waits for each order's steps, so it runs on a thread of its own (server::PeriodicTask), never on the worker
  // pool its steps continue on.
  int SweepOnce();

 private:
  struct Placement;
  using PlacementSaga = async::Saga<Placement>;

  absl::StatusOr<std::shared_ptr<Placement>> NewPlacement(const PlaceOrderCommand& command);
  std::vector<PlacementSaga::Step> PlacementSteps();
  void FetchPrices(Placement& placement, StatusCallback done);
  void QuotePrice(Placement& placement, StatusCallback done);
  void ReserveStock(Placement& placement, StatusCallback done);
  absl::Status CompletePlacement(Placement& placement);
  void RecordFailedPlacement(const Placement& placement, const absl::Status& error);
  // A repeat of a request id gets the first request's outcome, once there is one.
  void ReplayPlacement(const Order& existing, const std::string& fingerprint, Callback<Order> done);
  void AwaitFirstPlacement(const Order& current, absl::Time give_up, Callback<Order> done);

  void CancelAttempt(Order order, const std::string& reason, int attempt, Callback<Order> done);
  void CancelAndRelease(const std::string& order_id, OrderStatus from, const std::string& reason, StatusCallback done);
  // Gives the order's stock back (product, then the store's note); a failure is logged for the sweeper to retry.
  void ReleaseStock(const std::string& order_id, std::function<void()> done);

  OrderStore& store_;
  ProductCatalog& catalog_;
  PriceQuoter& quoter_;
  Clock& clock_;
  IdGenerator& ids_;
  OrderObserver& observer_;
  Executor& blocking_;
  OrderSettings settings_;
};

// Validates and merges repeated SKUs (quantities add up); field names are the API's, e.g. "lines[1].quantity".
absl::StatusOr<std::vector<LineRequest>> NormalizeLines(const std::vector<LineRequest>& lines, int max_lines,
                                                        int64_t max_quantity);
// The buyer's own visible order; another user's order answers exactly like a missing one (ORDER_NOT_FOUND).
absl::StatusOr<Order> LoadOwnOrder(OrderStore& store, const std::string& user_id, const std::string& order_id);

std::string RequestFingerprint(const std::vector<LineRequest>& normalized_lines, const std::string& channel);

}  // namespace zhongtai::order
