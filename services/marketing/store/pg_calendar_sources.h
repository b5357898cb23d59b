// The calendar's sources over PostgreSQL: promotions over their window, coupon templates over their claim window,
// flash sales over their sale window.
#pragma once

#include "common/pg/pool.h"
#include "services/marketing/domain/campaign_calendar.h"

namespace zhongtai::marketing {

class PgPromotionCalendar : public CalendarSource {
 public:
  explicit PgPromotionCalendar(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) override;

 private:
  pg::Pool& pool_;
};

class PgCouponTemplateCalendar : public CalendarSource {
 public:
  explicit PgCouponTemplateCalendar(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) override;

 private:
  pg::Pool& pool_;
};

class PgFlashSaleCalendar : public CalendarSource {
 public:
  explicit PgFlashSaleCalendar(pg::Pool& pool) : pool_(pool) {}
  absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) override;

 private:
  pg::Pool& pool_;
};

}  // namespace zhongtai::marketing
