#include "services/user/api/segments_api.h"

#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/user/api/member_proto.h"

namespace zhongtai::user {

grpc::ServerUnaryReactor* SegmentsApi::ListSegmentMembers(grpc::CallbackServerContext* context,
                                                          const v1::ListSegmentMembersRequest* request,
                                                          v1::ListSegmentMembersResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(SegmentPage page, lists_.SegmentMembers(request->tag(), TierFromProto(request->tier()),
                                                             request->page_size(), request->page_token()));
    for (const std::string& id : page.user_ids) response->add_user_ids(id);
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
