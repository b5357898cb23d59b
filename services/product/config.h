#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zhongtai::product {

struct ProductConfig {
  int grpc_port = 50051;
  int metrics_port = 9101;
  std::string pg_dsn;
  int pg_pool_size = 8;
  int worker_threads = 8;
  // Where the outbox relay publishes the catalogue events (zt.events.product); empty: they stay in the outbox.
  std::string redis_address;
  absl::Duration reservation_sweep_interval = absl::Seconds(1);
  int reservation_sweep_batch = 100;
  // How long a product page may be served from memory; 0 turns the cache off.
  absl::Duration product_cache_ttl = absl::Seconds(1);
  absl::Duration reservation_default_ttl = absl::Minutes(15);
  absl::Duration drain_timeout = absl::Seconds(10);
};

// From ZT_PRODUCT_* environment variables; INVALID_ARGUMENT naming every bad variable.
absl::StatusOr<ProductConfig> LoadConfig();

}  // namespace zhongtai::product
