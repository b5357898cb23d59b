#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::order {

struct OrderConfig {
  int grpc_port = 50052;
  int metrics_port = 9102;
  std::string pg_dsn;
  int pg_pool_size = 16;
  std::string redis_address;
  std::string product_address;
  std::string marketing_address;
  int worker_threads = 16;
  // SIGTERM: how long calls in flight get to finish.
  absl::Duration drain_timeout = absl::Seconds(10);
  absl::Duration payment_timeout = absl::Minutes(15);
  absl::Duration reservation_grace = absl::Minutes(5);
  absl::Duration sweep_interval = absl::Seconds(1);
};

// From ZT_ORDER_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<OrderConfig> LoadConfig();

}  // namespace zhongtai::order
