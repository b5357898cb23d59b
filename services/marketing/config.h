#pragma once

#include "absl/status/statusor.h"
#include "common/server/service_settings.h"

namespace zhongtai::marketing {

struct MarketingConfig {
  server::ServiceSettings service;
};

// From ZT_MARKETING_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<MarketingConfig> LoadConfig();

}  // namespace zhongtai::marketing
