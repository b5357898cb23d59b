#include "services/marketing/store/pg_calendar_sources.h"

#include "common/pg/arrays.h"
#include "common/pg/time.h"
#include "common/status/status.h"
#include "services/marketing/store/enum_text.h"

namespace zhongtai::marketing {
namespace {

using pg::Micros;
using pg::TextArray;
using pg::TimeFromMicros;

// Items are at most this many per source and range: a calendar is read by people.
constexpr int kMaxItems = 1000;

constexpr const char* kLayerTexts[] = {"ITEM", "ORDER", "COUPON"};
constexpr const char* kExclusivityTexts[] = {"NONE", "WITHIN_LAYER", "ALL"};

constexpr char kScopeColumns[] =
    "scope_all_products, scope_category_ids, scope_brand_ids, scope_sku_ids, excluded_category_ids, "
    "excluded_brand_ids, excluded_sku_ids";

// Windows that meet [$1, $2): they start before it ends and end after it starts.
constexpr char kPromotionsBetween[] =
    "SELECT promotion_id, name, zt_micros(start_at), zt_micros(end_at), status, currency, layer, exclusivity, "
    "request_id, %s FROM promotions WHERE start_at < zt_ts($2) AND end_at > zt_ts($1) "
    "ORDER BY start_at, promotion_id LIMIT $3";
constexpr char kCouponTemplatesBetween[] =
    "SELECT template_id, name, zt_micros(claim_start_at), zt_micros(claim_end_at), currency, request_id, %s "
    "FROM coupon_templates WHERE claim_start_at < zt_ts($2) AND claim_end_at > zt_ts($1) "
    "ORDER BY claim_start_at, template_id LIMIT $3";

// A FAILED sale never opened: not on the calendar.
constexpr char kFlashSalesBetween[] =
    "SELECT sale_id, name, zt_micros(start_at), zt_micros(end_at), status, currency, request_id, sku_id "
    "FROM flash_sales WHERE status <> 'FAILED' AND start_at < zt_ts($2) AND end_at > zt_ts($1) "
    "ORDER BY start_at, sale_id LIMIT $3";

std::string WithScope(const char* sql) {
  std::string out = sql;
  out.replace(out.find("%s"), 2, kScopeColumns);
  return out;
}

PromotionScope ReadScope(const pqxx::row& row, int at) {
  PromotionScope s;
  s.all_products = row[at].as<bool>();
  s.category_ids = TextArray(row[at + 1]);
  s.brand_ids = TextArray(row[at + 2]);
  s.sku_ids = TextArray(row[at + 3]);
  s.excluded_category_ids = TextArray(row[at + 4]);
  s.excluded_brand_ids = TextArray(row[at + 5]);
  s.excluded_sku_ids = TextArray(row[at + 6]);
  return s;
}

}  // namespace

absl::StatusOr<std::vector<CalendarItem>> PgPromotionCalendar::ItemsBetween(absl::Time from, absl::Time to) {
  std::vector<CalendarItem> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(WithScope(kPromotionsBetween), Micros(from), Micros(to), kMaxItems)) {
      CalendarItem item;
      item.kind = CalendarItemKind::kPromotion;
      item.id = row[0].as<std::string>();
      item.name = row[1].as<std::string>();
      item.start = TimeFromMicros(row[2]);
      item.end = TimeFromMicros(row[3]);
      item.paused = row[4].as<std::string>() == "PAUSED";
      item.currency = row[5].as<std::string>();
      item.layer = FromText(row[6].as<std::string>(), kLayerTexts, PromotionLayer::kOrder);
      item.exclusivity = FromText(row[7].as<std::string>(), kExclusivityTexts, Exclusivity::kWithinLayer);
      item.request_id = row[8].as<std::string>();
      item.scope = ReadScope(row, 9);
      out.push_back(std::move(item));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<CalendarItem>> PgCouponTemplateCalendar::ItemsBetween(absl::Time from, absl::Time to) {
  std::vector<CalendarItem> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(WithScope(kCouponTemplatesBetween), Micros(from), Micros(to), kMaxItems)) {
      CalendarItem item;
      item.kind = CalendarItemKind::kCouponTemplate;
      item.id = row[0].as<std::string>();
      item.name = row[1].as<std::string>();
      item.start = TimeFromMicros(row[2]);
      item.end = TimeFromMicros(row[3]);
      item.currency = row[4].as<std::string>();
      item.request_id = row[5].as<std::string>();
      item.scope = ReadScope(row, 6);
      // What a coupon is worth applies in the coupon layer, one per order (CouponBenefit).
      item.layer = PromotionLayer::kCoupon;
      item.exclusivity = Exclusivity::kWithinLayer;
      out.push_back(std::move(item));
    }
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<std::vector<CalendarItem>> PgFlashSaleCalendar::ItemsBetween(absl::Time from, absl::Time to) {
  std::vector<CalendarItem> out;
  RETURN_IF_ERROR(pool_.Transact([&](pqxx::work& tx) {
    out.clear();
    for (const auto& row : tx.exec_params(kFlashSalesBetween, Micros(from), Micros(to), kMaxItems)) {
      FlashSale sale;
      sale.sale_id = row[0].as<std::string>();
      sale.name = row[1].as<std::string>();
      sale.start_time = TimeFromMicros(row[2]);
      sale.end_time = TimeFromMicros(row[3]);
      const std::string status = row[4].as<std::string>();
      sale.status = status == "RESERVING" ? FlashSaleStatus::kReserving
                    : status == "SETTLED" ? FlashSaleStatus::kSettled
                                          : FlashSaleStatus::kActive;
      sale.currency = row[5].as<std::string>();
      sale.request_id = row[6].as<std::string>();
      sale.sku_id = row[7].as<std::string>();
      out.push_back(CalendarItemOf(sale));
    }
    return absl::OkStatus();
  }));
  return out;
}

}  // namespace zhongtai::marketing
