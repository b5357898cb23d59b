// RPC metrics with the names go-grpc-prometheus users know: grpc_server_started_total,
// grpc_server_handled_total, grpc_server_handling_seconds and the grpc_client_* mirror.
// Series of known methods are created up front so that rate() and absent() work before traffic.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "absl/strings/string_view.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace zhongtai::metrics {

// The upper bounds of go-grpc-prometheus's default latency buckets, in seconds.
const prometheus::Histogram::BucketBoundaries& LatencyBuckets();

class RpcMetrics {
 public:
  // side: "server" or "client".
  RpcMetrics(prometheus::Registry& registry, absl::string_view side);

  struct Method {
    prometheus::Counter* started;
    std::array<prometheus::Counter*, 17> handled;  // by grpc code
    prometheus::Histogram* handling_seconds;
  };

  // full_method: "/package.Service/Method". grpc_type: "unary", "server_stream", ...
  Method& ForMethod(absl::string_view full_method, absl::string_view grpc_type = "unary");
  // Creates the series of every method of a service in the generated descriptor pool.
  void PreInitService(absl::string_view full_service_name);

 private:
  prometheus::Family<prometheus::Counter>& started_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& handling_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Method>, std::less<>> methods_;
};

// Name of a gRPC status code as go-grpc-prometheus writes it in the grpc_code label, e.g. "ResourceExhausted".
const char* CodeName(int code);

// Process-wide client metrics, shared by every channel made with server::MakeChannel.
RpcMetrics& ClientMetrics();
// The registry that ClientMetrics() lives in; the service runner exposes it.
std::shared_ptr<prometheus::Registry> ClientRegistry();

}  // namespace zhongtai::metrics
