#include "services/marketing/domain/coupon_issue.h"

#include <utility>

#include "common/log/log.h"
#include "common/status/status.h"

namespace zhongtai::marketing {
namespace {

constexpr const char* kTiers[] = {"NORMAL", "SILVER", "GOLD", "DIAMOND"};

bool IsTier(const std::string& tier) {
  for (const char* t : kTiers) {
    if (tier == t) return true;
  }
  return false;
}

}  // namespace

std::string IssueClaimKey(const std::string& issue_id) { return "issue:" + issue_id; }

IssueOutcome DecideIssue(const CouponTemplate& t, int64_t held_by_user) {
  if (t.claimed_quantity >= t.total_quantity) return IssueOutcome::kSoldOut;
  if (held_by_user >= t.per_user_limit) return IssueOutcome::kLimitReached;
  return IssueOutcome::kIssued;
}

absl::Status ValidateSegment(const Segment& s) {
  if (s.tag.empty() == s.tier.empty()) {
    return InvalidArgument("tag", "SEGMENT_INVALID", "give a tag or a tier, exactly one");
  }
  if (!s.tier.empty() && !IsTier(s.tier)) return InvalidArgument("tier", "SEGMENT_INVALID", "unknown tier");
  if (s.tag.size() > 64) return InvalidArgument("tag", "SEGMENT_INVALID", "a tag has at most 64 characters");
  return absl::OkStatus();
}

absl::Status CheckIssuable(const CouponTemplate& t, absl::Time now) {
  if (t.valid_days_after_claim == 0 && now >= t.valid_until) {
    return FailedPrecondition("COUPON_TEMPLATE_EXPIRED", "the template's coupons are no longer valid");
  }
  return absl::OkStatus();
}

absl::StatusOr<CouponIssue> CouponIssuer::Start(const std::string& template_id, const Segment& segment,
                                                const std::string& request_id) {
  if (template_id.empty()) return InvalidArgument("templateId", "TEMPLATE_ID_MISSING", "template id is required");
  if (request_id.empty()) {
    return InvalidArgument("requestId", "REQUEST_ID_MISSING", "request id (Idempotency-Key) is required");
  }
  if (request_id.size() > 200) return InvalidArgument("requestId", "REQUEST_ID_TOO_LONG", "request id is too long");
  RETURN_IF_ERROR(ValidateSegment(segment));
  CouponIssue issue;
  issue.issue_id = ids_.NewCouponIssueId();
  issue.template_id = template_id;
  issue.request_id = request_id;
  issue.segment = segment;
  issue.created_at = issue.updated_at = clock_.Now();
  ASSIGN_OR_RETURN(CouponIssueStore::CreateResult result, store_.Create(issue, clock_.Now()));
  if (result.created) {
    log::Info("coupon issue started", {{"issue_id", result.issue.issue_id}, {"template_id", template_id}});
  }
  return std::move(result.issue);
}

absl::StatusOr<int> CouponIssuer::RunPending(int max_pages) {
  int pages = 0;
  while (pages < max_pages) {
    ASSIGN_OR_RETURN(std::optional<CouponIssue> taken, store_.TakeRunnable(clock_.Now(), settings_.lease));
    if (!taken) break;
    CouponIssue issue = std::move(*taken);
    while (issue.state == CouponIssueState::kRunning && pages < max_pages) {
      ASSIGN_OR_RETURN(MemberPage page, directory_.ListMembers(issue.segment, settings_.page_size, issue.page_token));
      for (const std::string& user_id : page.user_ids) {
        ASSIGN_OR_RETURN(IssueOutcome outcome, store_.IssueOne(issue, user_id, ids_.NewCouponId(), clock_.Now()));
        if (outcome == IssueOutcome::kSoldOut) {
          issue.state = CouponIssueState::kSoldOut;
          break;
        }
        // A coupon this issue gave before counts here: the page that gave it was never saved.
        if (outcome == IssueOutcome::kLimitReached) {
          ++issue.skipped_count;
        } else {
          ++issue.issued_count;
        }
      }
      issue.page_token = page.next_page_token;
      if (issue.state == CouponIssueState::kRunning && page.next_page_token.empty()) {
        issue.state = CouponIssueState::kDone;
      }
      issue.updated_at = clock_.Now();
      RETURN_IF_ERROR(store_.SaveProgress(issue, clock_.Now(), settings_.lease));
      ++pages;
    }
    if (issue.state != CouponIssueState::kRunning) {
      log::Info("coupon issue finished", {{"issue_id", issue.issue_id},
                                          {"issued", std::to_string(issue.issued_count)},
                                          {"skipped", std::to_string(issue.skipped_count)}});
    }
  }
  return pages;
}

}  // namespace zhongtai::marketing
