// CampaignService's issue of a coupon template to a segment (admin): records the job; the service's issue runner
// does the work in the background.
#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/marketing/api/campaign_api.h"

namespace zhongtai::marketing {
namespace {

v1::CouponIssueState StateToProto(CouponIssueState state) {
  switch (state) {
    case CouponIssueState::kRunning: return v1::COUPON_ISSUE_STATE_RUNNING;
    case CouponIssueState::kDone: return v1::COUPON_ISSUE_STATE_DONE;
    case CouponIssueState::kSoldOut: return v1::COUPON_ISSUE_STATE_SOLD_OUT;
  }
  return v1::COUPON_ISSUE_STATE_UNSPECIFIED;
}

// "GOLD" for MEMBER_TIER_GOLD; empty when unset.
std::string TierName(user::v1::MemberTier tier) {
  if (tier == user::v1::MEMBER_TIER_UNSPECIFIED) return "";
  const std::string name = user::v1::MemberTier_Name(tier);
  return name.substr(std::string("MEMBER_TIER_").size());
}

void IssueToProto(const CouponIssue& issue, v1::CouponIssue* out) {
  out->set_issue_id(issue.issue_id);
  out->set_template_id(issue.template_id);
  out->set_tag(issue.segment.tag);
  user::v1::MemberTier tier = user::v1::MEMBER_TIER_UNSPECIFIED;
  if (!issue.segment.tier.empty()) user::v1::MemberTier_Parse("MEMBER_TIER_" + issue.segment.tier, &tier);
  out->set_tier(tier);
  out->set_state(StateToProto(issue.state));
  out->set_issued_count(issue.issued_count);
  out->set_skipped_count(issue.skipped_count);
  *out->mutable_create_time() = proto::ToTimestamp(issue.created_at);
  *out->mutable_update_time() = proto::ToTimestamp(issue.updated_at);
}

}  // namespace

grpc::ServerUnaryReactor* CampaignApi::IssueCoupons(grpc::CallbackServerContext* context,
                                                    const v1::IssueCouponsRequest* request,
                                                    v1::IssueCouponsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (!user::v1::MemberTier_IsValid(request->tier())) {
      return InvalidArgument("tier", "SEGMENT_INVALID", "unknown tier");
    }
    Segment segment{request->tag(), TierName(request->tier())};
    ASSIGN_OR_RETURN(CouponIssue issue, issuer_.Start(request->template_id(), segment, request->request_id()));
    IssueToProto(issue, response->mutable_coupon_issue());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::marketing
