#include "common/server/service_runner.h"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "common/config/env.h"
#include "common/log/log.h"
#include "common/metrics/endpoint.h"
#include "common/metrics/rpc_metrics.h"
#include "common/server/auth_interceptor.h"
#include "common/server/call_scope.h"
#include "common/status/grpc_status.h"
#include "common/status/status.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcpp/support/server_interceptor.h"

namespace zhongtai::server {
namespace {

using grpc::experimental::InterceptionHookPoints;

std::atomic<bool> g_shutdown_requested{false};

void OnSignal(int) { g_shutdown_requested.store(true); }

std::string Metadata(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata, const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// "00-<trace id>-<span id>-<flags>" -> trace id, or empty when malformed.
std::string TraceIdOf(const std::string& traceparent) {
  std::vector<std::string> parts = absl::StrSplit(traceparent, '-');
  if (parts.size() != 4 || parts[1].size() != 32) return "";
  return parts[1];
}

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using Type = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case Type::UNARY: return "unary";
    case Type::CLIENT_STREAMING: return "client_stream";
    case Type::SERVER_STREAMING: return "server_stream";
    case Type::BIDI_STREAMING: return "bidi_stream";
  }
  return "unary";
}

// Codes that mean the server failed, as opposed to the caller asking for something wrong.
bool IsServerFault(int code) { return code == 2 || code == 4 || code == 13 || code == 14 || code == 15; }

class ServerMetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  ServerMetricsInterceptor(grpc::experimental::ServerRpcInfo* info, metrics::RpcMetrics& metrics)
      : rpc_(info->method() ? info->method() : "/unknown/unknown"),
        method_(metrics.ForMethod(rpc_, TypeName(info->type()))) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = absl::Now();
      method_.started->Increment();
      if (auto* metadata = methods->GetRecvInitialMetadata()) {
        request_id_ = Metadata(*metadata, "x-request-id");
        trace_id_ = TraceIdOf(Metadata(*metadata, "traceparent"));
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      int code = status.error_code();
      double seconds = absl::ToDoubleSeconds(absl::Now() - start_);
      method_.handled[code >= 0 && code < 17 ? code : 2]->Increment();
      method_.handling_seconds->Observe(seconds);
      log::ScopedRequestContext scope({request_id_, trace_id_, rpc_});
      log::Write(IsServerFault(code) ? log::Level::kError : log::Level::kDebug, "rpc finished",
                 {{"code", metrics::CodeName(code)},
                  {"duration_ms", absl::StrCat(seconds * 1000)},
                  {"error", status.error_message()}});
    }
    methods->Proceed();
  }

 private:
  std::string rpc_;
  metrics::RpcMetrics::Method& method_;
  absl::Time start_ = absl::Now();
  std::string request_id_;
  std::string trace_id_;
};

class ServerMetricsFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ServerMetricsFactory(metrics::RpcMetrics& metrics) : metrics_(metrics) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new ServerMetricsInterceptor(info, metrics_);
  }

 private:
  metrics::RpcMetrics& metrics_;
};

std::string ServiceFullName(const std::string& service) {
  std::string capitalised = service;
  if (!capitalised.empty()) capitalised[0] = absl::ascii_toupper(capitalised[0]);
  return absl::StrCat("zhongtai.", service, ".v1.", capitalised, "Service");
}

}  // namespace

class Metrics {
 public:
  explicit Metrics(const std::string& service) : endpoint(service), server_rpcs(endpoint.registry(), "server") {}

  metrics::Endpoint endpoint;
  metrics::RpcMetrics server_rpcs;
};

int InvalidConfiguration(const absl::Status& status) {
  log::Error("invalid configuration", {{"error", std::string(status.message())}});
  return kExitBadConfiguration;
}

void PrepareProcess() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

int RunMain(int argc, char** argv, const std::function<int(const CommandLine&)>& main_body) {
  PrepareProcess();
  CommandLine command_line;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--migrate-only") {
      command_line.migrate_only = true;
    } else {
      std::fprintf(stderr, "unknown argument %s\nusage: %s [--migrate-only]\n", argv[i], argv[0]);
      return 2;
    }
  }
  return main_body(command_line);
}

