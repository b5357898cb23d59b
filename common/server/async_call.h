// Calls to other services that do not hold a thread while they wait: gRPC's callback API with the same context a
// blocking call gets from NewClientContext (the current call's deadline, capped by a per-call timeout; its request id,
// trace context and the user's signed token; this service's TLS identity through the channel from MakeChannel).
//
//   server::CallAsync(stub_->async(), &v1::ProductService::Stub::async::BatchGetSkus, std::move(request),
//                     absl::Seconds(3), [done](absl::StatusOr<v1::BatchGetSkusResponse> response) { ... });
#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/call_scope.h"
#include "common/server/client.h"
#include "common/status/grpc_status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace zhongtai::server {
namespace internal {

// Keeps a parameter out of template argument deduction (std::type_identity before C++20).
template <typename T>
struct NotDeduced {
  using type = T;
};

}  // namespace internal

// Starts `method` on `stub` (a generated Stub's async()) and returns at once. `done` gets the response, or the callee's
// status with its reason and field, exactly once, on a gRPC thread: it must not block (hand blocking work to the worker
// pool, see PoolExecutor). It runs in the call scope of the thread that started the call, so the calls it starts in
// turn carry the same deadline, request id, trace context and user. The context, request and response belong to the
// call and are freed after `done` returned.
template <typename AsyncStub, typename Request, typename Response>
void CallAsync(AsyncStub* stub,
               void (AsyncStub::*method)(grpc::ClientContext*, const Request*, Response*,
                                         std::function<void(grpc::Status)>),
               typename internal::NotDeduced<Request>::type request, absl::Duration timeout,
               typename internal::NotDeduced<std::function<void(absl::StatusOr<Response>)>>::type done) {
  struct Call {
    std::unique_ptr<grpc::ClientContext> context;
    Request request;
    Response response;
    CarriedCall scope;
    std::function<void(absl::StatusOr<Response>)> done;
  };
  auto* call = new Call{NewClientContext(timeout), std::move(request), Response(), CarryCurrentCall(), std::move(done)};
  (stub->*method)(call->context.get(), &call->request, &call->response, [call](grpc::Status status) {
    std::unique_ptr<Call> finished(call);
    absl::StatusOr<Response> result = status.ok()
                                          ? absl::StatusOr<Response>(std::move(finished->response))
                                          : absl::StatusOr<Response>(FromGrpcStatus(status, *finished->context));
    ResumedCall resumed(std::move(finished->scope));
    finished->done(std::move(result));
  });
}

}  // namespace zhongtai::server
