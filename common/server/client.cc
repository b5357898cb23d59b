#include "common/server/client.h"

#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/async_call.h"
#include "common/server/call_scope.h"
#include "common/server/security.h"
#include "common/server/service_runner.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "grpcpp/support/client_interceptor.h"

namespace zhongtai::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

thread_local CallScope t_call;

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

std::string CalleeName(const std::string& service) {
  std::vector<std::string> parts = absl::StrSplit(service, '.');
  return parts.size() >= 2 && parts[0] == "zhongtai" ? parts[1] : service;
}

const CallScope& CurrentCall() { return t_call; }

ScopedCall::ScopedCall(CallScope scope) : previous_(std::move(t_call)) { t_call = std::move(scope); }
ScopedCall::~ScopedCall() { t_call = std::move(previous_); }

CarriedCall CarryCurrentCall() { return {t_call, log::CurrentRequest()}; }

std::string ServiceConfigJson(const google::protobuf::ServiceDescriptor& service, const ChannelPolicy& policy) {
  return ServiceConfigJson(std::vector<const google::protobuf::ServiceDescriptor*>{&service}, policy);
}

std::string ServiceConfigJson(const std::vector<const google::protobuf::ServiceDescriptor*>& services,
                              const ChannelPolicy& policy) {
  using google::protobuf::MethodOptions;
  std::map<MethodOptions::IdempotencyLevel, std::vector<std::string>> names;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      names[method->options().idempotency_level()].push_back(
          absl::StrCat(R"({"service":")", service->full_name(), R"(","method":")", method->name(), R"("})"));
    }
  }
  // Waiting for the channel to be ready (up to the deadline) carries retried calls over a backend's
  // restart or a pod rollover instead of failing them at once.
  std::string retry = absl::StrCat(R"("waitForReady":true,"retryPolicy":{"maxAttempts":)", policy.max_attempts,
                                   R"(,"initialBackoff":"0.05s","maxBackoff":"1s","backoffMultiplier":2,)",
                                   R"("retryableStatusCodes":["UNAVAILABLE"]})");
  std::vector<std::string> method_configs;
  for (const auto& [level, methods] : names) {
    bool read = level == MethodOptions::NO_SIDE_EFFECTS;
    bool retried = read || level == MethodOptions::IDEMPOTENT;
    absl::Duration timeout = read ? policy.read_timeout : policy.write_timeout;
    method_configs.push_back(absl::StrCat(R"({"name":[)", absl::StrJoin(methods, ","), R"(],"timeout":")",
                                          absl::ToDoubleSeconds(timeout), R"(s")", retried ? "," + retry : "", "}"));
  }
  // Health checking per backend: one that reports NOT_SERVING (shutting down) gets no new calls.
  // Retry throttling: after a run of failures (about 50 more than a tenth of the successes) retries
  // stop piling onto a struggling server.
  return absl::StrCat(R"({"loadBalancingConfig":[{"round_robin":{}}],"healthCheckConfig":{"serviceName":")",
                      kReadinessService, R"("},"methodConfig":[)", absl::StrJoin(method_configs, ","),
                      R"(],"retryThrottling":{"maxTokens":100,"tokenRatio":0.1}})");
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const std::string& service,
                                           const ChannelPolicy& policy) {
  return MakeChannel(target, std::vector<std::string>{service}, policy);
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const std::vector<std::string>& services,
                                           const ChannelPolicy& policy) {
  std::vector<const google::protobuf::ServiceDescriptor*> descriptors;
  for (const std::string& service : services) {
    const google::protobuf::ServiceDescriptor* descriptor =
        google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(service);
    if (descriptor == nullptr) {
      // A programming error (the service's code is not linked in); its calls still work, without retries.
      log::Error("no descriptor for the called service; its calls will not be retried", {{"service", service}});
      continue;
    }
    descriptors.push_back(descriptor);
  }
  grpc::ChannelArguments args;
  if (!descriptors.empty()) args.SetServiceConfigJSON(ServiceConfigJson(descriptors, policy));
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  // Reconnect quickly after a backend restarts (gRPC's default first backoff is 1 s).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  // Despite its name, gRPC (1.51) reads this as the least time one connection attempt is given before it is cut
  // (its connect deadline; default 20 s), not as a backoff. It was 100 ms: a backend slower than that to accept a
  // connection and send its HTTP/2 SETTINGS (busy, under a sanitizer) had every first attempt cut, the channel went
  // to TRANSIENT_FAILURE, and calls that do not wait for ready failed UNAVAILABLE at once (client_test.cc). 2 s
  // still gives up soon on an address that never answers.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 2000);
  const Security& security = ProcessSecurity();
  SetCalleeName(security, services.empty() ? std::string() : CalleeName(services.front()), args);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ClientMetricsFactory>());
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, ChannelCredentialsFor(security), args,
                                                                 std::move(interceptors));
}

namespace internal {

bool MayRepeat(const google::protobuf::Descriptor& request) {
  const google::protobuf::FileDescriptor* file = request.file();
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int m = 0; m < service->method_count(); ++m) {
      const google::protobuf::MethodDescriptor* method = service->method(m);
      if (method->input_type() != &request) continue;
      return method->options().idempotency_level() != google::protobuf::MethodOptions::IDEMPOTENCY_UNKNOWN;
    }
  }
  return false;
}

bool EndedBeforeItsDeadline(const grpc::Status& status, const grpc::ClientContext& context) {
  constexpr auto kRepeatBudget = std::chrono::milliseconds(250);
  return status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED &&
         context.deadline() - std::chrono::system_clock::now() > kRepeatBudget;
}

}  // namespace internal

std::unique_ptr<grpc::ClientContext> NewClientContext(absl::Duration timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  const CallScope& call = t_call;
  auto deadline = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout);
  if (call.deadline < deadline) deadline = call.deadline;
  context->set_deadline(deadline);
  if (!call.request_id.empty()) context->AddMetadata("x-request-id", call.request_id);
  if (!call.traceparent.empty()) context->AddMetadata("traceparent", call.traceparent);
  // The callee checks the same user this call was admitted for.
  if (!call.caller.user_token.empty()) context->AddMetadata(kUserTokenMetadata, call.caller.user_token);
  const Security& security = ProcessSecurity();
  if (security.plaintext && !security.service.empty()) context->AddMetadata(kCallerServiceMetadata, security.service);
  return context;
}

}  // namespace zhongtai::server
