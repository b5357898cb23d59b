// The /metrics endpoint of one process, the same for every service and the gateway: its registry,
// scrape-time gauges, process_* resource metrics, the process-wide grpc_client_* metrics and
// zt_build_info{service,version}.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "common/metrics/collectors.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace zhongtai::metrics {

class Endpoint {
 public:
  explicit Endpoint(const std::string& service);
  ~Endpoint();

  prometheus::Registry& registry() { return *registry_; }
  CallbackGauges& gauges() { return *gauges_; }

  // Serves /metrics on `address` ("0.0.0.0:9101"; port 0 picks a free one). UNAVAILABLE if it cannot bind.
  absl::Status Expose(const std::string& address);
  int port() const { return port_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<CallbackGauges> gauges_;
  // The exposer holds collectables by weak pointer: the endpoint owns them.
  std::shared_ptr<ProcessCollector> process_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace zhongtai::metrics
