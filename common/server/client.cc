#include "common/server/client.h"

#include <vector>

#include "absl/time/clock.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/call_scope.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"
#include "grpcpp/support/channel_arguments.h"

namespace zhongtai::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

thread_local CallScope t_call;

// Every internal call is keyed (request id, order id) and so safe to retry when the server was
// unreachable; retry throttling stops retries from piling onto a struggling server.
constexpr char kServiceConfig[] = R"({
  "loadBalancingConfig": [{"round_robin": {}}],
  "methodConfig": [{
    "name": [{}],
    "retryPolicy": {
      "maxAttempts": 3,
      "initialBackoff": "0.05s",
      "maxBackoff": "0.5s",
      "backoffMultiplier": 2,
      "retryableStatusCodes": ["UNAVAILABLE"]
    }
  }],
  "retryThrottling": {"maxTokens": 10, "tokenRatio": 0.1}
})";

class ClientMetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ClientMetricsInterceptor(grpc::experimental::ClientRpcInfo* info)
      : method_(metrics::ClientMetrics().ForMethod(info->method() ? info->method() : "/unknown/unknown")) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      start_ = absl::Now();
      method_.started->Increment();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      int code = methods->GetRecvStatus()->error_code();
      method_.handled[code >= 0 && code < 17 ? code : 2]->Increment();
      method_.handling_seconds->Observe(absl::ToDoubleSeconds(absl::Now() - start_));
    }
    methods->Proceed();
  }

 private:
  metrics::RpcMetrics::Method& method_;
  absl::Time start_ = absl::Now();
};

class ClientMetricsFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(grpc::experimental::ClientRpcInfo* info) override {
    return new ClientMetricsInterceptor(info);
  }
};

}  // namespace

const CallScope& CurrentCall() { return t_call; }

ScopedCall::ScopedCall(CallScope scope) : previous_(std::move(t_call)) { t_call = std::move(scope); }
ScopedCall::~ScopedCall() { t_call = std::move(previous_); }

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  grpc::ChannelArguments args;
  args.SetServiceConfigJSON(kServiceConfig);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ClientMetricsFactory>());
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, grpc::InsecureChannelCredentials(), args,
                                                                 std::move(interceptors));
}

std::unique_ptr<grpc::ClientContext> NewClientContext(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  const CallScope& call = t_call;
  auto deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  if (call.deadline < deadline) deadline = call.deadline;
  context->set_deadline(deadline);
  if (!call.request_id.empty()) context->AddMetadata("x-request-id", call.request_id);
  if (!call.traceparent.empty()) context->AddMetadata("traceparent", call.traceparent);
  return context;
}

}  // namespace zhongtai::server
