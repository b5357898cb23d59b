// Calls to other services: one channel per target with the suite's service config (round_robin,
// retries of UNAVAILABLE for reads) and client metrics, and client contexts that carry the current
// call's deadline, request id and trace context.
#pragma once

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"

namespace zhongtai::server {

// target: "host:port" or "dns:///name:port".
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target);

// A context for a call made while serving a request (see RunBlocking): its deadline is the earlier
// of the incoming call's deadline and now + timeout; x-request-id and traceparent are passed on.
std::unique_ptr<grpc::ClientContext> NewClientContext(absl::Duration timeout = absl::Seconds(3));

}  // namespace zhongtai::server