absl::StatusOr<RunnerOptions> ServiceOptions(std::string service, int grpc_port, int metrics_port, int worker_threads) {
  absl::StatusOr<Security> security = LoadSecurity(service);
  config::Env env("ZT_");
  RunnerOptions options;
  options.reflection = env.Bool("GRPC_REFLECTION", options.reflection);
  options.health_port = static_cast<int>(env.Int("HEALTH_PORT", options.health_port, -1, 65535));
  absl::Status status = env.Finish();
  if (!security.ok() || !status.ok()) {
    std::string errors = security.ok() ? "" : std::string(security.status().message());
    if (!status.ok()) absl::StrAppend(&errors, errors.empty() ? "" : "; ", status.message());
    return absl::InvalidArgumentError(errors);
  }
  options.service = std::move(service);
  options.security = *std::move(security);
  options.grpc_address = absl::StrCat(options.security.bind_address, ":", grpc_port);
  options.metrics_address = absl::StrCat(options.security.bind_address, ":", metrics_port);
  options.worker_threads = worker_threads;
  SetProcessSecurity(options.security);
  return options;
}

ServiceRunner::ServiceRunner(RunnerOptions options)
    : options_(std::move(options)),
      metrics_(std::make_unique<Metrics>(options_.service)),
      workers_(std::make_unique<WorkerPool>(options_.worker_threads, options_.worker_queue)) {
  metrics_->endpoint.gauges().Add("zt_worker_queue_depth", "Blocking calls waiting for a worker thread.", {},
                                  [this] { return workers_->queued(); });
  metrics_->endpoint.gauges().Add("zt_worker_busy", "Worker threads running a blocking call.", {},
                                  [this] { return workers_->busy(); });
  metrics_->endpoint.gauges().Add("zt_worker_queue_capacity", "Blocking calls that may wait before load is shed.", {},
                                  [this] { return options_.worker_queue; });
}

ServiceRunner::~ServiceRunner() = default;

prometheus::Registry& ServiceRunner::registry() { return metrics_->endpoint.registry(); }

metrics::CallbackGauges& ServiceRunner::gauges() { return metrics_->endpoint.gauges(); }

void ServiceRunner::AddService(grpc::Service* service) { services_.push_back(service); }

void ServiceRunner::OnShutdown(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }

absl::Status ServiceRunner::Start() {
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::signal(SIGPIPE, SIG_IGN);

  if (absl::Status status = metrics_->endpoint.Expose(options_.metrics_address); !status.ok()) return status;
  metrics_port_ = metrics_->endpoint.port();

  metrics_->server_rpcs.PreInitService(ServiceFullName(options_.service));
  metrics_->server_rpcs.PreInitService("grpc.health.v1.Health");

  grpc::EnableDefaultHealthCheckService(true);
  if (options_.reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options_.grpc_address, ServerCredentialsFor(options_.security), &grpc_port_);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options_.max_connection_age)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(options_.drain_timeout)));
  // Our clients ping every 30 s while a call is open (GRPC_ARG_KEEPALIVE_TIME_MS in client.cc), and the gateway
  // always has one open (its health Watch). gRPC servers by default take a ping without data more often than every
  // 5 min as abuse: after two they send GOAWAY ENHANCE_YOUR_CALM "too_many_pings", and a request starting on that
  // connection fails UNAVAILABLE (the fault scenario met it: the first admin call after two quiet minutes answered
  // 503). Accept pings every 10 s and up.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(std::make_unique<ServerMetricsFactory>(metrics_->server_rpcs));
  interceptors.push_back(NewAuthInterceptorFactory(options_.security));
  builder.experimental().SetInterceptorCreators(std::move(interceptors));
  server_ = builder.BuildAndStart();
  if (!server_ || grpc_port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot serve gRPC on ", options_.grpc_address));
  }
  if (options_.health_port >= 0) {
    // Only the default health service: this port answers probes and nothing else.
    grpc::ServerBuilder health_builder;
    int health_port = 0;
    std::string address = absl::StrCat(options_.security.bind_address, ":", options_.health_port);
    health_builder.AddListeningPort(address, grpc::InsecureServerCredentials(), &health_port);
    health_server_ = health_builder.BuildAndStart();
    if (!health_server_ || health_port == 0)
      return absl::UnavailableError(absl::StrCat("cannot serve health on ", address));
  }
  SetHealth(true);
  log::Info("serving", {{"grpc_port", absl::StrCat(grpc_port_)}, {"metrics_port", absl::StrCat(metrics_port_)}});
  return absl::OkStatus();
}

