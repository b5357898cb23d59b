// zhongtai.user.v1.MemberAdminService: the admin's member list, manual tags and the recall CSV. Maps proto <-> domain
// and runs the domain on the worker pool.
#pragma once

#include "common/server/worker_pool.h"
#include "services/user/domain/member_lists.h"
#include "services/user/domain/tags.h"
#include "zhongtai/user/v1/member_admin.grpc.pb.h"

namespace zhongtai::user {

class MemberAdminApi : public v1::MemberAdminService::CallbackService {
 public:
  MemberAdminApi(Tags& tags, MemberLists& lists, server::WorkerPool& workers)
      : tags_(tags), lists_(lists), workers_(workers) {}

  grpc::ServerUnaryReactor* ListMembers(grpc::CallbackServerContext* context, const v1::ListMembersRequest* request,
                                        v1::ListMembersResponse* response) override;
  grpc::ServerUnaryReactor* AddMemberTags(grpc::CallbackServerContext* context, const v1::AddMemberTagsRequest* request,
                                          v1::AddMemberTagsResponse* response) override;
  grpc::ServerUnaryReactor* RemoveMemberTag(grpc::CallbackServerContext* context,
                                            const v1::RemoveMemberTagRequest* request,
                                            v1::RemoveMemberTagResponse* response) override;
  grpc::ServerUnaryReactor* ExportRecallList(grpc::CallbackServerContext* context,
                                             const v1::ExportRecallListRequest* request,
                                             v1::ExportRecallListResponse* response) override;

 private:
  Tags& tags_;
  MemberLists& lists_;
  server::WorkerPool& workers_;
};

}  // namespace zhongtai::user
