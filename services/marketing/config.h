#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace zhongtai::marketing {

struct MarketingConfig {
  int grpc_port = 50053;
  int metrics_port = 9103;
  std::string pg_dsn;
  int pg_pool_size = 8;
  int worker_threads = 8;
};

// From ZT_MARKETING_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<MarketingConfig> LoadConfig();

}  // namespace zhongtai::marketing
