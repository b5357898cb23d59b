// zhongtai.user.v1.UserSegments: members by tag and/or tier, for marketing's bulk coupon issue.
#pragma once

#include "common/server/worker_pool.h"
#include "services/user/domain/member_lists.h"
#include "zhongtai/user/v1/segments.grpc.pb.h"

namespace zhongtai::user {

class SegmentsApi : public v1::UserSegments::CallbackService {
 public:
  SegmentsApi(MemberLists& lists, server::WorkerPool& workers) : lists_(lists), workers_(workers) {}

  grpc::ServerUnaryReactor* ListSegmentMembers(grpc::CallbackServerContext* context,
                                               const v1::ListSegmentMembersRequest* request,
                                               v1::ListSegmentMembersResponse* response) override;

 private:
  MemberLists& lists_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::user