void ServiceRunner::SetHealth(bool serving) {
  for (grpc::Server* server : {server_.get(), health_server_.get()}) {
    if (server == nullptr) continue;
    auto* health = server->GetHealthCheckService();
    // "" is the whole server; liveness and readiness have their own names so probes can differ.
    health->SetServingStatus(serving);
    health->SetServingStatus(kLivenessService, true);
    health->SetServingStatus(kReadinessService, serving);
    health->SetServingStatus(ServiceFullName(options_.service), serving);
  }
}

int ServiceRunner::Wait() {
  while (!g_shutdown_requested.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  Shutdown();
  return 0;
}

int ServiceRunner::Run() {
  if (absl::Status status = Start(); !status.ok()) {
    log::Error("cannot start", {{"error", std::string(status.message())}});
    return 1;
  }
  return Wait();
}

void ServiceRunner::RequestShutdown() { g_shutdown_requested.store(true); }

void ServiceRunner::Shutdown() {
  log::Info("shutting down", {{"drain_timeout_ms", absl::StrCat(absl::ToInt64Milliseconds(options_.drain_timeout))}});
  SetHealth(false);
  std::this_thread::sleep_for(absl::ToChronoMilliseconds(options_.lame_duck));
  // Calls in flight get until the deadline to finish; after it they are cancelled.
  server_->Shutdown(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(options_.drain_timeout));
  workers_->Stop();
  for (auto it = shutdown_hooks_.rbegin(); it != shutdown_hooks_.rend(); ++it) (*it)();
  server_->Wait();
  if (health_server_) health_server_->Shutdown();
  log::Info("stopped");
}

grpc::ServerUnaryReactor* RunBlocking(WorkerPool& pool, grpc::CallbackServerContext* context,
                                      std::function<absl::Status()> work) {
  return RunAsync(pool, context, [work = std::move(work)](FinishCall finish) { finish(work()); });
}

grpc::ServerUnaryReactor* RunAsync(WorkerPool& pool, grpc::CallbackServerContext* context,
                                   std::function<void(FinishCall finish)> work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<Caller> caller = AdmittedCaller(context);
  if (!caller.ok()) {
    reactor->Finish(ToGrpcStatus(caller.status(), context));
    return reactor;
  }
  absl::Status overloaded = Error(absl::StatusCode::kResourceExhausted, "OVERLOADED", "server is busy, retry later");
  if (!pool.TryOpenCall()) {
    reactor->Finish(ToGrpcStatus(overloaded, context));
    return reactor;
  }
  const auto& metadata = context->client_metadata();
  CallScope call{context->deadline(), Metadata(metadata, "x-request-id"), Metadata(metadata, "traceparent"),
                 *std::move(caller)};
  auto finished = std::make_shared<std::atomic<bool>>(false);
  FinishCall finish = [&pool, reactor, context, finished](absl::Status status) {
    if (finished->exchange(true)) {
      log::Error("a call was finished twice; the second outcome is dropped", {{"error", status.ToString()}});
      return;
    }
    pool.CloseCall();
    reactor->Finish(ToGrpcStatus(status, context));
  };
  auto task = [context, work = std::move(work), call = std::move(call), finish]() mutable {
    if (context->IsCancelled()) {
      finish(absl::CancelledError("call cancelled before it ran"));
      return;
    }
    log::ScopedRequestContext log_scope({call.request_id, TraceIdOf(call.traceparent), ""});
    ScopedCall call_scope(std::move(call));
    try {
      work(finish);
    } catch (const std::exception& e) {
      log::Error("unexpected exception", {{"error", e.what()}});
      finish(Internal("INTERNAL", "internal error"));
    }
  };
  if (!pool.TrySubmit(std::move(task))) finish(overloaded);
  return reactor;
}

}  // namespace zhongtai::server
