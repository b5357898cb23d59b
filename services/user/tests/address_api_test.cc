// The address book over a real in-process gRPC server: the customer is the call's user, creation is once per
// request id, and the order saga reads one address of the customer it calls for.
#include <catch2/catch.hpp>

#include "common/status/grpc_status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/user/api/user_api.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_address_store.h"
#include "services/user/tests/in_memory_membership_store.h"
#include "services/user/tests/in_memory_points_store.h"

namespace zhongtai::user {
namespace {

struct Fixture {
  Fixture()
      : accounts(store, hasher, clock, ids, testing::TestAccountSettings()),
        points(points_store, clock, PointsSettings{}),
        membership(membership_store, points, clock, MembershipSettings{}),
        addresses(address_store, address_ids, clock),
        api(accounts, membership, addresses, server.workers()) {
    stub = server.Start<v1::UserService>(&api);
  }
  testing::InMemoryUserStore store;
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  Accounts accounts;
  testing::InMemoryPointsStore points_store;
  Points points;
  testing::InMemoryMembershipStore membership_store;
  Membership membership;
  testing::InMemoryAddressStore address_store;
  testing::SequentialAddressIds address_ids;
  AddressBook addresses;
  zhongtai::testing::ApiServer server{"user"};
  UserApi api;
  std::unique_ptr<v1::UserService::Stub> stub;
};

struct Call {
  Call(const std::string& service, const std::string& user_id) {
    ::zhongtai::testing::CallAs(context, service, user_id);
  }
  grpc::ClientContext context;
  absl::Status Result(const grpc::Status& status) { return FromGrpcStatus(status, context); }
};

v1::CreateAddressRequest Create(const std::string& request_id) {
  v1::CreateAddressRequest request;
  request.set_request_id(request_id);
  v1::AddressFields* fields = request.mutable_address();
  fields->set_recipient_name("王五");
  fields->set_recipient_phone("+86 139 0000 0000");
  fields->set_province_code("440000");
  fields->set_city_code("440300");
  fields->set_district_code("440305");
  fields->set_detail("科技园 1 号");
  return request;
}

}  // namespace

TEST_CASE("a customer keeps an address book, the order saga copies one address") {
  Fixture f;
  v1::CreateAddressResponse created;
  {
    Call call("gateway", "u1");
    REQUIRE(call.Result(f.stub->CreateAddress(&call.context, Create("key-1"), &created)).ok());
  }
  CHECK(created.address().is_default());
  CHECK(created.address().recipient_phone() == "+8613900000000");
  {
    Call call("gateway", "u1");
    v1::CreateAddressResponse again;
    REQUIRE(call.Result(f.stub->CreateAddress(&call.context, Create("key-1"), &again)).ok());
    CHECK(again.address().address_id() == created.address().address_id());
  }
  {
    Call call("gateway", "u1");
    v1::CreateAddressRequest bad = Create("key-2");
    bad.mutable_address()->set_district_code("450305");
    v1::CreateAddressResponse out;
    absl::Status refused = call.Result(f.stub->CreateAddress(&call.context, bad, &out));
    CHECK(refused.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(refused) == "REGION_CODES_INCONSISTENT");
    CHECK(FieldOf(refused) == "districtCode");
  }
  v1::GetAddressRequest get;
  get.set_address_id(created.address().address_id());
  {
    Call call("order", "u1");
    v1::GetAddressResponse snapshot;
    REQUIRE(call.Result(f.stub->GetAddress(&call.context, get, &snapshot)).ok());
    CHECK(snapshot.address().district_code() == "440305");
    CHECK(snapshot.address().detail() == "科技园 1 号");
  }
  {
    // Another customer's order cannot take this address; the gateway cannot call GetAddress at all.
    Call other("order", "u2");
    v1::GetAddressResponse out;
    CHECK(ReasonOf(other.Result(f.stub->GetAddress(&other.context, get, &out))) == "ADDRESS_NOT_FOUND");
    Call gateway("gateway", "u1");
    CHECK(gateway.Result(f.stub->GetAddress(&gateway.context, get, &out)).code() ==
          absl::StatusCode::kPermissionDenied);
  }
  {
    Call call("gateway", "u1");
    v1::DeleteAddressRequest del;
    del.set_address_id(created.address().address_id());
    v1::DeleteAddressResponse out;
    REQUIRE(call.Result(f.stub->DeleteAddress(&call.context, del, &out)).ok());
  }
  {
    Call call("gateway", "u1");
    v1::ListAddressesResponse list;
    REQUIRE(call.Result(f.stub->ListAddresses(&call.context, v1::ListAddressesRequest(), &list)).ok());
    CHECK(list.addresses_size() == 0);
  }
}

}  // namespace zhongtai::user
