// The simulator's HTTP/JSON API (README.md lists the routes): the provider's merchant API (create, query, close,
// refund), the buyer's "pay" (what scanning the QR code does), the control route tests use to make it misbehave, and
// the log of notification deliveries.
#pragma once

#include <string>

#include "services/payment-simulator/http_server.h"
#include "services/payment-simulator/notifier.h"
#include "services/payment-simulator/simulator.h"

namespace zhongtai::paysim {

class Api {
 public:
  Api(Simulator& simulator, Notifier& notifier) : simulator_(simulator), notifier_(notifier) {}

  Response Handle(const Request& request);

  // The JSON notification body for `payment`, as the merchant's callback receives it.
  static std::string NotificationBody(const Payment& payment);

 private:
  Response CreatePayment(const std::string& body);
  Response Pay(const std::string& order_id);
  Response Refund(const std::string& order_id, const std::string& body);
  Response SetControl(const std::optional<std::string>& order_id, const std::string& body);
  Response ListDeliveries(const std::string& query);

  Simulator& simulator_;
  Notifier& notifier_;
};

}  // namespace zhongtai::paysim
