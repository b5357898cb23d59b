#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::datahub {

struct DatahubConfig {
  int grpc_port = 50055;
  int metrics_port = 9105;
  std::string pg_dsn;
  int pg_pool_size = 8;
  std::string redis_address;
  int worker_threads = 8;
  // SIGTERM: how long calls in flight get to finish.
  absl::Duration drain_timeout = absl::Seconds(10);
  // Consumer name within the "datahub" group; empty: host-pid-random, unique per process.
  std::string consumer_name;
  int claim_idle_seconds = 30;
};

// From ZT_DATAHUB_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<DatahubConfig> LoadConfig();

}  // namespace zhongtai::datahub
