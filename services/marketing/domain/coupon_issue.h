// Issuing a coupon template to a segment of users (a tag or a membership tier): a job that pages through the user
// center's members and gives each one coupon, once per (template, user, issue) whatever the retries, within the
// template's total quantity. Its progress is saved after each page, so after a crash it resumes from the last page
// saved; the users of the page in flight are issued again idempotently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/clock/clock.h"
#include "services/marketing/domain/coupon_model.h"
#include "services/marketing/domain/ports.h"

namespace zhongtai::marketing {

// Exactly one of them: a user tag, or a membership tier (NORMAL, SILVER, GOLD, DIAMOND).
struct Segment {
  std::string tag;
  std::string tier;
};

enum class CouponIssueState { kRunning, kDone, kSoldOut };

struct CouponIssue {
  std::string issue_id;
  std::string template_id;
  std::string request_id;
  Segment segment;
  CouponIssueState state = CouponIssueState::kRunning;
  std::string page_token;  // where the next page starts; empty before the first
  int64_t issued_count = 0;
  int64_t skipped_count = 0;
  absl::Time created_at;
  absl::Time updated_at;
};

struct MemberPage {
  std::vector<std::string> user_ids;
  std::string next_page_token;  // empty at the end
};

// The user center's segments (zhongtai.user.v1.UserSegments).
class SegmentDirectory {
 public:
  virtual ~SegmentDirectory() = default;
  virtual absl::StatusOr<MemberPage> ListMembers(const Segment& segment, int page_size,
                                                 const std::string& page_token) = 0;
};

enum class IssueOutcome {
  kIssued,
  kAlreadyIssued,  // this issue gave the user a coupon before (a resumed page)
  kLimitReached,   // the user holds the template's per-user limit
  kSoldOut,        // the template's total quantity is reached
};

// The coupon's idempotency key in the user's wallet: one coupon per (template, user, issue).
std::string IssueClaimKey(const std::string& issue_id);

// What issuing one more coupon of `coupon_template` to a user holding `held_by_user` of them gives: kSoldOut or
// kLimitReached, or kIssued. The claim window does not apply: the operator issues, the user does not claim.
IssueOutcome DecideIssue(const CouponTemplate& coupon_template, int64_t held_by_user);

// INVALID_ARGUMENT SEGMENT_INVALID (field tag) unless exactly one of tag and tier is set, the tier is known and the
// tag is 1 to 64 characters.
absl::Status ValidateSegment(const Segment& segment);

// FAILED_PRECONDITION COUPON_TEMPLATE_EXPIRED when the template's coupons can no longer be used (a fixed validity
// window that has ended).
absl::Status CheckIssuable(const CouponTemplate& coupon_template, absl::Time now);

class CouponIssueStore {
 public:
  virtual ~CouponIssueStore() = default;

  struct CreateResult {
    CouponIssue issue;
    bool created = false;  // false: an issue with this request_id already existed and is returned
  };
  // NOT_FOUND COUPON_TEMPLATE_NOT_FOUND for an unknown template; CheckIssuable on it.
  virtual absl::StatusOr<CreateResult> Create(const CouponIssue& issue, absl::Time now) = 0;
  // A running issue no runner holds (its lease has passed), now held until now + lease; nullopt when none.
  virtual absl::StatusOr<std::optional<CouponIssue>> TakeRunnable(absl::Time now, absl::Duration lease) = 0;
  // Gives `user_id` one coupon of the issue's template as `coupon_id` (with its CouponClaimed event) per
  // DecideIssue under the template's row lock; kAlreadyIssued when this issue did before.
  virtual absl::StatusOr<IssueOutcome> IssueOne(const CouponIssue& issue, const std::string& user_id,
                                                const std::string& coupon_id, absl::Time now) = 0;
  // Saves the state, cursor and counts after a page and holds the lease until now + lease.
  virtual absl::Status SaveProgress(const CouponIssue& issue, absl::Time now, absl::Duration lease) = 0;
};

struct CouponIssueSettings {
  int page_size = 500;
  // How long a runner holds a job between two pages; another replica takes it over after that.
  absl::Duration lease = absl::Minutes(2);
};

class CouponIssuer {
 public:
  CouponIssuer(CouponIssueStore& store, SegmentDirectory& directory, Clock& clock, IdGenerator& ids,
               CouponIssueSettings settings = {})
      : store_(store), directory_(directory), clock_(clock), ids_(ids), settings_(settings) {}

  // Records the job (idempotent on request_id); RunPending does the work.
  absl::StatusOr<CouponIssue> Start(const std::string& template_id, const Segment& segment,
                                    const std::string& request_id);
  // Takes the runnable jobs one by one and runs each to its end, or until `max_pages` pages in all were done (a
  // test's crash point). Returns the pages done. A directory failure leaves the job to be resumed later.
  absl::StatusOr<int> RunPending(int max_pages = 1 << 30);

 private:
  CouponIssueStore& store_;
  SegmentDirectory& directory_;
  Clock& clock_;
  IdGenerator& ids_;
  CouponIssueSettings settings_;
};

}  // namespace zhongtai::marketing
