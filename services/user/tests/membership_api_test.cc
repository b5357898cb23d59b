// The MembershipService over a real in-process gRPC server, on the in-memory points store: who may call what,
// the customer taken from the call's identity, page tokens, and the answers the order saga relies on.
#include "services/user/api/membership_api.h"

#include <catch2/catch.hpp>

#include "common/status/grpc_status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/user/tests/in_memory_membership_store.h"
#include "services/user/tests/in_memory_points_store.h"
#include "services/user/tests/in_memory_segment_stores.h"

namespace zhongtai::user {
namespace {

struct Call {
  explicit Call(const std::string& service, const std::string& user_id = "") {
    ::zhongtai::testing::CallAs(context, service, user_id);
  }
  grpc::ClientContext context;
  absl::Status Result(const grpc::Status& status) { return FromGrpcStatus(status, context); }
};

struct Fixture {
  Fixture()
      : points(store, clock, PointsSettings{}),
        membership(membership_store, points, clock, MembershipSettings{}),
        rewards(points, clock, RewardConfig()),
        tags(segment_stores, clock),
        lifecycle(segment_stores, clock, LifecycleSettings{}),
        api(points, membership, rewards, tags, lifecycle, server.workers()) {
    stub = server.Start<v1::MembershipService>(&api);
  }
  testing::InMemoryPointsStore store;
  FakeClock clock;
  Points points;
  testing::InMemoryMembershipStore membership_store;
  Membership membership;
  static RewardSettings RewardConfig() {
    RewardSettings settings;
    settings.sign_in_points = 5;
    settings.review_points = 20;
    return settings;
  }
  user::Rewards rewards;
  testing::InMemorySegmentStores segment_stores;
  Tags tags;
  Lifecycle lifecycle;
  zhongtai::testing::ApiServer server{"user"};
  MembershipApi api;
  std::unique_ptr<v1::MembershipService::Stub> stub;
};

}  // namespace

TEST_CASE("the order saga holds, commits and releases a customer's points by order id") {
  Fixture f;
  REQUIRE(f.points.Earn({"u1", 1000, "gift", "gift:1"}).ok());

  v1::HoldPointsRequest hold;
  hold.set_order_id("o1");
  hold.set_points(300);
  hold.mutable_order_amount()->set_currency("CNY");
  hold.mutable_order_amount()->set_amount_minor(10000);
  v1::HoldPointsResponse held;
  {
    Call call("order", "u1");
    REQUIRE(call.Result(f.stub->HoldPoints(&call.context, hold, &held)).ok());
  }
  CHECK(held.hold().status() == v1::POINTS_HOLD_STATUS_HELD);
  CHECK(held.hold().value().amount_minor() == 300);
  CHECK(held.hold().value().currency() == "CNY");
  {
    // The gateway cannot reach an internal RPC, even for a signed-in customer.
    Call call("gateway", "u1");
    v1::HoldPointsResponse out;
    absl::Status refused = call.Result(f.stub->HoldPoints(&call.context, hold, &out));
    CHECK(refused.code() == absl::StatusCode::kPermissionDenied);
  }
  {
    // Without a customer behind the call there is nobody to hold points of.
    Call call("order");
    v1::HoldPointsResponse out;
    CHECK(ReasonOf(call.Result(f.stub->HoldPoints(&call.context, hold, &out))) == "USER_REQUIRED");
  }
  {
    // Another customer's order answers as a missing one.
    Call call("order", "u2");
    v1::CommitPointsRequest commit;
    commit.set_order_id("o1");
    v1::CommitPointsResponse out;
    CHECK(ReasonOf(call.Result(f.stub->CommitPoints(&call.context, commit, &out))) == "POINTS_HOLD_NOT_FOUND");
  }
  {
    // The unpaid-order sweeper calls without a customer.
    Call call("order");
    v1::ReleasePointsRequest release;
    release.set_order_id("o1");
    v1::ReleasePointsResponse out;
    REQUIRE(call.Result(f.stub->ReleasePoints(&call.context, release, &out)).ok());
    CHECK(out.hold().status() == v1::POINTS_HOLD_STATUS_RELEASED);
  }
  {
    Call call("order");
    v1::CommitPointsRequest commit;
    commit.set_order_id("o1");
    v1::CommitPointsResponse out;
    absl::Status late = call.Result(f.stub->CommitPoints(&call.context, commit, &out));
    CHECK(late.code() == absl::StatusCode::kFailedPrecondition);
    CHECK(ReasonOf(late) == "POINTS_HOLD_RELEASED");
  }
  {
    Call call("order", "u1");
    v1::HoldPointsRequest too_much = hold;
    too_much.set_order_id("o2");
    too_much.set_points(5001);
    v1::HoldPointsResponse out;
    CHECK(ReasonOf(call.Result(f.stub->HoldPoints(&call.context, too_much, &out))) == "POINTS_OVER_REDEEM_LIMIT");
  }
  CHECK(*f.points.Balance("u1") == 1000);
}

TEST_CASE("a customer reads their own points, page by page") {
  Fixture f;
  for (int i = 0; i < 5; ++i) REQUIRE(f.points.Earn({"u1", 10, "signed in", "sign-in:" + std::to_string(i)}).ok());
  REQUIRE(f.points.Earn({"u2", 999, "gift", "gift:u2"}).ok());
  v1::GetMyPointsRequest request;
  request.set_page_size(2);
  int entries = 0;
  int pages = 0;
  do {
    Call call("gateway", "u1");
    v1::GetMyPointsResponse response;
    REQUIRE(call.Result(f.stub->GetMyPoints(&call.context, request, &response)).ok());
    CHECK(response.balance() == 50);
    CHECK(response.balance_value().amount_minor() == 50);
    CHECK(response.expiring_points() == 0);
    entries += response.entries_size();
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  CHECK(entries == 5);
  CHECK(pages == 3);

  Call call("gateway", "u1");
  request.set_page_token("not-a-token");
  v1::GetMyPointsResponse response;
  absl::Status bad = call.Result(f.stub->GetMyPoints(&call.context, request, &response));
  CHECK(ReasonOf(bad) == "PAGE_TOKEN_INVALID");
  CHECK(FieldOf(bad) == "pageToken");
}

TEST_CASE("marketing and the order saga read a member, nobody else may") {
  Fixture f;
  REQUIRE(f.membership.OnOrderPaid({"u1", "o1", 600000, f.clock.Now()}).ok());
  v1::GetMemberRequest request;
  request.set_user_id("u1");
  {
    Call call("marketing");
    v1::GetMemberResponse response;
    REQUIRE(call.Result(f.stub->GetMember(&call.context, request, &response)).ok());
    CHECK(response.member().tier().tier() == v1::MEMBER_TIER_GOLD);
    CHECK(response.member().tier().points_multiplier_percent() == 150);
    CHECK(response.member().tier().free_shipping_threshold().amount_minor() == 4900);
    CHECK(response.member().growth() == 6000);
    CHECK(response.member().points_balance() == 6000);
  }
  {
    // On behalf of a customer the call is about that customer.
    Call call("order", "u2");
    v1::GetMemberResponse response;
    CHECK(ReasonOf(call.Result(f.stub->GetMember(&call.context, request, &response))) == "USER_ID_MISMATCH");
  }
  for (const char* service : {"gateway", "datahub", "product"}) {
    Call call(service, "u1");
    v1::GetMemberResponse response;
    CHECK(call.Result(f.stub->GetMember(&call.context, request, &response)).code() ==
          absl::StatusCode::kPermissionDenied);
  }
}

TEST_CASE("an admin reads and replaces the tier table, a bad table is refused with the field") {
  Fixture f;
  v1::GetTierTableResponse table;
  {
    grpc::ClientContext admin;
    ::zhongtai::testing::CallAs(admin, "gateway", "admin-1", "admin");
    REQUIRE(FromGrpcStatus(f.stub->GetTierTable(&admin, v1::GetTierTableRequest(), &table), admin).ok());
  }
  REQUIRE(table.tiers_size() == 4);
  CHECK(table.tiers(3).name() == "钻石卡");
  v1::UpdateTierTableRequest update;
  *update.mutable_tiers() = table.tiers();
  update.mutable_tiers(1)->set_growth_threshold(800);
  update.mutable_tiers(3)->set_birthday_coupon_template_id("ct_birthday");
  {
    grpc::ClientContext admin;
    ::zhongtai::testing::CallAs(admin, "gateway", "admin-1", "admin");
    v1::UpdateTierTableResponse out;
    REQUIRE(FromGrpcStatus(f.stub->UpdateTierTable(&admin, update, &out), admin).ok());
    CHECK(out.tiers(1).growth_threshold() == 800);
  }
  CHECK(f.membership.GetTiers()->rules[3].birthday_coupon_template_id == "ct_birthday");
  update.mutable_tiers(2)->set_growth_threshold(700);
  {
    grpc::ClientContext admin;
    ::zhongtai::testing::CallAs(admin, "gateway", "admin-1", "admin");
    v1::UpdateTierTableResponse out;
    absl::Status bad = FromGrpcStatus(f.stub->UpdateTierTable(&admin, update, &out), admin);
    CHECK(ReasonOf(bad) == "TIER_THRESHOLDS_NOT_INCREASING");
    CHECK(FieldOf(bad) == "tiers[2].growthThreshold");
  }
  {
    // A customer is not an admin.
    grpc::ClientContext customer;
    ::zhongtai::testing::CallAs(customer, "gateway", "u1");
    v1::UpdateTierTableResponse out;
    CHECK(FromGrpcStatus(f.stub->UpdateTierTable(&customer, update, &out), customer).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  CHECK(f.membership.GetTiers()->rules[1].growth_threshold == 800);
}

TEST_CASE("a customer signs in once a day, as themselves") {
  Fixture f;
  v1::SignInResponse first;
  {
    Call call("gateway", "u1");
    REQUIRE(call.Result(f.stub->SignIn(&call.context, v1::SignInRequest(), &first)).ok());
  }
  CHECK(first.points_awarded() == 5);
  CHECK_FALSE(first.already_signed_in());
  CHECK(first.balance() == 5);
  v1::SignInResponse again;
  {
    Call call("gateway", "u1");
    REQUIRE(call.Result(f.stub->SignIn(&call.context, v1::SignInRequest(), &again)).ok());
  }
  CHECK(again.already_signed_in());
  CHECK(again.day() == first.day());
  CHECK(*f.points.Balance("u1") == 5);
  {
    Call call("gateway");
    v1::SignInResponse anonymous;
    CHECK(call.Result(f.stub->SignIn(&call.context, v1::SignInRequest(), &anonymous)).code() ==
          absl::StatusCode::kUnauthenticated);
  }
}

TEST_CASE("product awards review points once per review, and a customer cannot award themselves") {
  Fixture f;
  v1::AwardPointsRequest request;
  request.set_user_id("u1");
  request.set_reason(v1::POINTS_AWARD_REASON_PRODUCT_REVIEW);
  request.set_reference_id("review-9");
  for (int i = 0; i < 2; ++i) {
    Call call("product");
    v1::AwardPointsResponse response;
    REQUIRE(call.Result(f.stub->AwardPoints(&call.context, request, &response)).ok());
    CHECK(response.points_awarded() == 20);
    CHECK(response.duplicate() == (i == 1));
  }
  CHECK(*f.points.Balance("u1") == 20);
  {
    Call call("gateway", "u1");
    v1::AwardPointsResponse response;
    CHECK(call.Result(f.stub->AwardPoints(&call.context, request, &response)).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    Call call("product");
    request.set_reason(v1::POINTS_AWARD_REASON_UNSPECIFIED);
    v1::AwardPointsResponse response;
    absl::Status status = call.Result(f.stub->AwardPoints(&call.context, request, &response));
    CHECK(ReasonOf(status) == "AWARD_REASON_INVALID");
  }
}

TEST_CASE("GetMember tells marketing a member's tags and lifecycle stage") {
  Fixture f;
  f.segment_stores.AddCustomer("u1", {"Ann", f.clock.Now() - absl::Hours(24 * 100)});
  REQUIRE(f.tags.AddManual("u1", {"vip"}).ok());
  REQUIRE(f.tags.ApplyComputed("u1", {*MakeComputedTag(ComputedKind::kRfm, "at_risk", f.clock.Now())}).ok());
  v1::GetMemberRequest request;
  request.set_user_id("u1");
  v1::GetMemberResponse response;
  Call call("marketing");
  REQUIRE(call.Result(f.stub->GetMember(&call.context, request, &response)).ok());
  CHECK(std::vector<std::string>(response.member().tags().begin(), response.member().tags().end()) ==
        std::vector<std::string>{"vip", "rfm:at_risk"});
  CHECK(response.member().lifecycle_stage() == v1::LIFECYCLE_STAGE_DORMANT);
}

}  // namespace zhongtai::user
