#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"

namespace zhongtai::order {

struct OrderConfig {
  server::ServiceSettings service;
  std::string product_address;
  std::string marketing_address;
  absl::Duration payment_timeout = absl::Minutes(15);
  absl::Duration reservation_grace = absl::Minutes(5);
  absl::Duration sweep_interval = absl::Seconds(1);
  // The payment provider: its name (also the {provider} of its notification route) and base URL.
  std::string payment_provider = "simulator";
  std::string payment_provider_url = "http://127.0.0.1:8090";
  absl::Duration payment_provider_timeout = absl::Seconds(3);
  // An attempt without an outcome this long is looked up at the provider; a sweeper holds one this long.
  absl::Duration payment_query_after = absl::Seconds(30);
  absl::Duration payment_lease = absl::Minutes(1);
};

// From ZT_ORDER_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<OrderConfig> LoadConfig();

}  // namespace zhongtai::order
