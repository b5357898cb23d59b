#include "common/metrics/rpc_metrics.h"

#include <string>

#include "google/protobuf/descriptor.h"

namespace zhongtai::metrics {
namespace {

std::pair<std::string, std::string> SplitMethod(absl::string_view full_method) {
  // "/pkg.Service/Method"
  absl::string_view rest = full_method;
  if (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  size_t slash = rest.find('/');
  if (slash == absl::string_view::npos) return {std::string(rest), "unknown"};
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

}  // namespace

// go-grpc-prometheus spells code 1 "Canceled"; keep the label values it uses for every code.
const char* CodeName(int code) {
  static constexpr const char* kGoNames[17] = {
      "OK",       "Canceled",       "Unknown",          "InvalidArgument",   "DeadlineExceeded",
      "NotFound", "AlreadyExists",  "PermissionDenied", "ResourceExhausted", "FailedPrecondition",
      "Aborted",  "OutOfRange",     "Unimplemented",    "Internal",          "Unavailable",
      "DataLoss", "Unauthenticated"};
  return (code >= 0 && code < 17) ? kGoNames[code] : "Unknown";
}

const prometheus::Histogram::BucketBoundaries& LatencyBuckets() {
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                                   0.5,   1,    2.5,   5,    10};
  return kBuckets;
}

RpcMetrics::RpcMetrics(prometheus::Registry& registry, absl::string_view side)
    : started_(prometheus::BuildCounter()
                   .Name("grpc_" + std::string(side) + "_started_total")
                   .Help("Total number of RPCs started on the " + std::string(side) + ".")
                   .Register(registry)),
      handled_(prometheus::BuildCounter()
                   .Name("grpc_" + std::string(side) + "_handled_total")
                   .Help("Total number of RPCs completed on the " + std::string(side) +
                         ", regardless of success or failure.")
                   .Register(registry)),
      handling_(prometheus::BuildHistogram()
                    .Name(side == "server" ? "grpc_server_handling_seconds" : "grpc_client_handling_seconds")
                    .Help("Histogram of response latency (seconds) of gRPC that had been application-level handled.")
                    .Register(registry)) {}

RpcMetrics::Method& RpcMetrics::ForMethod(absl::string_view full_method, absl::string_view grpc_type) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = methods_.find(full_method);
  if (it != methods_.end()) return *it->second;
  auto [service, method] = SplitMethod(full_method);
  std::map<std::string, std::string> labels = {
      {"grpc_type", std::string(grpc_type)}, {"grpc_service", service}, {"grpc_method", method}};
  auto entry = std::make_unique<Method>();
  entry->started = &started_.Add(labels);
  for (int code = 0; code < 17; ++code) {
    auto with_code = labels;
    with_code["grpc_code"] = CodeName(code);
    entry->handled[code] = &handled_.Add(with_code);
  }
  entry->handling_seconds = &handling_.Add(labels, LatencyBuckets());
  Method& result = *entry;
  methods_.emplace(std::string(full_method), std::move(entry));
  return result;
}

void RpcMetrics::PreInitService(absl::string_view full_service_name) {
  const auto* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(std::string(full_service_name));
  if (service == nullptr) return;
  for (int i = 0; i < service->method_count(); ++i) {
    const auto* method = service->method(i);
    const char* type = method->client_streaming() ? (method->server_streaming() ? "bidi_stream" : "client_stream")
                                                  : (method->server_streaming() ? "server_stream" : "unary");
    ForMethod("/" + service->full_name() + "/" + method->name(), type);
  }
}

std::shared_ptr<prometheus::Registry> ClientRegistry() {
  static auto registry = std::make_shared<prometheus::Registry>();
  return registry;
}

RpcMetrics& ClientMetrics() {
  static RpcMetrics metrics(*ClientRegistry(), "client");
  return metrics;
}

}  // namespace zhongtai::metrics
