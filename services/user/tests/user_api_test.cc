// The UserService over a real in-process gRPC server, with the domain on in-memory fakes.
#include "services/user/api/user_api.h"

#include <catch2/catch.hpp>
#include <memory>

#include "common/auth/token.h"
#include "common/status/grpc_status.h"
#include "common/testing/api_server.h"
#include "common/testing/callers.h"
#include "services/user/tests/fakes.h"
#include "services/user/tests/in_memory_address_store.h"
#include "services/user/tests/in_memory_membership_store.h"
#include "services/user/tests/in_memory_points_store.h"

namespace zhongtai::user {
namespace {

// A call the gateway makes, for `user_id` when set.
struct Call {
  explicit Call(const std::string& user_id = "") { ::zhongtai::testing::CallAs(context, "gateway", user_id); }
  grpc::ClientContext context;
  absl::Status Result(const grpc::Status& status) { return FromGrpcStatus(status, context); }
};

}  // namespace

TEST_CASE("register, login, refresh and get me over gRPC") {
  testing::InMemoryUserStore store;
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  AccountSettings settings;
  settings.token.signing_key = ::zhongtai::testing::TestTokenKeys().signing_key;
  settings.token.public_key = ::zhongtai::testing::TestTokenKeys().public_key;
  Accounts accounts(store, hasher, clock, ids, settings);

  zhongtai::testing::ApiServer server("user-test");
  testing::InMemoryPointsStore points_store;
  Points points(points_store, clock, PointsSettings{});
  testing::InMemoryMembershipStore membership_store;
  Membership membership(membership_store, points, clock, MembershipSettings{});
  testing::InMemoryAddressStore address_store;
  testing::SequentialAddressIds address_ids;
  AddressBook addresses(address_store, address_ids, clock);
  UserApi api(accounts, membership, addresses, server.workers());
  auto stub = server.Start<v1::UserService>(&api);

  v1::RegisterRequest reg;
  reg.set_email("Carol@Example.com");
  reg.set_password("s3cret-pass");
  reg.set_nickname("Carol");
  v1::RegisterResponse registered;
  {
    Call call;
    REQUIRE(call.Result(stub->Register(&call.context, reg, &registered)).ok());
  }
  CHECK(registered.email() == "carol@example.com");
  CHECK(registered.phone().empty());

  {
    // The login has an account now: the same answer, byte for byte, and the account keeps its password.
    Call call;
    v1::RegisterRequest taken = reg;
    taken.set_password("someone-elses-pass");
    v1::RegisterResponse again;
    REQUIRE(call.Result(stub->Register(&call.context, taken, &again)).ok());
    CHECK(again.SerializeAsString() == registered.SerializeAsString());
  }
  {
    Call call;
    v1::RegisterRequest bad = reg;
    bad.set_email("dave@example.com");
    bad.set_password("short");
    v1::RegisterResponse out;
    absl::Status invalid = call.Result(stub->Register(&call.context, bad, &out));
    CHECK(invalid.code() == absl::StatusCode::kInvalidArgument);
    CHECK(ReasonOf(invalid) == "PASSWORD_TOO_SHORT");
    CHECK(FieldOf(invalid) == "password");
  }

  v1::LoginRequest login;
  login.set_login("carol@example.com");
  login.set_password("s3cret-pass");
  v1::LoginResponse logged_in;
  {
    Call call;
    REQUIRE(call.Result(stub->Login(&call.context, login, &logged_in)).ok());
  }
  CHECK(logged_in.tokens().token_type() == "Bearer");
  CHECK(logged_in.tokens().expires_in() == 900);
  CHECK(logged_in.user().email() == "carol@example.com");
  CHECK(logged_in.user().role() == v1::ROLE_CUSTOMER);
  CHECK(logged_in.user().create_time().seconds() == absl::ToUnixSeconds(clock.Now()));
  auto claims = auth::VerifyAccessToken(settings.token, logged_in.tokens().access_token(), clock.Now());
  REQUIRE(claims.ok());
  CHECK(claims->subject == logged_in.user().user_id());

  for (const char* who : {"carol@example.com", "nobody@example.com"}) {
    Call call;
    v1::LoginRequest wrong;
    wrong.set_login(who);
    wrong.set_password("not-the-password");
    v1::LoginResponse out;
    absl::Status denied = call.Result(stub->Login(&call.context, wrong, &out));
    CHECK(denied.code() == absl::StatusCode::kUnauthenticated);
    CHECK(ReasonOf(denied) == "INVALID_CREDENTIALS");
  }

  v1::RefreshSessionRequest refresh;
  refresh.set_refresh_token(logged_in.tokens().refresh_token());
  {
    Call call;
    v1::RefreshSessionResponse out;
    REQUIRE(call.Result(stub->RefreshSession(&call.context, refresh, &out)).ok());
    CHECK(out.tokens().refresh_token() != refresh.refresh_token());
  }
  {
    Call call;
    v1::RefreshSessionResponse out;
    absl::Status reused = call.Result(stub->RefreshSession(&call.context, refresh, &out));
    CHECK(reused.code() == absl::StatusCode::kUnauthenticated);
    CHECK(ReasonOf(reused) == "REFRESH_TOKEN_INVALID");
  }

  {
    // The user is the one the token names.
    Call call(logged_in.user().user_id());
    v1::GetMeResponse out;
    REQUIRE(call.Result(stub->GetMe(&call.context, v1::GetMeRequest(), &out)).ok());
    CHECK(out.user().nickname() == "Carol");
    CHECK(out.user().email() == "carol@example.com");
    CHECK(out.member().tier().tier() == v1::MEMBER_TIER_NORMAL);
    CHECK(out.member().growth() == 0);
    CHECK(out.member().points_balance() == 0);
  }
  {
    // PATCH /v1/users/me: only the fields sent change; the email needs the current password.
    Call call(logged_in.user().user_id());
    v1::UpdateMeRequest patch;
    patch.set_nickname("Caroline");
    patch.set_gender(v1::GENDER_FEMALE);
    v1::UpdateMeResponse out;
    REQUIRE(call.Result(stub->UpdateMe(&call.context, patch, &out)).ok());
    CHECK(out.user().nickname() == "Caroline");
    CHECK(out.user().gender() == v1::GENDER_FEMALE);
    CHECK(out.user().email() == "carol@example.com");
    Call again(logged_in.user().user_id());
    v1::UpdateMeRequest email;
    email.set_email("carol2@example.com");
    absl::Status refused = again.Result(stub->UpdateMe(&again.context, email, &out));
    CHECK(ReasonOf(refused) == "CURRENT_PASSWORD_REQUIRED");
    CHECK(FieldOf(refused) == "currentPassword");
  }
  {
    // A paid order shows as growth, tier and points.
    REQUIRE(membership.OnOrderPaid({logged_in.user().user_id(), "o1", 123456, clock.Now()}).ok());
    Call call(logged_in.user().user_id());
    v1::GetMeResponse out;
    REQUIRE(call.Result(stub->GetMe(&call.context, v1::GetMeRequest(), &out)).ok());
    CHECK(out.member().tier().tier() == v1::MEMBER_TIER_SILVER);
    CHECK(out.member().tier().name() == "银卡");
    CHECK(out.member().growth() == 1234);
    CHECK(out.member().points_balance() == 1234);
    CHECK(out.member().next_tier().tier() == v1::MEMBER_TIER_GOLD);
    CHECK(out.member().growth_to_next_tier() == 5000 - 1234);
  }
  {
    Call call("u_missing");
    v1::GetMeResponse out;
    CHECK(call.Result(stub->GetMe(&call.context, v1::GetMeRequest(), &out)).code() == absl::StatusCode::kNotFound);
  }
  {
    Call call;  // no user
    v1::GetMeResponse out;
    absl::Status anonymous = call.Result(stub->GetMe(&call.context, v1::GetMeRequest(), &out));
    CHECK(anonymous.code() == absl::StatusCode::kUnauthenticated);
    CHECK(ReasonOf(anonymous) == "USER_REQUIRED");
  }
  {
    // Nobody vouches for the caller: not even a public call is served.
    grpc::ClientContext context;
    v1::RegisterResponse out;
    reg.set_email("eve@example.com");
    absl::Status unknown = FromGrpcStatus(stub->Register(&context, reg, &out), context);
    CHECK(unknown.code() == absl::StatusCode::kUnauthenticated);
    CHECK(ReasonOf(unknown) == "PEER_UNAUTHENTICATED");
  }
  {
    // A token signed by anyone but the user service is refused, whatever it claims.
    grpc::ClientContext context;
    context.AddMetadata(::zhongtai::server::kCallerServiceMetadata, "gateway");
    auth::TokenConfig forger;
    forger.signing_key = auth::NewKeyPair().signing_key;
    context.AddMetadata(::zhongtai::server::kUserTokenMetadata,
                        auth::SignAccessToken(forger, logged_in.user().user_id(), "admin", absl::Now()));
    v1::GetMeResponse out;
    absl::Status forged = FromGrpcStatus(stub->GetMe(&context, v1::GetMeRequest(), &out), context);
    CHECK(forged.code() == absl::StatusCode::kUnauthenticated);
    CHECK(ReasonOf(forged) == "TOKEN_INVALID");
  }

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

TEST_CASE("only an admin sets a role over gRPC, never their own") {
  testing::InMemoryUserStore store;
  testing::FakeHasher hasher;
  testing::FakeClock clock;
  testing::SequentialIds ids;
  testing::RecordingTokenRevoker revoker;
  AccountSettings settings;
  settings.token.signing_key = ::zhongtai::testing::TestTokenKeys().signing_key;
  settings.token.public_key = ::zhongtai::testing::TestTokenKeys().public_key;
  Accounts accounts(store, hasher, clock, ids, settings, &revoker);
  REQUIRE(accounts.EnsureAdmin("root@example.com", "admin-password").ok());
  const std::string admin_id = accounts.Login("root@example.com", "admin-password")->user.user_id;
  auto customer = accounts.Register({"cust@example.com", "", "customer-password", "Cust"});
  REQUIRE(customer.ok());
  REQUIRE(accounts.Login("cust@example.com", "customer-password").ok());

  zhongtai::testing::ApiServer server("user-role-test");
  testing::InMemoryPointsStore points_store;
  Points points(points_store, clock, PointsSettings{});
  testing::InMemoryMembershipStore membership_store;
  Membership membership(membership_store, points, clock, MembershipSettings{});
  testing::InMemoryAddressStore address_store;
  testing::SequentialAddressIds address_ids;
  AddressBook addresses(address_store, address_ids, clock);
  UserApi api(accounts, membership, addresses, server.workers());
  auto stub = server.Start<v1::UserService>(&api);

  auto set_role = [&](const std::string& caller, const std::string& caller_role, const std::string& user_id,
                      const std::string& role, v1::SetUserRoleResponse* out) {
    grpc::ClientContext context;
    ::zhongtai::testing::CallAs(context, "gateway", caller, caller_role);
    v1::SetUserRoleRequest request;
    request.set_user_id(user_id);
    request.set_role(role);
    return FromGrpcStatus(stub->SetUserRole(&context, request, out), context);
  };
  v1::SetUserRoleResponse out;
  // A customer (even one naming themselves) is refused before anything runs.
  absl::Status denied = set_role(customer->user_id, "customer", customer->user_id, "admin", &out);
  CHECK(denied.code() == absl::StatusCode::kPermissionDenied);
  CHECK(ReasonOf(denied) == "ADMIN_REQUIRED");
  CHECK(store.FindById(customer->user_id)->role == Role::kCustomer);

  absl::Status unknown = set_role(admin_id, "admin", customer->user_id, "root", &out);
  CHECK(unknown.code() == absl::StatusCode::kInvalidArgument);
  CHECK(FieldOf(unknown) == "role");
  absl::Status own = set_role(admin_id, "admin", admin_id, "customer", &out);
  CHECK(own.code() == absl::StatusCode::kPermissionDenied);
  CHECK(ReasonOf(own) == "OWN_ROLE_CHANGE_FORBIDDEN");

  REQUIRE(set_role(admin_id, "admin", customer->user_id, "admin", &out).ok());
  CHECK(out.user().role() == v1::ROLE_ADMIN);
  CHECK(out.sessions_ended());
  CHECK(store.live_sessions() == 1);  // the admin's; the account's own session ended
  CHECK(revoker.revoked_sessions().size() == 1);

  server.runner().RequestShutdown();
  CHECK(server.runner().Wait() == 0);
}

}  // namespace zhongtai::user
