// The user center's segments (zhongtai.user.v1.UserSegments) behind the domain's SegmentDirectory. The issue job
// runs on its own thread, outside any call, so a blocking call with its own deadline is fine here.
#pragma once

#include <memory>

#include "services/marketing/domain/coupon_issue.h"
#include "zhongtai/user/v1/segments.grpc.pb.h"

namespace zhongtai::marketing {

class GrpcSegmentDirectory : public SegmentDirectory {
 public:
  explicit GrpcSegmentDirectory(std::shared_ptr<grpc::Channel> channel);
  absl::StatusOr<MemberPage> ListMembers(const Segment& segment, int page_size, const std::string& page_token) override;

 private:
  std::unique_ptr<user::v1::UserSegments::Stub> stub_;
};

}  // namespace zhongtai::marketing
