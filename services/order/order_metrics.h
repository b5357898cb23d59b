// The order domain's business counters as Prometheus metrics (catalogue: docs/metrics.md).
#pragma once

#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/order/domain/ports.h"

namespace zhongtai::order {

class PrometheusOrderObserver : public OrderObserver {
 public:
  explicit PrometheusOrderObserver(prometheus::Registry& registry);
  void OrderPlaced(const std::string& channel) override;
  void PlacementFailed(const std::string& reason) override;
  void PaymentFinished(const std::string& result) override;

 private:
  prometheus::Family<prometheus::Counter>& placed_;
  prometheus::Family<prometheus::Counter>& failures_;
  prometheus::Family<prometheus::Counter>& payments_;
};

}  // namespace zhongtai::order
