// The server interceptor that establishes and checks the caller of every call (see identity.h): the peer's
// service from its verified certificate (or, in development plaintext mode, from x-zt-caller), the user from
// a token verified with the user service's public key, then Authorize() against the method's proto.
// gRPC's server interceptors cannot fail a call before its handler runs, so the decision is kept per call:
// RunBlocking answers a refused call with it without running the handler's work, and the interceptor
// replaces the status of any other handler's answer with it.
#pragma once

#include <memory>

#include "absl/status/statusor.h"
#include "common/server/identity.h"
#include "common/server/security.h"
#include "grpcpp/support/server_interceptor.h"

namespace grpc {
class ServerContextBase;
}

namespace zhongtai::server {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> NewAuthInterceptorFactory(
    const Security& security);

// The caller the interceptor admitted for the call of `context`, or the status it refused the call with.
// A call the interceptor did not see is refused (UNAUTHENTICATED): nothing is served unchecked.
absl::StatusOr<Caller> AdmittedCaller(const grpc::ServerContextBase* context);

}  // namespace zhongtai::server
