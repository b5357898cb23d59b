#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"

namespace zhongtai::marketing {

struct MarketingConfig {
  server::ServiceSettings service;
  // The product service, which holds each flash sale's quantity as a reservation.
  std::string product_address;
  // A flash sale is settled with the product this long after its end (longer than the order payment timeout).
  absl::Duration flash_settle_after = absl::Minutes(20);
  absl::Duration flash_sweep_interval = absl::Seconds(5);
};

// From ZT_MARKETING_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<MarketingConfig> LoadConfig();

}  // namespace zhongtai::marketing
