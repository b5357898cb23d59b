#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::marketing {

struct MarketingConfig {
  int grpc_port = 50053;
  int metrics_port = 9103;
  std::string pg_dsn;
  int pg_pool_size = 8;
  int worker_threads = 8;
  // SIGTERM: how long calls in flight get to finish.
  absl::Duration drain_timeout = absl::Seconds(10);
};

// From ZT_MARKETING_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<MarketingConfig> LoadConfig();

}  // namespace zhongtai::marketing
