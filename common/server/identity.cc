#include "common/server/identity.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "common/server/call_scope.h"
#include "common/status/status.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "zhongtai/api/v1/annotations.pb.h"

namespace zhongtai::server {
namespace {

constexpr char kGateway[] = "gateway";

absl::Status Unauthenticated(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kUnauthenticated, reason, message);
}

absl::Status Denied(absl::string_view reason, absl::string_view message) {
  return Error(absl::StatusCode::kPermissionDenied, reason, message);
}

// A call the gateway makes for a user: the route's access decides.
absl::Status AuthorizeUser(const api::v1::HttpRoute& route, const Caller& caller) {
  switch (route.access()) {
    case api::v1::ACCESS_PUBLIC: return absl::OkStatus();
    case api::v1::ACCESS_CUSTOMER:
      if (caller.user_id.empty()) return Unauthenticated("USER_REQUIRED", "this call needs a signed-in user");
      return absl::OkStatus();
    case api::v1::ACCESS_ADMIN:
      if (caller.user_id.empty()) return Unauthenticated("USER_REQUIRED", "this call needs a signed-in admin");
      if (caller.role != "admin") return Denied("ADMIN_REQUIRED", "this call needs an admin");
      return absl::OkStatus();
    // A partner's server, no user: the gateway checked the partner's signature before calling.
    case api::v1::ACCESS_PARTNER: return absl::OkStatus();
    default: return Denied("CALLER_NOT_ALLOWED", "this call declares no users who may make it");
  }
}

}  // namespace

absl::Status Authorize(const std::string& full_method, const google::protobuf::MethodDescriptor* method,
                       const Caller& caller) {
  if (absl::StartsWith(full_method, "/grpc.health.v1.Health/")) return absl::OkStatus();
  if (caller.service.empty()) {
    return Unauthenticated("PEER_UNAUTHENTICATED", "the caller presented no service certificate");
  }
  if (absl::StartsWith(full_method, "/grpc.reflection.")) return absl::OkStatus();
  // A method no proto of ours declares: nobody was admitted to it.
  if (method == nullptr) return Denied("CALLER_NOT_ALLOWED", "unknown method");

  const google::protobuf::MethodOptions& options = method->options();
  if (caller.service == kGateway && options.HasExtension(api::v1::http)) {
    return AuthorizeUser(options.GetExtension(api::v1::http), caller);
  }
  const auto& services = options.GetExtension(api::v1::callers).services();
  if (std::find(services.begin(), services.end(), caller.service) != services.end()) return absl::OkStatus();
  return Denied("CALLER_NOT_ALLOWED", "this service may not call this method");
}

const Caller& CurrentCaller() { return CurrentCall().caller; }

absl::StatusOr<std::string> CallingUserId() {
  const Caller& caller = CurrentCaller();
  if (caller.user_id.empty()) return Unauthenticated("USER_REQUIRED", "this call needs a signed-in user");
  return caller.user_id;
}

}  // namespace zhongtai::server
