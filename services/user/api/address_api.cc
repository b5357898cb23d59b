// UserService's address book RPCs (the class is in user_api.h).
#include "common/proto/convert.h"
#include "common/server/identity.h"
#include "common/server/service_runner.h"
#include "common/status/status.h"
#include "services/user/api/user_api.h"

namespace zhongtai::user {

using proto::ToTimestamp;

void ToProto(const Address& address, v1::Address* out) {
  out->set_address_id(address.address_id);
  out->set_recipient_name(address.recipient_name);
  out->set_recipient_phone(address.recipient_phone);
  out->set_province_code(address.province_code);
  out->set_city_code(address.city_code);
  out->set_district_code(address.district_code);
  out->set_detail(address.detail);
  out->set_is_default(address.is_default);
  *out->mutable_create_time() = ToTimestamp(address.created_at);
  *out->mutable_update_time() = ToTimestamp(address.updated_at);
}

namespace {

AddressInput FromProto(const v1::AddressFields& in) {
  AddressInput input;
  input.recipient_name = in.recipient_name();
  input.recipient_phone = in.recipient_phone();
  input.province_code = in.province_code();
  input.city_code = in.city_code();
  input.district_code = in.district_code();
  input.detail = in.detail();
  input.make_default = in.make_default();
  return input;
}

absl::Status CheckAddressId(const std::string& address_id) {
  if (address_id.empty()) return InvalidArgument("addressId", "ADDRESS_ID_MISSING", "address id is required");
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* UserApi::ListAddresses(grpc::CallbackServerContext* context,
                                                 const v1::ListAddressesRequest* request,
                                                 v1::ListAddressesResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(std::vector<Address> book, addresses_.List(user_id));
    for (const Address& address : book) ToProto(address, response->add_addresses());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::CreateAddress(grpc::CallbackServerContext* context,
                                                 const v1::CreateAddressRequest* request,
                                                 v1::CreateAddressResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    ASSIGN_OR_RETURN(Address address, addresses_.Add(user_id, FromProto(request->address()), request->request_id()));
    ToProto(address, response->mutable_address());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::UpdateAddress(grpc::CallbackServerContext* context,
                                                 const v1::UpdateAddressRequest* request,
                                                 v1::UpdateAddressResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(CheckAddressId(request->address_id()));
    ASSIGN_OR_RETURN(Address address, addresses_.Update(user_id, request->address_id(), FromProto(request->address())));
    ToProto(address, response->mutable_address());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::DeleteAddress(grpc::CallbackServerContext* context,
                                                 const v1::DeleteAddressRequest* request,
                                                 v1::DeleteAddressResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(CheckAddressId(request->address_id()));
    RETURN_IF_ERROR(addresses_.Delete(user_id, request->address_id()));
    response->set_address_id(request->address_id());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::SetDefaultAddress(grpc::CallbackServerContext* context,
                                                     const v1::SetDefaultAddressRequest* request,
                                                     v1::SetDefaultAddressResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(CheckAddressId(request->address_id()));
    ASSIGN_OR_RETURN(Address address, addresses_.SetDefault(user_id, request->address_id()));
    ToProto(address, response->mutable_address());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* UserApi::GetAddress(grpc::CallbackServerContext* context,
                                              const v1::GetAddressRequest* request, v1::GetAddressResponse* response) {
  return server::RunBlocking(workers_, context, [=]() -> absl::Status {
    // Only on behalf of the customer whose address it is: an order never ships to someone else's book.
    ASSIGN_OR_RETURN(std::string user_id, server::CallingUserId());
    RETURN_IF_ERROR(CheckAddressId(request->address_id()));
    ASSIGN_OR_RETURN(Address address, addresses_.Get(user_id, request->address_id()));
    ToProto(address, response->mutable_address());
    return absl::OkStatus();
  });
}

}  // namespace zhongtai::user
