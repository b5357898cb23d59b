#include "services/user/api/member_admin_api.h"

#include <string>

#include "common/proto/convert.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/user/api/member_proto.h"

namespace zhongtai::user {
namespace {

constexpr char kCsvContentType[] = "text/csv; charset=utf-8";

template <typename Response>
void SetTags(const MemberTags& tags, Response* response) {
  for (const std::string& tag : tags.manual) response->add_manual_tags(tag);
  for (const std::string& tag : AllTags(tags)) {
    if (IsComputedTag(tag)) response->add_computed_tags(tag);
  }
}

}  // namespace

grpc::ServerUnaryReactor* MemberAdminApi::ListMembers(grpc::CallbackServerContext* context,
                                                      const v1::ListMembersRequest* request,
                                                      v1::ListMembersResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    MemberFilter filter;
    filter.tier = TierFromProto(request->tier());
    filter.tag = request->tag();
    filter.stage = StageFromProto(request->lifecycle_stage());
    if (request->has_registered_after()) filter.registered_from = proto::FromTimestamp(request->registered_after());
    if (request->has_registered_before()) {
      filter.registered_before = proto::FromTimestamp(request->registered_before());
    }
    ASSIGN_OR_RETURN(MemberPage page, lists_.List(filter, request->page_size(), request->page_token()));
    for (const MemberRow& row : page.members) {
      v1::MemberSummary* out = response->add_members();
      out->set_user_id(row.user_id);
      out->set_nickname(row.nickname);
      out->set_tier(TierToProto(row.tier));
      out->set_lifecycle_stage(StageToProto(row.stage));
      for (const std::string& tag : row.tags) out->add_tags(tag);
      out->set_points_balance(row.points_balance);
      *out->mutable_create_time() = proto::ToTimestamp(row.registered_at);
      if (row.last_order_at) *out->mutable_last_order_time() = proto::ToTimestamp(*row.last_order_at);
    }
    response->set_next_page_token(page.next_page_token);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MemberAdminApi::AddMemberTags(grpc::CallbackServerContext* context,
                                                        const v1::AddMemberTagsRequest* request,
                                                        v1::AddMemberTagsResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    std::vector<std::string> tags(request->tags().begin(), request->tags().end());
    ASSIGN_OR_RETURN(MemberTags after, tags_.AddManual(request->user_id(), tags));
    SetTags(after, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MemberAdminApi::RemoveMemberTag(grpc::CallbackServerContext* context,
                                                          const v1::RemoveMemberTagRequest* request,
                                                          v1::RemoveMemberTagResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(MemberTags after, tags_.RemoveManual(request->user_id(), request->tag()));
    SetTags(after, response);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MemberAdminApi::ExportRecallList(grpc::CallbackServerContext* context,
                                                           const v1::ExportRecallListRequest* request,
                                                           v1::ExportRecallListResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string csv, lists_.RecallCsv(TierFromProto(request->tier())));
    api::v1::HttpBody* file = response->mutable_file();
    file->set_content_type(kCsvContentType);
    file->set_body(std::move(csv));
    file->set_file_name("recall.csv");
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
