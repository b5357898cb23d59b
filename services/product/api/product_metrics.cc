#include "services/product/api/product_metrics.h"

#include <string>

namespace zhongtai::product {

PrometheusInventoryObserver::PrometheusInventoryObserver(prometheus::Registry& registry)
    : reservations_(prometheus::BuildCounter()
                        .Name("zt_stock_reservations_total")
                        .Help("Stock reservation outcomes: reserved, insufficient, confirmed, released, expired.")
                        .Register(registry)) {
  // Every series from the start, so that rates and alerts see zeros instead of gaps.
  for (const char* result : {"reserved", "insufficient", "confirmed", "released", "expired"}) {
    reservations_.Add({{"result", result}});
  }
}

void PrometheusInventoryObserver::ReservationResult(absl::string_view result) {
  reservations_.Add({{"result", std::string(result)}}).Increment();
}

}  // namespace zhongtai::product
