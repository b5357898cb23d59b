// Who is calling an RPC, and whether they may. Every RPC declares its callers in its proto: the users its
// http route admits (public, customer, admin), reached through the gateway, and the services named in its
// (zhongtai.api.v1.callers) option. The service runner's interceptor establishes the caller of every call
// and enforces the declaration before any handler runs.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace google::protobuf {
class MethodDescriptor;
}

namespace zhongtai::server {

// Metadata the gateway (and a service calling on behalf of the same user) sends: the user's access token,
// signed by the user service, so the callee verifies who the user is without trusting the caller for it.
inline constexpr char kUserTokenMetadata[] = "x-zt-user-token";
// The channel app's device id (the gateway passes the X-Zt-Device-Id header on as this); a client's claim, never
// verified: marketing caps coupon claims per device with it (coupon farming).
inline constexpr char kDeviceIdMetadata[] = "x-zt-device-id";
// Development plaintext mode only: the calling service names itself (nothing can be verified without TLS).
inline constexpr char kCallerServiceMetadata[] = "x-zt-caller";

struct Caller {
  // The service that holds the connection: the name in its certificate ("gateway", "order"); empty when
  // the peer proved no identity.
  std::string service;
  // The user on whose behalf it calls, from a verified token; empty for none.
  std::string user_id;
  std::string role;  // "customer" or "admin"
  // The verified token, passed on to the services this call calls.
  std::string user_token;
};

// OK when `caller` may call `method`. UNAUTHENTICATED (reason PEER_UNAUTHENTICATED) when the peer proved no
// service identity, or (USER_REQUIRED) when a customer route is called without a user; PERMISSION_DENIED
// (CALLER_NOT_ALLOWED, ADMIN_REQUIRED) when the caller is known but not admitted. Health checks are open to all;
// server reflection to any authenticated service.
absl::Status Authorize(const std::string& full_method, const google::protobuf::MethodDescriptor* method,
                       const Caller& caller);

// The user of the call the current thread is serving (see RunBlocking): UNAUTHENTICATED reason USER_REQUIRED
// when the call carries no verified user.
absl::StatusOr<std::string> CallingUserId();

// The whole caller of the current call.
const Caller& CurrentCaller();

}  // namespace zhongtai::server
