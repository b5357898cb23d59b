// Calls to other services: one channel per target with a service config derived from the callee's
// proto (round_robin, per-method deadlines, retries of UNAVAILABLE for reads and keyed writes) and
// client metrics, and client contexts that carry the current call's deadline, request id and trace context.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace google::protobuf {
class ServiceDescriptor;
}

namespace zhongtai::server {

struct ChannelPolicy {
  // Deadline caps: reads (NO_SIDE_EFFECTS) and writes; the caller's own deadline applies when earlier.
  absl::Duration read_timeout = absl::Seconds(3);
  absl::Duration write_timeout = absl::Seconds(8);
  int max_attempts = 4;
};

// The gRPC service config for calls to `service`, read from its proto: round_robin over the
// resolved addresses that report zhongtai.readiness SERVING (client-side health checking, so a
// backend that is shutting down gets no new calls); per method a timeout; for methods whose proto says
// `idempotency_level = NO_SIDE_EFFECTS` (reads) or `IDEMPOTENT` (writes keyed by a request or order id, so a repeat is
// harmless) wait-for-ready and retries of UNAVAILABLE under retry throttling. The others are sent once.
std::string ServiceConfigJson(const google::protobuf::ServiceDescriptor& service, const ChannelPolicy& policy = {});
// The same over every service one backend serves (its channel carries calls to all of them).
std::string ServiceConfigJson(const std::vector<const google::protobuf::ServiceDescriptor*>& services,
                              const ChannelPolicy& policy = {});

// A channel to the one service named `service` ("zhongtai.product.v1.ProductService", as a stub's
// service_full_name() gives it) at `target` ("host:port" or "dns:///name:port") with that service config
// and the client metrics. The service's generated code must be linked in.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const std::string& service,
                                           const ChannelPolicy& policy = {});
// A channel to a backend that serves several services (the gateway's one channel per backend): each method of each
// of them gets its timeout, wait-for-ready and retries.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, const std::vector<std::string>& services,
                                           const ChannelPolicy& policy = {});

// The name a callee's certificate carries: "product" for "zhongtai.product.v1.ProductService".
std::string CalleeName(const std::string& service);

// A context for a call made while serving a request (see RunBlocking): its deadline is the earlier
// of the incoming call's deadline and now + timeout; x-request-id, traceparent and the user's signed token
// are passed on (and, in development plaintext mode, this service's name).
std::unique_ptr<grpc::ClientContext> NewClientContext(absl::Duration timeout = absl::Seconds(3));

}  // namespace zhongtai::server
