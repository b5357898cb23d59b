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
  // The daily RFM/LTV segment run (published to the user center): from this UTC hour on, once a day across
  // replicas; checked every segments_check_interval; a replica's lease on a run lasts segments_lease.
  int segments_run_hour = 3;
  absl::Duration segments_check_interval = absl::Minutes(5);
  absl::Duration segments_lease = absl::Minutes(30);
};

// From ZT_DATAHUB_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<DatahubConfig> LoadConfig();

}  // namespace zhongtai::datahub
