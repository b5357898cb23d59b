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
  // A pending event of a consumer silent this long is claimed by another.
  absl::Duration claim_idle = absl::Seconds(30);
};

// From ZT_DATAHUB_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<DatahubConfig> LoadConfig();

}  // namespace zhongtai::datahub
