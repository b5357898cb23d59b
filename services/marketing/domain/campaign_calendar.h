// The campaign calendar: every kind of campaign (promotions, coupon templates; flash sales join as one more source)
// on one timeline, and the conflicts an operator is warned about before creating a promotion. Pure rules plus the
// sources they read; no I/O here.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/marketing/domain/model.h"

namespace zhongtai::marketing {

enum class CalendarItemKind { kPromotion, kCouponTemplate };

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

// The promotions in `existing` that `candidate` conflicts with: active, same currency, mutually exclusive,
// overlapping windows and scopes. Coupon templates never conflict (a cart takes one coupon by design).
std::vector<CampaignConflict> FindConflicts(const CalendarItem& candidate, const std::vector<CalendarItem>& existing);

CalendarItem CalendarItemOf(const Promotion& promotion);

// "PROMOTION", "COUPON_TEMPLATE": the kind as error details and the API name it.
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
  // `change` (a check and the create it guards) under the lock.
  absl::Status Guarded(const std::function<absl::Status()>& change);

 private:
  absl::StatusOr<std::vector<CalendarItem>> Collect(absl::Time from, absl::Time to);

  std::vector<CalendarSource*> sources_;
  CampaignChangeLock* lock_;
};

}  // namespace zhongtai::marketing
