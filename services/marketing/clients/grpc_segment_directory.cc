#include "services/marketing/clients/grpc_segment_directory.h"

#include "common/server/client.h"
#include "common/status/grpc_status.h"

namespace zhongtai::marketing {
namespace {

user::v1::MemberTier TierOf(const std::string& tier) {
  user::v1::MemberTier out = user::v1::MEMBER_TIER_UNSPECIFIED;
  user::v1::MemberTier_Parse("MEMBER_TIER_" + tier, &out);
  return out;
}

}  // namespace

GrpcSegmentDirectory::GrpcSegmentDirectory(std::shared_ptr<grpc::Channel> channel)
    : stub_(user::v1::UserSegments::NewStub(std::move(channel))) {}

absl::StatusOr<MemberPage> GrpcSegmentDirectory::ListMembers(const Segment& segment, int page_size,
                                                             const std::string& page_token) {
  user::v1::ListSegmentMembersRequest request;
  request.set_tag(segment.tag);
  if (!segment.tier.empty()) request.set_tier(TierOf(segment.tier));
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  user::v1::ListSegmentMembersResponse response;
  std::unique_ptr<grpc::ClientContext> context = server::NewClientContext(absl::Seconds(10));
  grpc::Status status = stub_->ListSegmentMembers(context.get(), request, &response);
  if (!status.ok()) return FromGrpcStatus(status, *context);
  MemberPage page;
  page.user_ids.assign(response.user_ids().begin(), response.user_ids().end());
  page.next_page_token = response.next_page_token();
  return page;
}

}  // namespace zhongtai::marketing
