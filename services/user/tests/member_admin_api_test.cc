// MemberAdminService and UserSegments over a real in-process gRPC server, on the in-memory stores: admins only for
// the member routes, marketing only for the segment listing, errors with their reason and field, and the recall
// list answered as a CSV file.
#include "services/user/api/member_admin_api.h"

#include <catch2/catch.hpp>

#include "common/status/grpc_status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/user/api/segments_api.h"
#include "services/user/domain/lifecycle.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_segment_stores.h"

namespace zhongtai::user {
namespace {

constexpr absl::Duration kDay = absl::Hours(24);

struct Fixture {
  Fixture() : tags(stores, clock), lifecycle(stores, clock, {}), lists(stores, 100) {
    stores.AddCustomer("u1", {"Ann", clock.Now() - 200 * kDay, Tier::kGold, 300});
    stores.AddCustomer("u2", {"=cmd|' /C calc'!A0", clock.Now() - 150 * kDay, Tier::kNormal, 0});
    server.runner().AddService(&segments_api);
    admin_stub = server.Start<v1::MemberAdminService>(&admin_api);
    segments_stub =
        v1::UserSegments::NewStub(server::MakeChannel(server.address(), v1::UserSegments::service_full_name()));
  }
  testing::InMemorySegmentStores stores;
  FakeClock clock{absl::FromUnixSeconds(1780000000)};
  Tags tags;
  Lifecycle lifecycle;
  MemberLists lists;
  zhongtai::testing::ApiServer server{"user"};
  MemberAdminApi admin_api{tags, lists, server.workers()};
  SegmentsApi segments_api{lists, server.workers()};
  std::unique_ptr<v1::MemberAdminService::Stub> admin_stub;
  std::unique_ptr<v1::UserSegments::Stub> segments_stub;
};

absl::Status AsAdmin(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  grpc::ClientContext context;
  ::zhongtai::testing::CallAs(context, "gateway", "admin-1", "admin");
  return FromGrpcStatus(call(&context), context);
}

}  // namespace

TEST_CASE("admins tag members, and bad tags are refused with the field at fault") {
  Fixture f;
  v1::AddMemberTagsRequest add;
  add.set_user_id("u1");
  add.add_tags("VIP");
  add.add_tags("高价值");
  v1::AddMemberTagsResponse added;
  REQUIRE(AsAdmin([&](grpc::ClientContext* c) { return f.admin_stub->AddMemberTags(c, add, &added); }).ok());
  CHECK(std::vector<std::string>(added.manual_tags().begin(), added.manual_tags().end()) ==
        std::vector<std::string>{"vip", "高价值"});

  add.add_tags("rfm:champions");
  absl::Status bad = AsAdmin([&](grpc::ClientContext* c) { return f.admin_stub->AddMemberTags(c, add, &added); });
  CHECK(bad.code() == absl::StatusCode::kInvalidArgument);
  CHECK(ReasonOf(bad) == "TAG_INVALID");
  CHECK(FieldOf(bad) == "tags[2]");

  v1::RemoveMemberTagRequest remove;
  remove.set_user_id("u1");
  remove.set_tag("vip");
  v1::RemoveMemberTagResponse removed;
  REQUIRE(AsAdmin([&](grpc::ClientContext* c) { return f.admin_stub->RemoveMemberTag(c, remove, &removed); }).ok());
  CHECK(std::vector<std::string>(removed.manual_tags().begin(), removed.manual_tags().end()) ==
        std::vector<std::string>{"高价值"});

  grpc::ClientContext customer;
  ::zhongtai::testing::CallAs(customer, "gateway", "u1");
  CHECK(FromGrpcStatus(f.admin_stub->AddMemberTags(&customer, add, &added), customer).code() ==
        absl::StatusCode::kPermissionDenied);
}

TEST_CASE("the admin member list filters by tier and lifecycle stage") {
  Fixture f;
  REQUIRE(f.lifecycle.Sweep().ok());
  v1::ListMembersRequest request;
  request.set_lifecycle_stage(v1::LIFECYCLE_STAGE_CHURNED);
  v1::ListMembersResponse response;
  REQUIRE(AsAdmin([&](grpc::ClientContext* c) { return f.admin_stub->ListMembers(c, request, &response); }).ok());
  REQUIRE(response.members_size() == 1);
  CHECK(response.members(0).user_id() == "u1");
  CHECK(response.members(0).tier() == v1::MEMBER_TIER_GOLD);
  CHECK(response.members(0).points_balance() == 300);

  request.set_page_token("not-a-token");
  absl::Status bad = AsAdmin([&](grpc::ClientContext* c) { return f.admin_stub->ListMembers(c, request, &response); });
  CHECK(ReasonOf(bad) == "PAGE_TOKEN_INVALID");
}

TEST_CASE("the recall list comes back as a CSV file with formulas neutralised") {
  Fixture f;
  REQUIRE(f.lifecycle.RecordOrder("u2", f.clock.Now() - 100 * kDay).ok());
  v1::ExportRecallListResponse response;
  REQUIRE(AsAdmin([&](grpc::ClientContext* c) {
            return f.admin_stub->ExportRecallList(c, v1::ExportRecallListRequest(), &response);
          }).ok());
  CHECK(response.file().content_type() == "text/csv; charset=utf-8");
  CHECK(response.file().file_name() == "recall.csv");
  CHECK(response.file().body().rfind("user_id,nickname,tier,points_balance,last_order_time,dormant_since\r\n", 0) == 0);
  CHECK(response.file().body().find("u2,'=cmd|' /C calc'!A0,normal,0,") != std::string::npos);
  CHECK(response.file().body().find("u1") == std::string::npos);  // churned, not dormant
}

TEST_CASE("marketing lists a segment's members, nobody else may") {
  Fixture f;
  REQUIRE(f.tags.AddManual("u2", {"vip"}).ok());
  v1::ListSegmentMembersRequest request;
  request.set_tag("vip");
  v1::ListSegmentMembersResponse response;
  {
    grpc::ClientContext marketing;
    ::zhongtai::testing::CallAs(marketing, "marketing");
    REQUIRE(FromGrpcStatus(f.segments_stub->ListSegmentMembers(&marketing, request, &response), marketing).ok());
  }
  CHECK(std::vector<std::string>(response.user_ids().begin(), response.user_ids().end()) ==
        std::vector<std::string>{"u2"});
  {
    grpc::ClientContext order;
    ::zhongtai::testing::CallAs(order, "order");
    CHECK(FromGrpcStatus(f.segments_stub->ListSegmentMembers(&order, request, &response), order).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    grpc::ClientContext marketing;
    ::zhongtai::testing::CallAs(marketing, "marketing");
    absl::Status missing = FromGrpcStatus(
        f.segments_stub->ListSegmentMembers(&marketing, v1::ListSegmentMembersRequest(), &response), marketing);
    CHECK(ReasonOf(missing) == "SEGMENT_FILTER_MISSING");
  }
}

}  // namespace zhongtai::user
