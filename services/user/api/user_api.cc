#include "services/user/api/user_api.h"

#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/user/api/membership_api.h"

namespace zhongtai::user {
namespace {

using proto::ToTimestamp;

v1::Gender ToProto(Gender gender) {
  switch (gender) {
    case Gender::kFemale: return v1::GENDER_FEMALE;
    case Gender::kMale: return v1::GENDER_MALE;
    case Gender::kOther: return v1::GENDER_OTHER;
    case Gender::kUnspecified: break;
  }
  return v1::GENDER_UNSPECIFIED;
}

Gender FromProto(v1::Gender gender) {
  switch (gender) {
    case v1::GENDER_FEMALE: return Gender::kFemale;
    case v1::GENDER_MALE: return Gender::kMale;
    case v1::GENDER_OTHER: return Gender::kOther;
    default: return Gender::kUnspecified;
  }
}

}  // namespace

void ToProto(const User& user, v1::User* out) {
  out->set_user_id(user.user_id);
  out->set_email(user.email);
  out->set_phone(user.phone);
  out->set_nickname(user.nickname);
  out->set_role(user.role == Role::kAdmin ? v1::ROLE_ADMIN : v1::ROLE_CUSTOMER);
  *out->mutable_create_time() = ToTimestamp(user.created_at);
  out->set_avatar_url(user.avatar_url);
  out->set_birthday(user.birthday);
  out->set_gender(ToProto(user.gender));
}

void ToProto(const IssuedTokens& tokens, v1::Tokens* out) {
  out->set_access_token(tokens.access_token);
  out->set_refresh_token(tokens.refresh_token);
  out->set_token_type("Bearer");
  *out->mutable_expire_time() = ToTimestamp(tokens.access_expires_at);
  out->set_expires_in(static_cast<int32_t>(absl::ToInt64Seconds(tokens.access_ttl)));
}

grpc::ServerUnaryReactor* UserApi::Register(grpc::CallbackServerContext* context, const v1::RegisterRequest* request,
                                            v1::RegisterResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    RegisterCommand command{request->email(), request->phone(), request->password(), request->nickname()};
    ASSIGN_OR_RETURN(SignUpReceipt receipt, accounts_.SignUp(command));
    response->set_email(receipt.email);
    response->set_phone(receipt.phone);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::Login(grpc::CallbackServerContext* context, const v1::LoginRequest* request,
                                         v1::LoginResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(LoginResult result, accounts_.Login(request->login(), request->password()));
    ToProto(result.tokens, response->mutable_tokens());
    ToProto(result.user, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::RefreshSession(grpc::CallbackServerContext* context,
                                                  const v1::RefreshSessionRequest* request,
                                                  v1::RefreshSessionResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    if (request->refresh_token().empty()) {
      return InvalidArgument("refreshToken", "REFRESH_TOKEN_MISSING", "refresh token is required");
    }
    ASSIGN_OR_RETURN(IssuedTokens tokens, accounts_.Refresh(request->refresh_token()));
    ToProto(tokens, response->mutable_tokens());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::GetMe(grpc::CallbackServerContext* context, const v1::GetMeRequest* request,
                                         v1::GetMeResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(User user, accounts_.GetMe(user_id));
    ToProto(user, response->mutable_user());
    ASSIGN_OR_RETURN(MemberView member, membership_.GetMember(user_id));
    ToProto(member, response->mutable_member());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::UpdateMe(grpc::CallbackServerContext* context, const v1::UpdateMeRequest* request,
                                            v1::UpdateMeResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ProfileUpdate update;
    if (request->has_nickname()) update.nickname = request->nickname();
    if (request->has_avatar_url()) update.avatar_url = request->avatar_url();
    if (request->has_birthday()) update.birthday = request->birthday();
    if (request->has_gender()) update.gender = FromProto(request->gender());
    if (request->has_email()) update.email = request->email();
    if (request->has_phone()) update.phone = request->phone();
    update.current_password = request->current_password();
    ASSIGN_OR_RETURN(User user, accounts_.UpdateProfile(user_id, update));
    ToProto(user, response->mutable_user());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::Logout(grpc::CallbackServerContext* context, const v1::LogoutRequest* request,
                                          v1::LogoutResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(accounts_.Logout(user_id, request->refresh_token()));
    response->set_signed_out(true);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::ChangePassword(grpc::CallbackServerContext* context,
                                                  const v1::ChangePasswordRequest* request,
                                                  v1::ChangePasswordResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(accounts_.ChangePassword(user_id, request->current_password(), request->new_password()));
    response->set_sessions_ended(true);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::SetUserRole(grpc::CallbackServerContext* context,
                                               const v1::SetUserRoleRequest* request,
                                               v1::SetUserRoleResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string admin_id, server::CallingUserId());
    ASSIGN_OR_RETURN(Accounts::RoleResult result, accounts_.SetRole(admin_id, request->user_id(), request->role()));
    ToProto(result.user, response->mutable_user());
    response->set_sessions_ended(result.sessions_ended);
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
