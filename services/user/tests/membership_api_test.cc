// The MembershipService over a real in-process gRPC server, on the in-memory points store: who may call what,
// the customer taken from the call's identity, page tokens, and the answers the order saga relies on.
#include "services/user/api/membership_api.h"

#include <catch2/catch.hpp>

#include "common/status/grpc_status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/user/tests/in_memory_points_store.h"

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
  Fixture() : points(store, clock, PointsSettings{}), api(points, server.workers()) {
    stub = server.Start<v1::MembershipService>(&api);
  }
  testing::InMemoryPointsStore store;
  FakeClock clock;
  Points points;
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

}  // namespace zhongtai::user
