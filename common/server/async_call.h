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
#include "google/protobuf/descriptor.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"

namespace zhongtai::server {
namespace internal {

// Keeps a parameter out of template argument deduction (std::type_identity before C++20).
template <typename T>
struct NotDeduced {
  using type = T;
};

// Whether the RPC taking `request` may be sent twice: its proto marks it NO_SIDE_EFFECTS or IDEMPOTENT.
bool MayRepeat(const google::protobuf::Descriptor& request);

// gRPC 1.51 can end a call that waits for a restarting backend (wait-for-ready, the backend's old process exiting)
// with DEADLINE_EXCEEDED while its deadline is still seconds away; its own retries do not cover that. Such a call is
// sent again (up to kMaxRepeats times) when it may be repeated and at least 250 ms of its deadline is left.
bool EndedBeforeItsDeadline(const grpc::Status& status, const grpc::ClientContext& context);

inline constexpr int kMaxRepeats = 3;

template <typename AsyncStub, typename Request, typename Response>
struct AsyncCall {
  using Method = void (AsyncStub::*)(grpc::ClientContext*, const Request*, Response*,
                                     std::function<void(grpc::Status)>);
  AsyncStub* stub;
  Method method;
  Request request;
  CarriedCall scope;
  std::function<void(absl::StatusOr<Response>)> done;
  std::unique_ptr<grpc::ClientContext> context;
  Response response;
  int repeats = 0;

  // Owns itself until the call ends.
  void Start(absl::Duration timeout) {
    {
      ResumedCall in_scope(scope);
      context = NewClientContext(timeout);
    }
    (stub->*method)(context.get(), &request, &response, [this](grpc::Status status) {
      if (repeats < kMaxRepeats && EndedBeforeItsDeadline(status, *context) && MayRepeat(*Request::descriptor())) {
        ++repeats;
        response.Clear();
        return Start(absl::FromChrono(context->deadline() - std::chrono::system_clock::now()));
      }
      std::unique_ptr<AsyncCall> finished(this);
      absl::StatusOr<Response> result = status.ok() ? absl::StatusOr<Response>(std::move(response))
                                                    : absl::StatusOr<Response>(FromGrpcStatus(status, *context));
      ResumedCall resumed(std::move(scope));
      done(std::move(result));
    });
  }
};

}  // namespace internal

template <typename AsyncStub, typename Request, typename Response>
void CallAsync(AsyncStub* stub,
               void (AsyncStub::*method)(grpc::ClientContext*, const Request*, Response*,
                                         std::function<void(grpc::Status)>),
               typename internal::NotDeduced<Request>::type request, absl::Duration timeout,
               typename internal::NotDeduced<std::function<void(absl::StatusOr<Response>)>>::type done) {
  auto* call = new internal::AsyncCall<AsyncStub, Request, Response>{
      stub, method, std::move(request), CarryCurrentCall(), std::move(done), nullptr, Response()};
  call->Start(timeout);
}

}  // namespace zhongtai::server
