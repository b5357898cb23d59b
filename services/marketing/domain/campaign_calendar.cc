#include "services/marketing/domain/campaign_calendar.h"

#include <algorithm>
#include <iterator>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/status/details.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

bool Contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

// The ids of one kind by which a scope can match a line: listed, and excluded by neither scope.
std::set<std::string> Usable(const std::vector<std::string>& listed, const std::vector<std::string>& excluded_here,
                             const std::vector<std::string>& excluded_there) {
  std::set<std::string> out;
  for (const std::string& id : listed) {
    if (!Contains(excluded_here, id) && !Contains(excluded_there, id)) out.insert(id);
  }
  return out;
}

struct Matches {
  bool all = false;
  std::set<std::string> categories;
  std::set<std::string> brands;
  std::set<std::string> skus;
  bool any() const { return all || !categories.empty() || !brands.empty() || !skus.empty(); }
};

Matches MatchesOf(const PromotionScope& s, const PromotionScope& other) {
  Matches m;
  // All products: a line with ids nobody names matches, whatever is excluded.
  m.all = s.all_products;
  m.categories = Usable(s.category_ids, s.excluded_category_ids, other.excluded_category_ids);
  m.brands = Usable(s.brand_ids, s.excluded_brand_ids, other.excluded_brand_ids);
  m.skus = Usable(s.sku_ids, s.excluded_sku_ids, other.excluded_sku_ids);
  return m;
}

bool Intersect(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const std::string& id : a) {
    if (b.count(id) > 0) return true;
  }
  return false;
}

bool IsExclusive(const CalendarItem& item) { return item.exclusivity != Exclusivity::kNone; }

}  // namespace

bool ScopesOverlap(const PromotionScope& a, const PromotionScope& b) {
  Matches ma = MatchesOf(a, b);
  Matches mb = MatchesOf(b, a);
  if (!ma.any() || !mb.any()) return false;
  // All products, or a category (a line's path may hold both categories), meets any match of the other side.
  if (ma.all || mb.all || !ma.categories.empty() || !mb.categories.empty()) return true;
  // Left: SKUs and brands on both sides. A SKU meets a brand; same kinds meet on a shared id.
  if ((!ma.skus.empty() && !mb.brands.empty()) || (!ma.brands.empty() && !mb.skus.empty())) return true;
  return Intersect(ma.skus, mb.skus) || Intersect(ma.brands, mb.brands);
}

bool MutuallyExclusive(const CalendarItem& a, const CalendarItem& b) {
  if (!IsExclusive(a) || !IsExclusive(b)) return false;
  return a.exclusivity == Exclusivity::kAll || b.exclusivity == Exclusivity::kAll || a.layer == b.layer;
}

bool CampaignsClash(const CalendarItem& a, const CalendarItem& b) {
  using K = CalendarItemKind;
  if (a.kind == K::kCouponTemplate || b.kind == K::kCouponTemplate) return false;
  if (a.kind == K::kPromotion && b.kind == K::kPromotion) return MutuallyExclusive(a, b);
  if (a.kind == K::kFlashSale && b.kind == K::kFlashSale) return false;
  const CalendarItem& promotion = a.kind == K::kPromotion ? a : b;
  return IsExclusive(promotion);
}

std::vector<CampaignConflict> FindConflicts(const CalendarItem& candidate, const std::vector<CalendarItem>& existing) {
  std::vector<CampaignConflict> out;
  if (candidate.paused) return out;
  for (const CalendarItem& item : existing) {
    if (item.paused || (item.kind == candidate.kind && item.id == candidate.id)) continue;
    if (!candidate.request_id.empty() && item.kind == candidate.kind && item.request_id == candidate.request_id) {
      continue;
    }
    if (item.currency != candidate.currency || !CampaignsClash(candidate, item)) continue;
    absl::Time start = std::max(candidate.start, item.start);
    absl::Time end = std::min(candidate.end, item.end);
    if (start >= end || !ScopesOverlap(candidate.scope, item.scope)) continue;
    out.push_back({item.kind, item.id, item.name, start, end});
  }
  return out;
}

const char* CalendarItemKindName(CalendarItemKind kind) {
  switch (kind) {
    case CalendarItemKind::kCouponTemplate: return "COUPON_TEMPLATE";
    case CalendarItemKind::kFlashSale: return "FLASH_SALE";
    case CalendarItemKind::kPromotion: break;
  }
  return "PROMOTION";
}

std::string ConflictDetailsJson(const std::vector<CampaignConflict>& conflicts) {
  std::string out = "[";
  for (const CampaignConflict& c : conflicts) {
    if (out.size() > 1) out += ",";
    absl::StrAppend(&out, "{\"kind\":\"", CalendarItemKindName(c.kind), "\",\"id\":\"", log::JsonEscape(c.id),
                    "\",\"name\":\"", log::JsonEscape(c.name), "\",\"overlapStartTime\":\"",
                    absl::FormatTime(absl::RFC3339_full, c.overlap_start, absl::UTCTimeZone()),
                    "\",\"overlapEndTime\":\"",
                    absl::FormatTime(absl::RFC3339_full, c.overlap_end, absl::UTCTimeZone()), "\"}");
  }
  return out + "]";
}

