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
};

// From ZT_ORDER_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<OrderConfig> LoadConfig();

}  // namespace zhongtai::order
