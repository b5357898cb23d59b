// The campaign calendar: every kind of campaign (promotions, coupon templates, flash sales) on one timeline, and the
// conflicts an operator is warned about before creating or changing a promotion or a flash sale. Pure rules plus the
// sources they read; no I/O here.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/marketing/domain/flash_sale_model.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

enum class CalendarItemKind { kPromotion, kCouponTemplate, kFlashSale };

// One campaign on the timeline, over [start, end).
struct CalendarItem {
  CalendarItemKind kind = CalendarItemKind::kPromotion;
  std::string id;
  std::string name;
  absl::Time start;
  absl::Time end;
  bool paused = false;
  std::string currency;
  PromotionScope scope;
  PromotionLayer layer = PromotionLayer::kOrder;
  Exclusivity exclusivity = Exclusivity::kNone;
  // The create call's idempotency key: a replay of a create is no conflict with what the first call created.
  std::string request_id;
  // For flash sales: RESERVING, ACTIVE or SETTLED (a FAILED sale never opens and is not on the calendar).
  std::string status;
};

// One kind of campaign: the calendar asks each source for its items. Adding a kind is adding a source.
class CalendarSource {
 public:
  virtual ~CalendarSource() = default;
  // The items whose window meets [from, to).
  virtual absl::StatusOr<std::vector<CalendarItem>> ItemsBetween(absl::Time from, absl::Time to) = 0;
};

struct CampaignConflict {
  CalendarItemKind kind = CalendarItemKind::kPromotion;
  std::string id;
  std::string name;
  absl::Time overlap_start;
  absl::Time overlap_end;
};

inline constexpr absl::Duration kMaxCalendarSpan = absl::Hours(24 * 366);

// Whether some line could be in both scopes, judged from the scopes alone (marketing does not know which brand or
// categories a SKU has, so ids of different kinds may always meet): each scope matches by all products or by one
// of its listed ids that neither scope excludes; two such matches meet unless they are two different SKUs or two
// different brands. Conservative: it may see an overlap the catalog would rule out, never miss one.
bool ScopesOverlap(const PromotionScope& a, const PromotionScope& b);

// Whether the exclusivity rules keep the two from applying to one order: both exclusive (within their layer or of
// all), and in the same layer unless one is exclusive of all.
bool MutuallyExclusive(const CalendarItem& a, const CalendarItem& b);

// Whether two campaigns cannot both run on the same lines, by kind: two promotions when MutuallyExclusive; a flash sale
// and an exclusive promotion (exclusive of its layer or of all: the operator promised its buyers nothing else
// applies, and a flash sale's fixed price is another deal on the SKU). Two flash sales, a flash sale and a
// non-exclusive promotion, and coupon templates (a cart takes one coupon by design) never clash.
bool CampaignsClash(const CalendarItem& a, const CalendarItem& b);

// The campaigns in `existing` that `candidate` conflicts with: not paused, same currency, CampaignsClash,
// overlapping windows and scopes (a flash sale's scope is its SKU). The candidate itself (same id) and what a replay
// of its create made (same request id) are not conflicts.
std::vector<CampaignConflict> FindConflicts(const CalendarItem& candidate, const std::vector<CalendarItem>& existing);

CalendarItem CalendarItemOf(const Promotion& promotion);
// A flash sale on the calendar: its window, its SKU as the scope, not exclusive itself.
CalendarItem CalendarItemOf(const FlashSale& sale);

// "PROMOTION", "COUPON_TEMPLATE", "FLASH_SALE": the kind as error details and the API name it.
const char* CalendarItemKindName(CalendarItemKind kind);

// The conflicts as a status's details: [{"kind":"PROMOTION","id":"...","name":"...","overlapStartTime":"...",
// "overlapEndTime":"..."}], times in RFC 3339.
std::string ConflictDetailsJson(const std::vector<CampaignConflict>& conflicts);

// Runs a conflict check and the change it guards as one step: two concurrent creates of conflicting promotions
// cannot both pass the check (across replicas, for the store's implementation).
class CampaignChangeLock {
 public:
  virtual ~CampaignChangeLock() = default;
  virtual absl::Status Run(const std::function<absl::Status()>& change) = 0;
};

class CampaignCalendar {
 public:
  // Without a lock, checks and changes are not serialised (tests of a single thread).
  explicit CampaignCalendar(std::vector<CalendarSource*> sources, CampaignChangeLock* lock = nullptr)
      : sources_(std::move(sources)), lock_(lock) {}

  // Every source's items meeting [from, to), by start, then kind and id. INVALID_ARGUMENT CALENDAR_RANGE_INVALID
  // (field from/to) when to is not after from or the span is longer than kMaxCalendarSpan.
  absl::StatusOr<std::vector<CalendarItem>> Between(absl::Time from, absl::Time to);
  // The conflicts of a promotion about to be created, against everything over its window.
  absl::StatusOr<std::vector<CampaignConflict>> ConflictsOf(const Promotion& promotion);
  // The conflicts of any campaign about to be created or changed, against everything over its window.
  absl::StatusOr<std::vector<CampaignConflict>> ConflictsOf(const CalendarItem& candidate);
  // `change` (a check and the create it guards) under the lock.
  absl::Status Guarded(const std::function<absl::Status()>& change);
  // Under the lock: the candidate's conflicts; with some and without allow_conflicts, ALREADY_EXISTS
  // CAMPAIGN_CONFLICT naming them in the details (ConflictDetailsJson) and `change` does not run; else `change` runs.
  // Returns the conflicts it accepted.
  absl::StatusOr<std::vector<CampaignConflict>> CheckAndChange(const CalendarItem& candidate, bool allow_conflicts,
                                                               const std::function<absl::Status()>& change);

 private:
  absl::StatusOr<std::vector<CalendarItem>> Collect(absl::Time from, absl::Time to);

  std::vector<CalendarSource*> sources_;
  CampaignChangeLock* lock_;
};

}  // namespace zhongtai::marketing