CalendarItem CalendarItemOf(const Promotion& p) {
  CalendarItem item;
  item.kind = CalendarItemKind::kPromotion;
  item.id = p.promotion_id;
  item.name = p.name;
  item.start = p.start_time;
  item.end = p.end_time;
  item.paused = p.status == PromotionStatus::kPaused;
  item.currency = p.currency;
  item.scope = p.scope;
  item.layer = p.layer;
  item.exclusivity = p.exclusivity;
  item.request_id = p.request_id;
  return item;
}

CalendarItem CalendarItemOf(const FlashSale& sale) {
  CalendarItem item;
  item.kind = CalendarItemKind::kFlashSale;
  item.id = sale.sale_id;
  item.name = sale.name;
  item.start = sale.start_time;
  item.end = sale.end_time;
  item.currency = sale.currency;
  item.scope.all_products = false;
  item.scope.sku_ids = {sale.sku_id};
  item.layer = PromotionLayer::kItem;
  item.exclusivity = Exclusivity::kNone;
  item.request_id = sale.request_id;
  switch (sale.status) {
    case FlashSaleStatus::kReserving: item.status = "RESERVING"; break;
    case FlashSaleStatus::kActive: item.status = "ACTIVE"; break;
    case FlashSaleStatus::kFailed: item.status = "FAILED"; break;
    case FlashSaleStatus::kSettled: item.status = "SETTLED"; break;
  }
  return item;
}

absl::StatusOr<std::vector<CalendarItem>> CampaignCalendar::Collect(absl::Time from, absl::Time to) {
  std::vector<CalendarItem> all;
  for (CalendarSource* source : sources_) {
    ASSIGN_OR_RETURN(std::vector<CalendarItem> items, source->ItemsBetween(from, to));
    all.insert(all.end(), std::make_move_iterator(items.begin()), std::make_move_iterator(items.end()));
  }
  std::sort(all.begin(), all.end(), [](const CalendarItem& a, const CalendarItem& b) {
    return std::make_tuple(a.start, static_cast<int>(a.kind), a.id) <
           std::make_tuple(b.start, static_cast<int>(b.kind), b.id);
  });
  return all;
}

absl::StatusOr<std::vector<CalendarItem>> CampaignCalendar::Between(absl::Time from, absl::Time to) {
  if (from == absl::InfinitePast()) return InvalidArgument("from", "CALENDAR_RANGE_INVALID", "from is required");
  if (to == absl::InfinitePast()) return InvalidArgument("to", "CALENDAR_RANGE_INVALID", "to is required");
  if (to <= from) return InvalidArgument("to", "CALENDAR_RANGE_INVALID", "to must be after from");
  if (to - from > kMaxCalendarSpan) {
    return InvalidArgument("to", "CALENDAR_RANGE_INVALID", "the calendar spans at most 366 days");
  }
  return Collect(from, to);
}

absl::Status CampaignCalendar::Guarded(const std::function<absl::Status()>& change) {
  return lock_ == nullptr ? change() : lock_->Run(change);
}

absl::StatusOr<std::vector<CampaignConflict>> CampaignCalendar::ConflictsOf(const Promotion& promotion) {
  return ConflictsOf(CalendarItemOf(promotion));
}

absl::StatusOr<std::vector<CampaignConflict>> CampaignCalendar::ConflictsOf(const CalendarItem& candidate) {
  if (candidate.end <= candidate.start) return std::vector<CampaignConflict>();
  ASSIGN_OR_RETURN(std::vector<CalendarItem> items, Collect(candidate.start, candidate.end));
  return FindConflicts(candidate, items);
}

absl::StatusOr<std::vector<CampaignConflict>> CampaignCalendar::CheckAndChange(
    const CalendarItem& candidate, bool allow_conflicts, const std::function<absl::Status()>& change) {
  std::vector<CampaignConflict> conflicts;
  RETURN_IF_ERROR(Guarded([&]() -> absl::Status {
    ASSIGN_OR_RETURN(conflicts, ConflictsOf(candidate));
    if (!conflicts.empty() && !allow_conflicts) {
      return WithDetails(AlreadyExists("CAMPAIGN_CONFLICT",
                                       absl::StrCat("it overlaps ", conflicts.size(),
                                                    " campaign(s) that cannot run with it on the same products (named "
                                                    "in details); set allowConflicts to go ahead anyway")),
                         ConflictDetailsJson(conflicts));
    }
    return change();
  }));
  return conflicts;
}

}  // namespace zhongtai::marketing
