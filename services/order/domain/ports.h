// What the order domain needs from the outside world. Implementations: store/ (PostgreSQL),
// clients/ (gRPC), the service's worker pool (Executor), and in-memory fakes in tests/.
//
// Threads: the store blocks and is called only from threads that may block (a worker, or the sweeper's own thread).
// Other services are called asynchronously: the call returns at once and its callback (async::Callback) runs later on a
// thread that must not block (gRPC's), or inline in tests; work after it that touches the store continues on the
// Executor (async::On).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/async/callback.h"
#include "common/clock/clock.h"
#include "services/order/domain/order.h"

namespace zhongtai::order {

using async::Callback;
using async::Executor;
using async::StatusCallback;

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  virtual std::string NewOrderId() = 0;
  virtual std::string NewPaymentId() = 0;
};

struct SkuInfo {
  std::string sku_id;
  int64_t unit_price = 0;
  std::string currency;
};

struct PricedLine {
  std::string sku_id;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  std::string currency;
};

struct Quote {
  int64_t subtotal = 0;
  int64_t discount = 0;
  int64_t total = 0;
  std::vector<OrderLine> lines;  // same order as the request
};

// The product service: prices and stock reservations keyed by order id. Reserve, Confirm and
// Release are idempotent for the same order id. Asynchronous: see the top of this file.
class ProductCatalog {
 public:
  virtual ~ProductCatalog() = default;
  virtual void GetSkus(const std::vector<std::string>& sku_ids, Callback<std::vector<SkuInfo>> done) = 0;
  virtual void Reserve(const std::string& order_id, const std::vector<LineRequest>& lines, absl::Duration ttl,
                       StatusCallback done) = 0;
  virtual void Confirm(const std::string& order_id, StatusCallback done) = 0;
  // NOT_FOUND (nothing was reserved) counts as released.
  virtual void Release(const std::string& order_id, StatusCallback done) = 0;
};

// The marketing service's price quote. Asynchronous: see the top of this file.
class PriceQuoter {
 public:
  virtual ~PriceQuoter() = default;
  virtual void QuotePrice(const std::string& user_id, const std::vector<PricedLine>& lines, Callback<Quote> done) = 0;
};

struct Payment {
  std::string payment_id;
  std::string order_id;
  int64_t amount = 0;
  std::string currency;
  std::string provider;
  absl::Time paid_at;
};

struct OrderPage {
  std::vector<Order> orders;
  std::string next_cursor;  // empty at the end
};

class OrderStore {
 public:
  virtual ~OrderStore() = default;

  // Inserts `draft` in CREATING unless the user already used the request id. Returns nullopt when
  // inserted, else the order the request id belongs to (in whatever state it is).
  virtual absl::StatusOr<std::optional<Order>> BeginPlacement(const Order& draft) = 0;
  // CREATING -> PENDING_PAYMENT with the priced lines; writes OrderPlaced to the outbox.
  virtual absl::Status CompletePlacement(const Order& order) = 0;
  // CREATING -> FAILED, remembering the error for retries of the same request id.
  virtual absl::Status FailPlacement(const std::string& order_id, const absl::Status& error, absl::Time now) = 0;

  virtual absl::StatusOr<Order> Get(const std::string& order_id) = 0;
  // Visible orders of a user, newest first.
  virtual absl::StatusOr<OrderPage> ListByUser(const std::string& user_id, int limit, const std::string& cursor) = 0;

  // PENDING_PAYMENT -> PAYING if the deadline has not passed. False when the order was not in that state.
  virtual absl::StatusOr<bool> ClaimForPayment(const std::string& order_id, absl::Time now) = 0;
  // PAYING -> PAID with the payment record (one per order) and OrderPaid in the outbox.
  virtual absl::StatusOr<bool> MarkPaid(const Payment& payment) = 0;
  // `from` -> CANCELLED with OrderCancelled in the outbox; the stock is then owed back (see MarkStockReleased).
  virtual absl::StatusOr<bool> Cancel(const std::string& order_id, OrderStatus from, const std::string& reason,
                                      absl::Time now) = 0;
  virtual absl::Status MarkStockReleased(const std::string& order_id) = 0;

  // For the sweeper: ids of orders in `status` last changed before `before`; unpaid orders past their
  // deadline; cancelled or failed orders whose stock was not yet given back.
  virtual absl::StatusOr<std::vector<std::string>> ListStale(OrderStatus status, absl::Time before, int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListPaymentOverdue(absl::Time now, int limit) = 0;
  virtual absl::StatusOr<std::vector<std::string>> ListUnreleased(int limit) = 0;
};

// Business counters, implemented with Prometheus outside the domain.
class OrderObserver {
 public:
  virtual ~OrderObserver() = default;
  virtual void OrderPlaced(const std::string& channel) {}
  virtual void PlacementFailed(const std::string& reason) {}
  virtual void PaymentFinished(const std::string& result) {}
};

}  // namespace zhongtai::order
