// Order facts and the KPI dashboard over them. Plain C++: no protobuf, gRPC or SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::datahub {

enum class OrderEventKind { kPlaced, kPaid, kCancelled, kRefunded };

// One order event as the data hub needs it, decoded from zhongtai.order.v1.Order{Placed,Paid,Cancelled,Refunded}.
struct OrderEvent {
  OrderEventKind kind = OrderEventKind::kPlaced;
  std::string order_id;
  absl::Time at;
  std::string currency;      // placed and paid
  int64_t amount_minor = 0;  // placed: order total; paid: amount paid; refunded: amount refunded
  std::string user_id;       // the buyer
  std::string channel;       // placed: where it was ordered (web, app, ...)
  // placed: the order's lines (units and the money paid for them); refunded: the units refunded and their money.
  struct Line {
    std::string sku_id;
    int64_t quantity = 0;
    int64_t amount_minor = 0;
  };
  std::vector<Line> lines;
  std::string refund_id;  // refunded: the after-sales request, else the event id
};

// What the data hub knows of one order. Events may arrive late, twice or out of order: each
// milestone keeps its first value.
struct OrderFact {
  std::string order_id;
  std::optional<absl::Time> placed_at;
  std::optional<absl::Time> paid_at;
  std::optional<absl::Time> cancelled_at;
  int64_t total_minor = 0;
  int64_t paid_minor = 0;
  std::string currency;
  std::string channel;
  std::string user_id;
  std::optional<absl::Time> refunded_at;  // the first refund
  int64_t refunded_minor = 0;             // every refund added up (each event once: the inbox dedupes)
};

// Folds an event into the fact for the same order (a refund adds its amount: call it once per refund event).
void Apply(const OrderEvent& event, OrderFact* fact);

struct DashboardQuery {
  absl::Time start_time;  // inclusive
  absl::Time end_time;    // exclusive
  std::string currency = "CNY";
};

struct DashboardTotals {
  int64_t orders_placed = 0;  // placed_at in range
  int64_t orders_paid = 0;    // paid_at in range
  int64_t orders_cancelled = 0;
  int64_t gmv_minor = 0;       // total of the orders placed in range
  int64_t paid_gmv_minor = 0;  // amount paid by the orders paid in range
};

struct Dashboard {
  DashboardQuery query;
  DashboardTotals totals;
  int64_t average_order_value_minor = 0;  // paid GMV / orders paid, half up; 0 when none
};

// The totals of `facts` for `query` (what a store computes in SQL).
DashboardTotals Aggregate(const std::vector<OrderFact>& facts, const DashboardQuery& query);

// paid_gmv / orders_paid rounded half up to the fen; 0 when no order was paid.
int64_t AverageOrderValue(int64_t paid_gmv_minor, int64_t orders_paid);

class OrderFactStore {
 public:
  virtual ~OrderFactStore() = default;
  virtual absl::StatusOr<DashboardTotals> Totals(const DashboardQuery& query) = 0;
};

class Analytics {
 public:
  explicit Analytics(OrderFactStore& facts) : facts_(facts) {}
  // INVALID_ARGUMENT (field endTime, INVALID_TIME_RANGE) unless end_time > start_time; (field
  // currency, INVALID_CURRENCY) unless the currency is three capital letters.
  absl::StatusOr<Dashboard> GetDashboard(const DashboardQuery& query);

 private:
  OrderFactStore& facts_;
};

}  // namespace zhongtai::datahub
