// The operations dashboard: order, payment, refund and traffic figures for a range of the shop's days, in total,
// by day (in the shop's time zone) and by channel. Plain C++: no protobuf or SQL.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/datahub/domain/dashboard.h"
#include "services/datahub/domain/shop_time.h"

namespace zhongtai::datahub {

// What the store counts. Orders by when each milestone happened: placed, paid, cancelled, refunded in the range.
struct DashboardFigures {
  int64_t orders_placed = 0;
  int64_t orders_paid = 0;
  int64_t orders_cancelled = 0;
  int64_t orders_refunded = 0;  // orders with a refund in the range (partial or full)
  int64_t gmv_minor = 0;        // total of the orders placed
  int64_t paid_gmv_minor = 0;   // paid amount of the orders paid
  int64_t refunded_minor = 0;   // refunded amount of the orders refunded
  int64_t buyers = 0;           // distinct users who paid: exact
  int64_t page_views = 0;       // view events
  // Distinct devices with any behaviour event: a HyperLogLog estimate (about 2% standard error), not exact. The
  // visitors of several days or channels are not their sum (a device counts once), so each level is its own figure.
  int64_t visitors = 0;
};

// The figures per level; days are indexes into the ShopDays of the query.
struct DashboardBreakdown {
  DashboardFigures total;
  std::map<int, DashboardFigures> by_day;
  std::map<std::string, DashboardFigures> by_channel;
};

// The figures and the ratios derived from them.
struct DashboardKpis {
  DashboardFigures figures;
  int64_t average_order_value_minor = 0;  // paid GMV / orders paid, half up; 0 when none paid
  double conversion_rate = 0;             // buyers / visitors; 0 without visitors
  double refund_rate = 0;                 // orders refunded / orders paid; 0 when none paid
};

DashboardKpis DeriveKpis(const DashboardFigures& figures);

// The order figures of `facts` in `currency` over `days`, by the rules the store's SQL follows: each milestone
// (placed, paid, cancelled, first refund) counts in the day and channel where it happened; buyers are the distinct
// users of the orders paid. Traffic figures stay 0. For fakes, and for checking the SQL.
DashboardBreakdown BreakdownOrders(const std::vector<OrderFact>& facts, const std::string& currency,
                                   const TimeRange& range, const std::vector<ShopDay>& days);

struct KpiQuery {
  // Both or neither: neither is today in the shop's time zone.
  std::optional<absl::Time> start_time;
  std::optional<absl::Time> end_time;
  std::string currency = "CNY";
};

struct KpiDashboard {
  absl::Time start_time;
  absl::Time end_time;
  std::string time_zone;
  std::string currency;
  DashboardKpis total;
  // Every day of the range, also those without activity; none for a range of more than kMaxDashboardDays days.
  std::vector<std::pair<ShopDay, DashboardKpis>> days;
  std::map<std::string, DashboardKpis> channels;  // channels with activity
};

class DashboardStore {
 public:
  virtual ~DashboardStore() = default;
  // Orders in `currency` and behaviour events in `range`, per level; by day over `days` (the range's shop days, or
  // none for a range too long to list by day).
  virtual absl::StatusOr<DashboardBreakdown> Breakdown(const std::string& currency, const TimeRange& range,
                                                       const std::vector<ShopDay>& days) = 0;
};

class KpiAnalytics {
 public:
  KpiAnalytics(DashboardStore& store, Clock& clock, absl::TimeZone zone, std::string zone_name)
      : store_(store), clock_(clock), zone_(zone), zone_name_(std::move(zone_name)) {}

  // INVALID_ARGUMENT: only one of the times (REQUIRED, the missing one), endTime not after startTime
  // (INVALID_TIME_RANGE), a currency that is not three capital letters (INVALID_CURRENCY).
  absl::StatusOr<KpiDashboard> GetDashboard(const KpiQuery& query);

 private:
  DashboardStore& store_;
  Clock& clock_;
  absl::TimeZone zone_;
  std::string zone_name_;
};

}  // namespace zhongtai::datahub
