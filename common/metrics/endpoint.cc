#include "common/metrics/endpoint.h"

#include "absl/strings/str_cat.h"
#include "common/metrics/rpc_metrics.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace zhongtai::metrics {

Endpoint::Endpoint(const std::string& service)
    : registry_(std::make_shared<prometheus::Registry>()), gauges_(std::make_shared<CallbackGauges>()) {
  prometheus::BuildGauge()
      .Name("zt_build_info")
      .Help("Always 1; labels name the service and its version.")
      .Register(*registry_)
      .Add({{"service", service}, {"version", ZT_VERSION}})
      .Set(1);
}

Endpoint::~Endpoint() = default;

absl::Status Endpoint::Expose(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(ClientRegistry());
  exposer_->RegisterCollectable(gauges_);
  exposer_->RegisterCollectable(std::make_shared<ProcessCollector>());
  auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return absl::OkStatus();
}

}  // namespace zhongtai::metrics
