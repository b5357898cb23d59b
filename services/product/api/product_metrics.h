// zt_stock_reservations_total{result} for the inventory domain.
#pragma once

#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/product/domain/ports.h"

namespace zhongtai::product {

class PrometheusInventoryObserver : public InventoryObserver {
 public:
  explicit PrometheusInventoryObserver(prometheus::Registry& registry);
  void ReservationResult(absl::string_view result) override;

 private:
  prometheus::Family<prometheus::Counter>& reservations_;
};

}  // namespace zhongtai::product
