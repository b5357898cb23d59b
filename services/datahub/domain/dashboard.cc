#include "services/datahub/domain/dashboard.h"

#include "common/status/status.h"

namespace zhongtai::datahub {
namespace {

bool InRange(const std::optional<absl::Time>& t, const DashboardQuery& query) {
  return t.has_value() && *t >= query.start_time && *t < query.end_time;
}

bool ValidCurrency(const std::string& currency) {
  if (currency.size() != 3) return false;
  for (char c : currency) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

}  // namespace

void Apply(const OrderEvent& event, OrderFact* fact) {
  if (fact->order_id.empty()) fact->order_id = event.order_id;
  if (fact->currency.empty()) fact->currency = event.currency;
  switch (event.kind) {
    case OrderEventKind::kPlaced:
      if (!fact->placed_at.has_value()) {
        fact->placed_at = event.at;
        fact->total_minor = event.amount_minor;
      }
      break;
    case OrderEventKind::kPaid:
      if (!fact->paid_at.has_value()) {
        fact->paid_at = event.at;
        fact->paid_minor = event.amount_minor;
      }
      break;
    case OrderEventKind::kCancelled:
      if (!fact->cancelled_at.has_value()) fact->cancelled_at = event.at;
      break;
    case OrderEventKind::kRefunded:
      if (!fact->refunded_at.has_value() || event.at < *fact->refunded_at) fact->refunded_at = event.at;
      fact->refunded_minor += event.amount_minor;
      break;
  }
  if (fact->channel.empty()) fact->channel = event.channel;
  if (fact->user_id.empty()) fact->user_id = event.user_id;
}

DashboardTotals Aggregate(const std::vector<OrderFact>& facts, const DashboardQuery& query) {
  DashboardTotals totals;
  for (const OrderFact& fact : facts) {
    if (fact.currency != query.currency) continue;
    if (InRange(fact.placed_at, query)) {
      ++totals.orders_placed;
      totals.gmv_minor += fact.total_minor;
    }
    if (InRange(fact.paid_at, query)) {
      ++totals.orders_paid;
      totals.paid_gmv_minor += fact.paid_minor;
    }
    if (InRange(fact.cancelled_at, query)) ++totals.orders_cancelled;
  }
  return totals;
}

int64_t AverageOrderValue(int64_t paid_gmv_minor, int64_t orders_paid) {
  if (orders_paid <= 0) return 0;
  int64_t quotient = paid_gmv_minor / orders_paid;
  int64_t remainder = paid_gmv_minor % orders_paid;
  // Half up, without overflowing on 2 * remainder for huge totals.
  if (remainder >= 0 && remainder >= orders_paid - remainder) ++quotient;
  if (remainder < 0 && -remainder > orders_paid + remainder) --quotient;
  return quotient;
}

absl::StatusOr<Dashboard> Analytics::GetDashboard(const DashboardQuery& query) {
  if (query.end_time <= query.start_time) {
    return InvalidArgument("endTime", "INVALID_TIME_RANGE", "end_time must be after start_time");
  }
  if (!ValidCurrency(query.currency)) {
    return InvalidArgument("currency", "INVALID_CURRENCY", "currency must be an ISO 4217 code such as CNY");
  }
  absl::StatusOr<DashboardTotals> totals = facts_.Totals(query);
  if (!totals.ok()) return totals.status();
  Dashboard dashboard;
  dashboard.query = query;
  dashboard.totals = *totals;
  dashboard.average_order_value_minor = AverageOrderValue(totals->paid_gmv_minor, totals->orders_paid);
  return dashboard;
}

}  // namespace zhongtai::datahub
