// PaymentProvider over a wallet provider's HTTP/JSON API (the payment simulator's,
// services/payment-simulator/README.md, which has the shape of the Chinese wallet providers' APIs): create, query,
// close and refund, all keyed by order id.
#pragma once

#include <string>

#include "common/http/http_client.h"
#include "services/order/domain/payment_ports.h"

namespace zhongtai::order {

class HttpPaymentProvider : public PaymentProvider {
 public:
  // `name` is the provider's name in our records and in its notification route (/v1/payments/notify/{name}).
  HttpPaymentProvider(std::string name, http::HttpClient client) : name_(std::move(name)), client_(std::move(client)) {}

  std::string name() const override { return name_; }
  absl::StatusOr<ProviderPayment> Create(const std::string& order_id, int64_t amount,
                                         const std::string& currency) override;
  absl::StatusOr<ProviderPayment> Query(const std::string& order_id) override;
  absl::StatusOr<ProviderPayment> Close(const std::string& order_id) override;
  absl::Status Refund(const std::string& order_id, const std::string& refund_id, int64_t amount) override;

 private:
  // Sends and reads {"payment": {...}}; a 404 is status kNotFound when `not_found_ok`.
  absl::StatusOr<ProviderPayment> Exchange(const std::string& method, const std::string& target,
                                           const std::string& body, bool not_found_ok);

  std::string name_;
  http::HttpClient client_;
};

// The provider's JSON names for ProviderStatus ("PENDING", "SUCCEEDED", "DECLINED", "CLOSED").
bool ParseProviderStatus(const std::string& name, ProviderStatus* status);

}  // namespace zhongtai::order
