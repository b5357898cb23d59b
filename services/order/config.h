#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"

namespace zhongtai::order {

struct OrderConfig {
  server::ServiceSettings service;
  std::string product_address;
  std::string marketing_address;
  std::string user_address;
  // Shipping: a flat fee per order in fen, free from the buyer's tier threshold (user center's tier table).
  int64_t shipping_fee = 1000;
  // Points pay at most this share (percent) of the goods after discounts.
  int points_max_share_percent = 50;
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
  // After-sales: a completed order without a recorded after-sales deadline may be returned this long after it
  // completed.
  absl::Duration return_window = absl::Hours(7 * 24);
};

// From ZT_ORDER_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<OrderConfig> LoadConfig();

}  // namespace zhongtai::order
