#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/server/service_settings.h"

namespace zhongtai::datahub {

struct DatahubConfig {
  server::ServiceSettings service;
  // Consumer name within the "datahub" group; empty: host-pid-random, unique per process.
  std::string consumer_name;
  int claim_idle_seconds = 30;
};

// From ZT_DATAHUB_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<DatahubConfig> LoadConfig();

}  // namespace zhongtai::datahub
