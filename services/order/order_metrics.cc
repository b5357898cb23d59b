#include "services/order/order_metrics.h"

namespace zhongtai::order {

PrometheusOrderObserver::PrometheusOrderObserver(prometheus::Registry& registry)
    : placed_(prometheus::BuildCounter()
                  .Name("zt_orders_placed_total")
                  .Help("Orders placed, by sales channel.")
                  .Register(registry)),
      failures_(prometheus::BuildCounter()
                    .Name("zt_order_placement_failures_total")
                    .Help("Order placements that failed and were undone, by reason.")
                    .Register(registry)),
      payments_(prometheus::BuildCounter()
                    .Name("zt_payments_total")
                    .Help("Payments finished, by result.")
                    .Register(registry)) {
  for (const char* channel : {"web", "app", "mini_program"}) placed_.Add({{"channel", channel}});
  for (const char* result :
       {"succeeded", "declined", "reservation_expired", "deadline_passed", "refunded", "amount_mismatch"}) {
    payments_.Add({{"result", result}});
  }
}

void PrometheusOrderObserver::OrderPlaced(const std::string& channel) {
  placed_.Add({{"channel", channel}}).Increment();
}

void PrometheusOrderObserver::PlacementFailed(const std::string& reason) {
  failures_.Add({{"reason", reason}}).Increment();
}

void PrometheusOrderObserver::PaymentFinished(const std::string& result) {
  payments_.Add({{"result", result}}).Increment();
}

}  // namespace zhongtai::order
