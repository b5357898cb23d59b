#include "common/metrics/endpoint.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/metrics/rpc_metrics.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"

namespace zhongtai::metrics {

Endpoint::Endpoint(const std::string& service)
    : registry_(std::make_shared<prometheus::Registry>()),
      gauges_(std::make_shared<CallbackGauges>()),
      process_(std::make_shared<ProcessCollector>()) {
  prometheus::BuildGauge()
      .Name("zt_build_info")
      .Help("Always 1; labels name the service and its version.")
      .Register(*registry_)
      .Add({{"service", service}, {"version", ZT_VERSION}})
      .Set(1);
}

Endpoint::~Endpoint() {
  if (!exposer_) return;
  // Stopping civetweb waits for its listener thread, which polls in 2 s slices; a shutdown would end
  // up to 2 s late. Connecting to the port wakes the poll so the thread sees the stop at once.
  std::atomic<bool> stopped{false};
  std::thread waker([this, &stopped] {
    while (!stopped.load()) {
      int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_port = htons(static_cast<uint16_t>(port_));
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
      close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped.store(true);
  waker.join();
}

absl::Status Endpoint::Expose(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("cannot serve metrics on ", address, ": ", e.what()));
  }
  exposer_->RegisterCollectable(registry_);
  exposer_->RegisterCollectable(ClientRegistry());
  exposer_->RegisterCollectable(gauges_);
  exposer_->RegisterCollectable(process_);
  auto ports = exposer_->GetListeningPorts();
  port_ = ports.empty() ? 0 : ports.front();
  return absl::OkStatus();
}

}  // namespace zhongtai::metrics
