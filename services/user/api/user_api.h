// zhongtai.user.v1.UserService: maps proto <-> domain and runs the domain (which validates and
// hashes passwords, slow on purpose) on the worker pool. The gateway fills GetMe's user_id from the
// caller's token; this layer trusts it.
#pragma once

#include "common/server/worker_pool.h"
#include "services/user/domain/accounts.h"
#include "services/user/domain/addresses.h"
#include "services/user/domain/membership.h"
#include "zhongtai/user/v1/user.grpc.pb.h"

namespace zhongtai::user {

class UserApi : public v1::UserService::CallbackService {
 public:
  UserApi(Accounts& accounts, Membership& membership, AddressBook& addresses, server::WorkerPool& workers)
      : accounts_(accounts), membership_(membership), addresses_(addresses), workers_(workers) {}

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* context, const v1::RegisterRequest* request,
                                     v1::RegisterResponse* response) override;
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* context, const v1::LoginRequest* request,
                                  v1::LoginResponse* response) override;
  grpc::ServerUnaryReactor* RefreshSession(grpc::CallbackServerContext* context,
                                           const v1::RefreshSessionRequest* request,
                                           v1::RefreshSessionResponse* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* context, const v1::LogoutRequest* request,
                                   v1::LogoutResponse* response) override;
  grpc::ServerUnaryReactor* ChangePassword(grpc::CallbackServerContext* context,
                                           const v1::ChangePasswordRequest* request,
                                           v1::ChangePasswordResponse* response) override;
  grpc::ServerUnaryReactor* GetMe(grpc::CallbackServerContext* context, const v1::GetMeRequest* request,
                                  v1::GetMeResponse* response) override;
  grpc::ServerUnaryReactor* UpdateMe(grpc::CallbackServerContext* context, const v1::UpdateMeRequest* request,
                                     v1::UpdateMeResponse* response) override;
  // Admin only (the proto's access, enforced before the handler); the admin is the calling user.
  grpc::ServerUnaryReactor* SetUserRole(grpc::CallbackServerContext* context, const v1::SetUserRoleRequest* request,
                                        v1::SetUserRoleResponse* response) override;

  // The address book (address_api.cc).
  grpc::ServerUnaryReactor* ListAddresses(grpc::CallbackServerContext* context, const v1::ListAddressesRequest* request,
                                          v1::ListAddressesResponse* response) override;
  grpc::ServerUnaryReactor* CreateAddress(grpc::CallbackServerContext* context, const v1::CreateAddressRequest* request,
                                          v1::CreateAddressResponse* response) override;
  grpc::ServerUnaryReactor* UpdateAddress(grpc::CallbackServerContext* context, const v1::UpdateAddressRequest* request,
                                          v1::UpdateAddressResponse* response) override;
  grpc::ServerUnaryReactor* DeleteAddress(grpc::CallbackServerContext* context, const v1::DeleteAddressRequest* request,
                                          v1::DeleteAddressResponse* response) override;
  grpc::ServerUnaryReactor* SetDefaultAddress(grpc::CallbackServerContext* context,
                                              const v1::SetDefaultAddressRequest* request,
                                              v1::SetDefaultAddressResponse* response) override;
  grpc::ServerUnaryReactor* GetAddress(grpc::CallbackServerContext* context, const v1::GetAddressRequest* request,
                                       v1::GetAddressResponse* response) override;

 private:
  Accounts& accounts_;
  Membership& membership_;
  AddressBook& addresses_;
  server::WorkerPool& workers_;
};

// Domain -> proto. Never copies the password hash.
void ToProto(const User& user, v1::User* out);
void ToProto(const IssuedTokens& tokens, v1::Tokens* out);
void ToProto(const Address& address, v1::Address* out);

}  // namespace zhongtai::user
