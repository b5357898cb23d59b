// One way to run a gRPC service: callback-API server, grpc.health.v1, reflection, RPC metrics on a
// /metrics port, a bounded worker pool for blocking work, and graceful shutdown on SIGTERM/SIGINT
// (health NOT_SERVING, drain in-flight calls until a deadline, run shutdown hooks, return 0).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/server/security.h"
#include "common/server/worker_pool.h"
#include "grpcpp/server.h"
#include "grpcpp/support/server_callback.h"

namespace prometheus {
class Registry;
}
namespace zhongtai::metrics {
class CallbackGauges;
}

namespace zhongtai::server {

class Metrics;

// Health service names for Kubernetes probes: liveness stays SERVING until exit; readiness goes
// NOT_SERVING when shutdown begins.
inline constexpr char kLivenessService[] = "zhongtai.liveness";
inline constexpr char kReadinessService[] = "zhongtai.readiness";

struct RunnerOptions {
  std::string service;  // e.g. "order": log and metric label
  std::string grpc_address = "127.0.0.1:0";
  std::string metrics_address = "127.0.0.1:0";
  // TLS and the token key; the default is development plaintext (tests).
  Security security;
  // Server reflection (grpcurl and friends); off in production.
  bool reflection = true;
  // A plaintext port serving only grpc.health.v1, for probes that cannot speak TLS (the kubelet's); -1: none.
  int health_port = -1;
  int worker_threads = 8;
  int worker_queue = 256;
  absl::Duration drain_timeout = absl::Seconds(10);
  // Between readiness going NOT_SERVING and the server refusing new calls: clients watching health
  // (MakeChannel's channels do) stop sending here first, so no call arrives at a closing server.
  absl::Duration lame_duck = absl::Milliseconds(500);
  // Servers close connections older than this so that clients re-resolve and spread over new pods.
  absl::Duration max_connection_age = absl::Minutes(5);
};

// The command line every service binary accepts: none to serve, or `--migrate-only` to apply the
// database migrations and exit 0 (a Kubernetes init container or a deploy step runs this).
struct CommandLine {
  bool migrate_only = false;
};

// Exit codes of a service's start: bad configuration (the process should not be restarted as is), and a
// dependency it cannot reach or a port it cannot bind.
inline constexpr int kExitBadConfiguration = 2;
inline constexpr int kExitCannotStart = 1;

// Logs "invalid configuration" with the status's message and returns kExitBadConfiguration.
int InvalidConfiguration(const absl::Status& status);

// Process-wide settings every server executable starts with (RunMain calls it; the gateway's main too): Abseil's
// mutex deadlock detection off. The distribution's Abseil is built with it on, and gRPC's locks pay a graph lookup
// on every acquisition (~2% of the flash sale's purchase path in perf); release builds of Abseil have it off.
void PrepareProcess();

// PrepareProcess(), then parses argv and calls `main_body`; an unknown argument prints the usage and returns 2.
int RunMain(int argc, char** argv, const std::function<int(const CommandLine&)>& main_body);

// What every service starts from: its name, gRPC and /metrics ports on ZT_BIND_ADDRESS, worker threads, and the
// shared settings of security.h plus ZT_GRPC_REFLECTION (default true) and ZT_HEALTH_PORT (default none). It also
// makes that security the process's, for the channels to other services. INVALID_ARGUMENT names every bad setting.
absl::StatusOr<RunnerOptions> ServiceOptions(std::string service, int grpc_port, int metrics_port, int worker_threads);

class ServiceRunner {
 public:
  explicit ServiceRunner(RunnerOptions options);
  ~ServiceRunner();

  const RunnerOptions& options() const { return options_; }
  WorkerPool& workers() { return *workers_; }
  prometheus::Registry& registry();
  // Gauges read at scrape time (pool in use, outbox lag, ...).
  metrics::CallbackGauges& gauges();

  // Register before Start(). The runner does not own the services.
  void AddService(grpc::Service* service);
  // Runs at shutdown after the server drained, in reverse order of registration (stop relays, close pools).
  void OnShutdown(std::function<void()> hook);

  // Binds the ports and starts serving. Errors if a port cannot be bound.
  absl::Status Start();
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }

  // Blocks until SIGTERM or SIGINT (or RequestShutdown), then shuts down gracefully. Returns the exit code.
  int Wait();
  // Start() then Wait(); logs and returns 1 when Start() fails.
  int Run();
  void RequestShutdown();

 private:
  void Shutdown();
  void SetHealth(bool serving);

  RunnerOptions options_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<WorkerPool> workers_;
  std::vector<grpc::Service*> services_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<grpc::Server> health_server_;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

// Runs `work` on the worker pool and finishes the call with its status. The calling thread's log
// context (request id, trace id, rpc), the call's deadline and its admitted caller (CurrentCaller()) are set
// while `work` runs, so that logs carry them and NewClientContext() passes them on. A call the auth
// interceptor refused is answered with its refusal and `work` never runs. A full pool answers
// RESOURCE_EXHAUSTED (reason OVERLOADED) at once.
grpc::ServerUnaryReactor* RunBlocking(WorkerPool& pool, grpc::CallbackServerContext* context,
                                      std::function<absl::Status()> work);

// Finishes a call started with RunAsync; call it exactly once, from any thread.
using FinishCall = std::function<void(absl::Status)>;

// Like RunBlocking, for work that goes on after `work` returns: `work` starts on the worker pool in the call's scope
// (deadline, caller, request id, trace and log context, as above) and hands `finish` to whatever completes the call,
// such as the callback of an asynchronous call to another service (server::CallAsync, which carries the scope along).
// The worker is free as soon as `work` returns; the call stays open until `finish` runs. Admission is the same: a
// refused caller is answered at once, and RESOURCE_EXHAUSTED comes at once when the pool's open calls (running,
// queued or waiting, see WorkerPool::TryOpenCall) are at their bound.
grpc::ServerUnaryReactor* RunAsync(WorkerPool& pool, grpc::CallbackServerContext* context,
                                   std::function<void(FinishCall finish)> work);

}  // namespace zhongtai::server
